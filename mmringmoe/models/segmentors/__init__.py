"""Segmentors."""
from .dual_modality_encoder_decoder import DualModalityEncoderDecoder

__all__ = ['DualModalityEncoderDecoder']
