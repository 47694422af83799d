# RingMoE pretraining optimiser (paper App. B.3 via spec section 3): AdamW, lr 2e-4, weight decay 0.05.
# Not stated in the paper, taken from mmpretrain's SimMIM configs: betas (0.9, 0.999), gradient clipping at
# 5.0, no decay on norms, biases, position and logit-scale parameters and the mask token, linear warm-up then
# cosine decay. Iteration-based (the unpaired modalities cycle at different rates, so an "epoch" is not one
# pass over the data); the number of iterations is our choice.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-4, betas=(0.9, 0.999), weight_decay=0.05),
    clip_grad=dict(max_norm=5.0),
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        custom_keys={
            'absolute_pos_embed': dict(decay_mult=0.0),
            'logit_scale': dict(decay_mult=0.0),
            'mask_token': dict(decay_mult=0.0)
        }))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=10000),
    dict(type='CosineAnnealingLR', eta_min=1e-6, by_epoch=False, begin=10000, end=200000)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=200000)
