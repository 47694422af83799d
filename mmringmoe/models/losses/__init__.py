"""Losses."""
from .binsformer_silog_loss import BinsFormerSiLogLoss, binsformer_silog

__all__ = ['BinsFormerSiLogLoss', 'binsformer_silog']
