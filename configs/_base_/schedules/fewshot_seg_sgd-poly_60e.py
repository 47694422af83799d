# Few-shot segmentation schedule of the paper (App. B.5.8): SGD, momentum 0.9, weight decay 1e-4, batch 8
# (the dataset base), 60 epochs; the initial learning rate, 0.005 for iSAID and 0.003 for LoveDA, is set by
# the configs in configs/fewshot/. Counted in iterations (mmengine replays the data exactly on --resume only
# for iteration loops): an epoch is one episode per training image containing a base class of the fold, a
# count only the data knows, so mmringmoe.EpochLengthIterTrainLoop sets max_iters = 60 x len(train
# dataloader) when it is built (and logs it), and the epoch-based poly decay is converted to iterations by
# mmengine (convert_to_iter_based) with the same epoch length.
# Not stated in the paper: how the "initial" learning rate decays (poly, power 0.9, to 0 over the 60 epochs,
# as in PFENet's code) and when to validate (every 10 epochs).
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.005, momentum=0.9, weight_decay=1e-4))
param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=0.0, by_epoch=True, begin=0, end=60, convert_to_iter_based=True)
]
train_cfg = dict(type='mmringmoe.EpochLengthIterTrainLoop', max_epochs=60, val_interval=10)
# val_cfg / test_cfg: the episodic loops of the dataset bases (configs/_base_/datasets/fewshot_seg_*.py)
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=2000, max_keep_ckpts=2),
    sampler_seed=dict(type='DistSamplerSeedHook'))
