# Optimizer of the scene classification configs (paper App. B.5.1): AdamW, lr 5e-5, weight decay 0.05.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=5e-5, betas=(0.9, 0.999), weight_decay=0.05),
    # Not stated in the paper: no decay on norms, biases and SwinV2's position/scale parameters, as in the
    # segmentation configs (the habit of mmpretrain's and mmseg's Swin configs).
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        custom_keys={
            'absolute_pos_embed': dict(decay_mult=0.0),
            'logit_scale': dict(decay_mult=0.0)
        }))
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
