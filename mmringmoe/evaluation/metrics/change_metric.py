"""Change-detection scores of the change class (paper App. B.5.6, Table A11: F1)."""
from collections import OrderedDict
from typing import Dict

from mmengine.logging import MMLogger, print_log
from mmseg.evaluation import IoUMetric
from prettytable import PrettyTable

from mmringmoe.registry import METRICS


@METRICS.register_module()
class ChangeMetric(IoUMetric):
    """F1, precision, recall and IoU of the change class, and the overall accuracy (OA), in percent.

    mmseg's ``IoUMetric`` accumulates, per class, the pixels of intersection, union, prediction and ground
    truth (ignore-index pixels left out); this subclass keeps that accumulation and reads the change class
    (``change_index``, 1 = "changed") off the totals: ``TP = intersect``, ``precision = TP / predicted``,
    ``recall = TP / labelled``, ``F1 = 2 P R / (P + R)``, ``IoU = TP / union``, ``OA`` = correct pixels over
    all pixels. These are the change-detection scores of BIT (Chen et al. 2021) and Table A11; mmseg's
    ``mFscore`` would average the "unchanged" class in. Where nothing is predicted (or labelled) changed,
    precision (recall) is 0, and so is F1, rather than undefined. Logged as a one-row table; returned keys:
    ``F1``, ``precision``, ``recall``, ``IoU``, ``OA``.

    Args:
        change_index (int): the change class. Defaults to 1.
        **kwargs: ``IoUMetric``'s (``ignore_index``, ``collect_device``, ``prefix``...).
    """

    def __init__(self, change_index: int = 1, **kwargs) -> None:
        super().__init__(**kwargs)
        self.change_index = change_index

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """The scores above from the summed per-class areas of every sample."""
        intersect, union, predicted, labelled = (sum(areas) for areas in zip(*results))
        c = self.change_index
        tp = float(intersect[c])
        precision = tp / float(predicted[c]) if predicted[c] > 0 else 0.0
        recall = tp / float(labelled[c]) if labelled[c] > 0 else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
        iou = tp / float(union[c]) if union[c] > 0 else 0.0
        oa = float(intersect.sum()) / max(float(labelled.sum()), 1.0)
        metrics = OrderedDict(F1=f1, precision=precision, recall=recall, IoU=iou, OA=oa)
        metrics = OrderedDict((key, round(100 * value, 2)) for key, value in metrics.items())
        table = PrettyTable()
        table.add_column('Class', [self.dataset_meta['classes'][c]])
        for key, value in metrics.items():
            table.add_column(key, [value])
        print_log('change class results:\n' + table.get_string(), logger=MMLogger.get_current_instance())
        return dict(metrics)
