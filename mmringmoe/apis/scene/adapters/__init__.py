"""One module per task: how a batch of tiles runs through the model and what the scene's outputs are."""
from .change import ChangeAdapter
from .det import DetAdapter
from .height import HeightAdapter
from .seg import SegAdapter

__all__ = ['ChangeAdapter', 'DetAdapter', 'HeightAdapter', 'SegAdapter']
