"""Segmentors."""
from .dual_modality_encoder_decoder import DualModalityEncoderDecoder
from .moe_encoder_decoder import MoEEncoderDecoder
from .siamese_encoder_decoder import MoESiameseEncoderDecoder, SiameseEncoderDecoder

__all__ = ['DualModalityEncoderDecoder', 'MoEEncoderDecoder']
__all__ += ['MoESiameseEncoderDecoder', 'SiameseEncoderDecoder']
