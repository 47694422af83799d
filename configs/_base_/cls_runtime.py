# Runtime of the scene classification configs: the project's runtime (exact resume, fixed seed) plus
# mmpretrain's pieces of its own default_runtime.py (scope, visualizer).
_base_ = ['./default_runtime.py']
default_scope = 'mmpretrain'
visualizer = dict(type='UniversalVisualizer', vis_backends=[dict(type='LocalVisBackend')])
