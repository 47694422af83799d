# Detection schedule of the paper (App. B.5.4) on HRSID's training split (3642 images): 12 epochs, linear
# warm-up from 1e-3 x lr. Counted in iterations, as every schedule of this project (mmengine replays the data
# loader on --resume, which keeps a resumed run exact): at a total batch of 16 (8 GPUs x 2), one epoch is 228
# iterations and 12 epochs 2736.
# Not stated in the paper: the warm-up length (500 iterations) and the decay by 0.1 after epochs 8 and 11,
# mmdet's 1x schedule.
_base_ = ['./det_sgd.py']
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=2736, milestones=[1824, 2508], gamma=0.1)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=2736, val_interval=912)  # evaluate every 4 epochs
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=228, max_keep_ckpts=2),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='DetVisualizationHook'))
