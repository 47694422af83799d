# Runtime of RingMoE pretraining: the project's runtime (exact resume, fixed seed) plus what pretraining
# needs. The algorithm is an mmpretrain self-supervisor, so mmpretrain is the default scope (as in
# mmpretrain's SimMIM configs); our modules are reached by prefix ('mmringmoe.X').
_base_ = ['./default_runtime.py']
default_scope = 'mmpretrain'

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=5000, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'))
# Top-1 routing leaves experts (and a modality's embedding, experts and decoder when it is absent from a
# rank's batch) without gradient in a step: DDP must look for unused parameters.
model_wrapper_cfg = dict(type='MMDistributedDataParallel', find_unused_parameters=True)

log_processor = dict(window_size=50)
