# Height estimation schedule (paper App. B.5.7): AdamW, betas (0.9, 0.999), weight decay 0.01, lr 1e-4,
# 38.4k iterations at batch 8, "a linear learning rate warm-up strategy ... over the first 30% of the total
# iterations" (11520). After the warm-up the paper is silent: cosine decay to lr / 2500, the shape of the
# one-cycle schedule of BinsFormer's reference configs (start lr / 25, 38.4k iterations, end lr / 25 / 100),
# which also clip gradients at norm 35.
max_iters = 38400
warmup_iters = 11520  # 30% of 38400
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.01),
    clip_grad=dict(max_norm=35, norm_type=2),
    # no decay on norms, biases and SwinV2's position/scale parameters (the reference's and the seg configs')
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        custom_keys={
            'absolute_pos_embed': dict(decay_mult=0.0),
            'logit_scale': dict(decay_mult=0.0)
        }))
param_scheduler = [
    dict(type='LinearLR', start_factor=1 / 25, by_epoch=False, begin=0, end=warmup_iters),
    dict(type='CosineAnnealingLR', eta_min=1e-4 / 2500, by_epoch=False, begin=warmup_iters, end=max_iters,
         T_max=max_iters - warmup_iters)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=3200)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(timer=dict(type='IterTimerHook'),
                     logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
                     param_scheduler=dict(type='ParamSchedulerHook'),
                     checkpoint=dict(type='CheckpointHook',
                                     by_epoch=False,
                                     interval=3200,
                                     save_best='height/Rel',
                                     rule='less'),
                     sampler_seed=dict(type='DistSamplerSeedHook'),
                     visualization=dict(type='mmringmoe.RasterSegVisualizationHook'))
