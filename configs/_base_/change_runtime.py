# Runtime of the change-detection configs: the project's runtime (exact resume, fixed seed) plus mmseg's
# scope and visualizer (the Siamese segmentor, its metric and datasets are mmseg pieces).
_base_ = ['./default_runtime.py']
default_scope = 'mmseg'
visualizer = dict(type='SegLocalVisualizer', vis_backends=[dict(type='LocalVisBackend')], name='visualizer')
