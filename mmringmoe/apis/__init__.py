"""High-level APIs: georeferenced inference over whole scenes (``tools/infer.py``)."""
from .scene import SceneError, SceneJob, build_model, infer_scene, model_tile_size

__all__ = ['SceneError', 'SceneJob', 'build_model', 'infer_scene', 'model_tile_size']
