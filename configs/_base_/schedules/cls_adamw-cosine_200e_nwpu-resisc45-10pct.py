# Scene classification schedule of the paper (App. B.5.1) on NWPU-RESISC45's 10% training split: a linear
# warm-up over the first 10 epochs from 0.01 x lr, then cosine annealing to 5e-6 until epoch 200. Counted in
# iterations, as every schedule of this project (mmengine replays the data loader on --resume, which keeps
# the augmentations of a resumed run exact): 3150 training images at batch 64 are 49.2 iterations per epoch,
# so 10 epochs = 492 and 200 epochs = 9844 iterations. Scale them if you change the batch size.
_base_ = ['./cls_adamw.py']
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=492),
    dict(type='CosineAnnealingLR', eta_min=5e-6, T_max=9844 - 492, by_epoch=False, begin=492, end=9844)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=9844, val_interval=984)  # evaluate every 20 epochs
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=984, max_keep_ckpts=2,
                    save_best='accuracy/top1'),
    sampler_seed=dict(type='DistSamplerSeedHook'))
