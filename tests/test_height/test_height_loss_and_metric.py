"""BinsFormer's SiLog loss and the height metrics, each against a direct numpy computation."""
import math

import numpy as np
import pytest
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmringmoe.evaluation.metrics import HeightMetric
from mmringmoe.models.losses import BinsFormerSiLogLoss, binsformer_silog


def numpy_silog(pred, target, floor, weight):
    """BinsFormer's sigloss over the valid pixels: weight * sqrt(unbiased var(g) + 0.15 mean(g)^2)."""
    valid = np.isfinite(target)
    g = np.log(np.maximum(pred[valid], floor)) - np.log(np.maximum(target[valid], floor))
    return weight * math.sqrt(np.var(g, ddof=1) + 0.15 * np.mean(g) ** 2)


def test_loss_equals_the_reference_formula_over_valid_pixels():
    rng = np.random.default_rng(0)
    target = rng.uniform(0, 20, (2, 1, 16, 16)).astype(np.float32)
    target[0, 0, :3] = 0.0  # ground
    target[1, 0, 5, :7] = np.nan  # no height
    pred = rng.uniform(0, 25, target.shape).astype(np.float32)
    loss = BinsFormerSiLogLoss(loss_weight=10.0, floor=1.0)(torch.from_numpy(pred), torch.from_numpy(target))
    assert loss.item() == pytest.approx(numpy_silog(pred, target, 1.0, 10.0), rel=1e-5)
    # variance_focus sets the weight of the squared mean: 1 - 0.5 as in mmseg's SiLogLoss
    valid = np.isfinite(target)
    g = np.log(np.maximum(pred[valid], 1.0)) - np.log(np.maximum(target[valid], 1.0))
    other = binsformer_silog(torch.from_numpy(pred), torch.from_numpy(target), 1.0, variance_focus=0.5)
    assert other.item() == pytest.approx(math.sqrt(np.var(g, ddof=1) + 0.5 * np.mean(g) ** 2), rel=1e-5)


def test_loss_is_never_nan():
    pred = torch.rand(1, 1, 8, 8, requires_grad=True)
    nothing = torch.full((1, 1, 8, 8), float('nan'))
    loss = binsformer_silog(pred, nothing)
    assert loss.item() == 0.0
    loss.backward()
    assert torch.all(pred.grad == 0)
    one = nothing.clone()
    one[0, 0, 0, 0] = 4.0
    assert torch.isfinite(binsformer_silog(pred, one))
    perfect = torch.full((1, 1, 8, 8), 5.0, requires_grad=True)  # sqrt at 0: clamped, finite gradient
    binsformer_silog(perfect, torch.full((1, 1, 8, 8), 5.0)).backward()
    assert torch.all(torch.isfinite(perfect.grad))
    with pytest.raises(ValueError, match='shape'):
        binsformer_silog(pred, torch.rand(1, 1, 4, 4))


def numpy_metrics(preds, targets, min_height):
    p = np.concatenate([x.ravel() for x in preds]).astype(np.float64)
    t = np.concatenate([x.ravel() for x in targets]).astype(np.float64)
    finite = np.isfinite(t)
    valid = finite & (t >= min_height)
    out = dict(Rel=np.mean(np.abs(t[valid] - p[valid]) / t[valid]))
    with np.errstate(divide='ignore', invalid='ignore'):
        ratio = np.maximum(p[valid] / t[valid], t[valid] / p[valid])
    ratio[p[valid] <= 0] = np.inf
    for k in (1, 2, 3):
        out[f'delta{k}'] = np.mean(ratio < 1.25 ** k)
    out['RMSE'] = np.sqrt(np.mean((t[finite] - p[finite]) ** 2))
    out['MAE'] = np.mean(np.abs(t[finite] - p[finite]))
    return out


def data_sample(pred, target):
    sample = SegDataSample()
    sample.pred_depth_map = PixelData(data=torch.from_numpy(pred)[None])
    sample.gt_depth_map = PixelData(data=torch.from_numpy(target)[None])
    return sample.to_dict()


def test_metrics_equal_direct_computations_over_all_pixels_of_the_test_set():
    rng = np.random.default_rng(1)
    targets = [rng.uniform(0, 15, (20, 24)).astype(np.float32) for _ in range(3)]
    preds = [np.clip(t + rng.normal(0, 2, t.shape), -1, None).astype(np.float32) for t in targets]
    targets[0][:4] = 0.0  # ground, below the validity mask
    targets[1][2, :5] = np.nan  # nodata
    preds[2][7, 3] = 0.0  # a prediction of 0 fails every delta
    metric = HeightMetric(min_height=1.0)
    metric.process({}, [data_sample(p, t) for p, t in zip(preds, targets)])
    results = metric.compute_metrics(metric.results)
    expected = numpy_metrics(preds, targets, 1.0)
    assert sorted(results) == sorted(expected)
    for key, value in expected.items():
        assert results[key] == pytest.approx(value, rel=1e-9), key
    assert 0 < results['delta1'] < results['delta2'] <= results['delta3'] <= 1
    assert sum(r['missing'] for r in metric.results) == 5


def test_metric_prefix_and_bad_arguments():
    metric = HeightMetric()
    metric.process({}, [data_sample(np.ones((4, 4), np.float32), np.full((4, 4), 2.0, np.float32))])
    assert metric.evaluate(1) == {'height/Rel': 0.5, 'height/delta1': 0.0, 'height/delta2': 0.0,
                                  'height/delta3': 0.0, 'height/RMSE': 1.0, 'height/MAE': 1.0}
    with pytest.raises(ValueError, match='min_height'):
        HeightMetric(min_height=0.0)
