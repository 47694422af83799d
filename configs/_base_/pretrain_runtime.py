# Runtime of RingMoE pretraining. The algorithm is an mmpretrain self-supervisor, so mmpretrain is the default
# scope (as in mmpretrain's SimMIM configs); our modules are reached by prefix ('mmringmoe.X').
default_scope = 'mmpretrain'
custom_imports = dict(imports=['mmringmoe'], allow_failed_imports=False)

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=5000, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'))
# The model's randomness (noisy gating, drop path) is seeded per iteration and rank, so that --resume
# continues exactly as an uninterrupted run would (mmengine does not restore random-generator states).
custom_hooks = [dict(type='mmringmoe.IterationSeedHook')]

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))  # tools/train.py switches to gloo on a machine without CUDA
# Top-1 routing leaves experts (and a modality's embedding, experts and decoder when it is absent from a
# rank's batch) without gradient in a step: DDP must look for unused parameters.
model_wrapper_cfg = dict(type='MMDistributedDataParallel', find_unused_parameters=True)

log_processor = dict(by_epoch=False, window_size=50)
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='Visualizer', vis_backends=vis_backends)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)
