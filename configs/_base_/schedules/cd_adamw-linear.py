# Change-detection schedule of the paper (App. B.5.6): AdamW, lr 5e-5 decaying linearly to zero (PolyLR of
# power 1) over 200 epochs, counted in iterations by each dataset's schedule file (exact --resume needs an
# iteration loop). Weight decay, betas and the no-decay rules are not stated: AdamW's default 0.01 and
# the segmentation configs' habits.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=5e-5, betas=(0.9, 0.999), weight_decay=0.01),
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        custom_keys={
            'pos_embed': dict(decay_mult=0.0),  # SwinV2's absolute_pos_embed (unused) and BIT's token embedding
            'logit_scale': dict(decay_mult=0.0)
        }))
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, save_best='F1', rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
