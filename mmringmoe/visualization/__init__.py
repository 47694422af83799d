"""Pictures of results: captioned segmentation panels with a class legend, drawn from the rasters as
training reads them, written atomically."""
from .atomic_vis_backend import AtomicLocalVisBackend
from .height_panel_visualizer import HeightPanelVisualizer, height_panels
from .raster_seg_visualization_hook import RasterSegVisualizationHook, display_image
from .seg_panel_visualizer import SegPanelVisualizer

__all__ = ['AtomicLocalVisBackend', 'RasterSegVisualizationHook', 'SegPanelVisualizer', 'display_image']
__all__ += ['HeightPanelVisualizer', 'height_panels']
