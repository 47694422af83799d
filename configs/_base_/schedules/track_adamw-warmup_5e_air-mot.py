# AIR-MOT: 106 training videos of "over 70 timestamps" each (paper App. B.5.5).
# At 70 frames a video that is 106 x 70 = 7420 frames, one 640 x 640 crop of each per epoch: 3710 iterations of
# the paper's batch 2 per epoch and 5 epochs = 18550 iterations (counted in iterations, as every schedule of this
# project: --resume is exact). The real count is the number of images in annotations/train_cocoformat.json:
# with N frames, set train_cfg.max_iters=5 * ceil(N / 2) (and the checkpoint interval to ceil(N / 2)).
_base_ = ['./track_adamw-warmup.py']
train_cfg = dict(type='IterBasedTrainLoop', max_iters=18550, val_interval=18550)  # evaluate at the end
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=3710, max_keep_ckpts=2),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='TrackVisualizationHook', draw=False))
