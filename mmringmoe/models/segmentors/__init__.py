"""Segmentors."""
from .dual_modality_encoder_decoder import DualModalityEncoderDecoder
from .moe_encoder_decoder import MoEEncoderDecoder

__all__ = ['DualModalityEncoderDecoder', 'MoEEncoderDecoder']
