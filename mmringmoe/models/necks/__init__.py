"""Necks."""
from .concat_conv_fusion import ConcatConvFusion

__all__ = ['ConcatConvFusion']
