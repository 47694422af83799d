# Stage 1 of the tracking detector (paper App. B.5.5): all parameters trained, AdamW with lr 1e-5 and weight decay
# 0.005, batch 2, the learning rate warmed up linearly over the first 5000 iterations from 0.1 x lr, then constant.
# The length (5 epochs) is counted in iterations by the dataset's schedule file (track_adamw-warmup_5e_*.py).
# Not stated in the paper: AdamW's betas (PyTorch's), no decay on norms, biases and SwinV2's logit scale (as in the
# other downstream configs).
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-5, weight_decay=0.005),
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        custom_keys={
            'absolute_pos_embed': dict(decay_mult=0.0),
            'logit_scale': dict(decay_mult=0.0)
        }))
# after the warm-up no scheduler acts: the learning rate stays at lr
param_scheduler = [dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=5000)]
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
