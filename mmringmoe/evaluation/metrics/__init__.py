"""Metrics."""
from .change_metric import ChangeMetric
from .episode_accuracy import EpisodeAccuracy
from .exclusion_iou_metric import ExclusionIoUMetric
from .fewshot_seg_metric import FewShotSegMetric
from .height_metric import HeightMetric
from .mot_metric import MultiClassMOTMetric

__all__ = ['ExclusionIoUMetric', 'FewShotSegMetric']
__all__ += ['ChangeMetric']
__all__ += ['HeightMetric']
__all__ += ['EpisodeAccuracy']
__all__ += ['MultiClassMOTMetric']
