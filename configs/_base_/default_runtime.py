# The runtime every task family of mmringmoe inherits, whatever its toolkit. A family's own runtime base
# (seg_runtime.py, pretrain_runtime.py, ...) inherits this file and adds only its toolkit's pieces
# (default_scope, visualizer, wrapper settings), so that what makes --resume exact is written once.
# default_hooks (the checkpoint interval) belong to a family's schedule or runtime.
custom_imports = dict(imports=['mmringmoe'], allow_failed_imports=False)

# The model's randomness (drop path, dropout, RingMoE's noisy gating) is seeded per iteration and rank, so
# that --resume continues exactly as an uninterrupted run would (mmengine restores the seed but not the
# random generators' states). A config that sets custom_hooks must keep this hook in its list.
custom_hooks = [dict(type='mmringmoe.IterationSeedHook')]
# A fixed seed, not mmengine's default of a fresh random one: the sampler's order and the dataloader workers'
# seeds derive from it, and they are built before --resume restores the checkpoint's seed, so a run with
# seed=None does not resume exactly.
randomness = dict(seed=0, deterministic=False)

env_cfg = dict(
    cudnn_benchmark=False,  # cuDNN's autotuner picks kernels by timing them, which varies from run to run
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))  # tools/train.py switches to gloo on a machine without CUDA

log_processor = dict(by_epoch=False)
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='Visualizer', vis_backends=vis_backends)
log_level = 'INFO'
load_from = None
resume = False
