# Runtime of the tracking configs (paper App. B.5.5): the project's runtime (exact resume, fixed seed) plus mmdet's
# tracking pieces. mmtrack cannot be installed with this stack; ByteTrack, its tracker, YOLOX and the video datasets
# live in mmdet 3.1 (README, "Tracking without mmtrack").
_base_ = ['./default_runtime.py']
default_scope = 'mmdet'
visualizer = dict(type='TrackLocalVisualizer', vis_backends=[dict(type='LocalVisBackend')], name='visualizer')
