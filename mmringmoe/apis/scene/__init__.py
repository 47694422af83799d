"""Tiled, blended, resumable inference of a trained model over a georeferenced scene of any size."""
from .inference import SceneJob, infer_scene
from .model_setup import build_model, model_tile_size
from .scene_reader import SceneError, SceneReader, SceneWarning
from .tiling import TileGrid, blend_window

__all__ = ['SceneError', 'SceneJob', 'SceneReader', 'SceneWarning', 'TileGrid', 'blend_window', 'build_model',
           'infer_scene', 'model_tile_size']
