# Runtime of the segmentation configs: the project's runtime (exact resume, fixed seed) plus mmseg's pieces
# of its own default_runtime.py (scope, visualizer, test-time augmentation wrapper).
_base_ = ['./default_runtime.py']
default_scope = 'mmseg'
visualizer = dict(type='SegLocalVisualizer', vis_backends=[dict(type='LocalVisBackend')], name='visualizer')
tta_model = dict(type='SegTTAModel')
