# Runtime of the horizontal detection configs: the project's runtime (exact resume, fixed seed) plus mmdet's
# pieces of its own default_runtime.py (scope, visualizer).
_base_ = ['./default_runtime.py']
default_scope = 'mmdet'
visualizer = dict(type='DetLocalVisualizer', vis_backends=[dict(type='LocalVisBackend')], name='visualizer')
