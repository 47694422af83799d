"""Parameter-efficient fine-tuning."""
from .convpass import ConvpassAdapter, ConvpassBackbone

__all__ = ['ConvpassAdapter', 'ConvpassBackbone']
