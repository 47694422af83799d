# Runtime of the oriented detection configs: the project's runtime (exact resume, fixed seed) plus mmrotate's
# pieces of its own default_runtime.py (scope, visualizer).
_base_ = ['./default_runtime.py']
default_scope = 'mmrotate'
visualizer = dict(type='RotLocalVisualizer', vis_backends=[dict(type='LocalVisBackend')], name='visualizer')
