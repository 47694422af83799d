"""ExclusionIoUMetric (AIR-PolSAR-Seg, paper Table A7): excluded classes leave the table and the means."""
import numpy as np
import pytest
import torch
from mmengine.structures import PixelData
from mmseg.evaluation import IoUMetric
from mmseg.evaluation.metrics import iou_metric
from mmseg.structures import SegDataSample

from mmringmoe.evaluation.metrics import ExclusionIoUMetric

CLASSES = ('housing', 'industrial', 'natural', 'land_use', 'water', 'other')


def batch():
    rng = np.random.default_rng(0)
    gt = torch.from_numpy(rng.integers(0, 6, (1, 16, 16)))
    pred = gt.clone()
    pred[:, :5] = torch.from_numpy(rng.integers(0, 6, (1, 5, 16)))  # some errors
    sample = SegDataSample()
    sample.gt_sem_seg = PixelData(data=gt)
    sample.pred_sem_seg = PixelData(data=pred)
    return [sample.to_dict()], gt, pred


def test_means_cover_the_kept_classes_only(monkeypatch):
    printed = []
    monkeypatch.setattr(iou_metric, 'print_log', lambda msg, logger=None: printed.append(str(msg)))
    samples, gt, pred = batch()
    metric = ExclusionIoUMetric(exclude_classes=('land_use', 'other'), iou_metrics=['mIoU', 'mFscore'])
    metric.dataset_meta = dict(classes=CLASSES)
    metric.process({}, samples)
    result = metric.evaluate(1)
    table = '\n'.join(printed)
    assert 'industrial' in table and 'land_use' not in table and 'other' not in table
    kept = [0, 1, 2, 4]
    ious = [((gt == c) & (pred == c)).sum().item() / ((gt == c) | (pred == c)).sum().item() for c in kept]
    assert result['mIoU'] == pytest.approx(np.round(np.mean(ious) * 100, 2))
    in_kept = torch.isin(gt, torch.tensor(kept))
    assert result['aAcc'] == pytest.approx(
        np.round(((gt == pred) & in_kept).sum().item() / in_kept.sum().item() * 100, 2))
    reference = IoUMetric(iou_metrics=['mIoU'])
    reference.dataset_meta = dict(classes=CLASSES)
    reference.process({}, samples)
    assert reference.evaluate(1)['mIoU'] != result['mIoU']  # the exclusion changes the mean
    assert metric.dataset_meta['classes'] == CLASSES  # and is undone after computing


def test_unknown_excluded_class_is_named():
    samples, *_ = batch()
    metric = ExclusionIoUMetric(exclude_classes=('landuse', ))
    metric.dataset_meta = dict(classes=CLASSES)
    metric.process({}, samples)
    with pytest.raises(ValueError, match=r"exclude_classes \['landuse'\] are not classes"):
        metric.evaluate(1)
