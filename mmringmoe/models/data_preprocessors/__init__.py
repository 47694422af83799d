"""Data preprocessors."""
from .multiband_seg_data_preprocessor import MultiBandSegDataPreProcessor
from .multimodal_selfsup_data_preprocessor import MultiModalSelfSupDataPreprocessor

__all__ = ['MultiBandSegDataPreProcessor', 'MultiModalSelfSupDataPreprocessor']
