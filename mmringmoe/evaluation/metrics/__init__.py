"""Metrics."""
from .exclusion_iou_metric import ExclusionIoUMetric

__all__ = ['ExclusionIoUMetric']
