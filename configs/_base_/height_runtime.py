# Runtime of the height estimation configs (paper App. B.5.7): the project's runtime (exact resume, fixed
# seed) plus mmseg's scope, where DepthEstimator lives, and the height pictures (image | true | predicted
# height with one colour bar), drawn when the visualization hook's draw=True.
_base_ = ['./default_runtime.py']
default_scope = 'mmseg'
visualizer = dict(
    type='mmringmoe.HeightPanelVisualizer',
    vis_backends=[dict(type='mmringmoe.AtomicLocalVisBackend')],
    name='visualizer')
