# Episodic training of the relation module (paper App. B.5.8): SGD, learning rate 0.001, weight decay 5e-4
# (the paper's); momentum 0.9, a constant learning rate and 10,000 training episodes (one per iteration) are
# our choices (the paper states no episode count). Validation on 600 episodes of the validation classes every
# 1,000 episodes; the checkpoint with the best validation accuracy is kept (best_fewshot_accuracy_iter_*.pth).
optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='SGD', lr=0.001, momentum=0.9, weight_decay=5e-4))
train_cfg = dict(type='IterBasedTrainLoop', max_iters=10000, val_interval=1000)
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook',
        by_epoch=False,
        interval=1000,
        max_keep_ckpts=2,
        save_best='fewshot/accuracy',
        rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'))
