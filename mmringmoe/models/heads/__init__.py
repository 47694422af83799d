"""Heads."""
from .bit_head import BITHead
from .binsformer_head import BinsFormerHead, bins_from_logits, height_from_bins
from .multimodal_mim_head import MultiModalMIMHead, polarimetric_power

__all__ = ['MultiModalMIMHead', 'polarimetric_power']
__all__ += ['BinsFormerHead', 'bins_from_logits', 'height_from_bins']
__all__ += ['BITHead']
