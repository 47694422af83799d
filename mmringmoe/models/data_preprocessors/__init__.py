"""Data preprocessors."""
from .multiband_seg_data_preprocessor import MultiBandSegDataPreProcessor

__all__ = ['MultiBandSegDataPreProcessor']
