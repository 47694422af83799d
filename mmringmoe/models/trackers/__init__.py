from .det_thresh_byte_tracker import DetThreshByteTracker

__all__ = ['DetThreshByteTracker']
