"""The fold metric: class IoU with intersections and unions summed over the class's episodes (PFENet/DMNet),
the mean over the fold's classes, and the mean over folds."""
import numpy as np
import pytest
import torch

from mmringmoe.evaluation.metrics import FewShotSegMetric
from mmringmoe.evaluation.metrics.fewshot_seg_metric import mean_over_folds


def _sample(name, pred, gt):
    return dict(fewshot_class=name, pred_sem_seg=dict(data=torch.from_numpy(pred)[None]),
                gt_sem_seg=dict(data=torch.from_numpy(gt)[None]))


def test_class_iou_sums_pixels_over_episodes_then_averages_over_the_fold_classes():
    rng = np.random.default_rng(0)
    metric = FewShotSegMetric()
    metric.dataset_meta = dict(classes=('ship', 'plane'))
    totals = {'ship': [0, 0], 'plane': [0, 0]}
    per_episode = []
    for episode in range(12):
        name = ('ship', 'plane')[episode % 2]
        pred = rng.integers(0, 2, (16, 16))
        gt = rng.choice([0, 1, 255], (16, 16), p=[0.5, 0.3, 0.2])
        metric.process({}, [_sample(name, pred, gt)])
        valid = gt != 255
        inter = np.sum((pred == 1) & (gt == 1) & valid)
        union = np.sum(((pred == 1) | (gt == 1)) & valid)
        totals[name][0] += inter
        totals[name][1] += union
        per_episode.append(inter / union)
    results = metric.evaluate(12)
    ious = {name: 100 * i / u for name, (i, u) in totals.items()}
    assert results['fewshot/IoU.ship'] == pytest.approx(ious['ship'])
    assert results['fewshot/IoU.plane'] == pytest.approx(ious['plane'])
    assert results['fewshot/mIoU'] == pytest.approx((ious['ship'] + ious['plane']) / 2)
    assert results['fewshot/mIoU'] != pytest.approx(100 * np.mean(per_episode))  # not a mean of episode IoUs


def test_a_fold_class_without_episodes_is_an_error():
    metric = FewShotSegMetric()
    metric.dataset_meta = dict(classes=('ship', 'plane'))
    metric.process({}, [_sample('ship', np.ones((4, 4), np.int64), np.ones((4, 4), np.int64))])
    with pytest.raises(ValueError, match="no episode of class 'plane'"):
        metric.evaluate(1)


def test_the_paper_number_is_the_mean_over_folds():
    assert mean_over_folds({0: 50.0, 1: 40.0, 2: 60.0}) == pytest.approx(50.0)
    with pytest.raises(ValueError):
        mean_over_folds({})
