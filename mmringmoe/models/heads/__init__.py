"""Heads."""
from .multimodal_mim_head import MultiModalMIMHead, polarimetric_power

__all__ = ['MultiModalMIMHead', 'polarimetric_power']
