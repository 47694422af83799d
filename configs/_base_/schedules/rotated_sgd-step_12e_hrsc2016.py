# Oriented detection schedule of the paper (App. B.5.4) on HRSC2016's trainval (617 images): 12 epochs,
# linear warm-up from 1e-3 x lr. Counted in iterations, as every schedule of this project (mmengine replays
# the data loader on --resume, which keeps a resumed run exact): at a total batch of 16 (8 GPUs x 2), one
# epoch is 39 iterations and 12 epochs 468.
# Not stated in the paper: the warm-up length (one epoch; mmrotate's 500 iterations would outlast the run)
# and the decay by 0.1 after epochs 8 and 11, mmrotate's 1x schedule.
_base_ = ['./rotated_sgd.py']
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=39),
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=468, milestones=[312, 429], gamma=0.1)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=468, val_interval=156)  # evaluate every 4 epochs
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=10, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=39, max_keep_ckpts=2),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='mmdet.DetVisualizationHook'))
