"""Necks."""
from .concat_conv_fusion import ConcatConvFusion
from .multimodal_linear_decoder import MultiModalLinearDecoder

__all__ = ['ConcatConvFusion', 'MultiModalLinearDecoder']
