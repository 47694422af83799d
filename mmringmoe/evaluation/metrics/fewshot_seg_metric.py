"""Class IoU of 1-shot segmentation episodes, mean over a fold's classes (paper App. B.5.8 (3), Table A5)."""
from collections import OrderedDict
from typing import Dict, List, Mapping, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from mmringmoe.registry import METRICS

IGNORE_INDEX = 255


def episode_counts(pred: np.ndarray, gt: np.ndarray) -> tuple:
    """``(intersection, union)`` of the foreground (1) of a prediction and an episode mask, pixels where the
    mask is 255 left out."""
    valid = gt != IGNORE_INDEX
    pred_fg, gt_fg = (pred == 1) & valid, (gt == 1) & valid
    return int(np.count_nonzero(pred_fg & gt_fg)), int(np.count_nonzero(pred_fg | gt_fg))


def class_iou(counts: Sequence[tuple]) -> Dict[str, float]:
    """``{class: IoU}`` from ``(class, intersection, union)`` per episode: the intersections and unions of a
    class are summed over all its episodes before dividing (the convention of PFENet and DMNet), so an
    episode counts with its pixels, and a class's IoU is ``TP / (TP + FP + FN)`` over its episodes."""
    inter: Dict[str, int] = OrderedDict()
    union: Dict[str, int] = OrderedDict()
    for name, i, u in counts:
        inter[name] = inter.get(name, 0) + i
        union[name] = union.get(name, 0) + u
    return {name: inter[name] / union[name] if union[name] else float('nan') for name in inter}


def mean_over_folds(fold_mious: Mapping[int, float]) -> float:
    """The paper's number: the mean of the folds' mIoUs ("Final mIoU values are averaged across all folds")."""
    if not fold_mious:
        raise ValueError('mean_over_folds: no fold results')
    return float(np.mean(list(fold_mious.values())))


@METRICS.register_module()
class FewShotSegMetric(BaseMetric):
    """A fold's class mIoU over its test episodes (paper App. B.5.8 (3)).

    For each class of the fold, IoU = TP / (TP + FP + FN) of the foreground with the TP, FP and FN pixels
    summed over all the episodes of the class (:func:`class_iou`); the fold's mIoU is the mean over the
    fold's classes (``dataset_meta['classes']``: n = 5 for iSAID, 2 for LoveDA). Pixels where the query mask
    is 255 (LoveDA's no-data) are not counted. The paper's final number is the mean of the three folds'
    mIoUs (:func:`mean_over_folds`).

    Results: ``mIoU`` and ``IoU.<class>``, in percent.
    """
    default_prefix = 'fewshot'

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            pred = sample['pred_sem_seg']['data'].squeeze(0).cpu().numpy()
            gt = sample['gt_sem_seg']['data'].squeeze(0).cpu().numpy()
            self.results.append((sample['fewshot_class'], *episode_counts(pred, gt)))

    def compute_metrics(self, results: List[tuple]) -> Dict[str, float]:
        ious = class_iou(results)
        classes = self.dataset_meta['classes'] if self.dataset_meta else tuple(ious)
        missing = [name for name in classes if name not in ious]
        if missing:
            raise ValueError(f'FewShotSegMetric: no episode of class {missing[0]!r} was evaluated')
        metrics = OrderedDict(mIoU=100 * float(np.mean([ious[name] for name in classes])))
        for name in classes:
            metrics[f'IoU.{name}'] = 100 * ious[name]
        print_log(f'few-shot class IoU over {len(results)} episodes: ' +
                  ', '.join(f'{n} {100 * ious[n]:.2f}' for n in classes), 'current')
        return metrics
