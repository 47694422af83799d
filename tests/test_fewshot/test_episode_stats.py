"""mean_and_ci95: the few-shot literature's mean +- 1.96 * std / sqrt(n), std with ddof=0 (App. B.5.8)."""
import math

import numpy as np
import pytest

from mmringmoe.evaluation.episode_stats import mean_and_ci95
from mmringmoe.evaluation.metrics import EpisodeAccuracy


def test_mean_and_interval_by_hand():
    mean, half_width = mean_and_ci95([50.0, 60.0, 70.0, 80.0])
    # mean 65; population variance (225 + 25 + 25 + 225) / 4 = 125; 1.96 * sqrt(125) / sqrt(4)
    assert mean == 65.0
    assert half_width == pytest.approx(1.96 * math.sqrt(125) / 2, rel=1e-12)


def test_population_std_not_sample_std():
    values = np.random.default_rng(0).uniform(0, 100, size=600)
    _, half_width = mean_and_ci95(values)
    assert half_width == pytest.approx(1.96 * values.std(ddof=0) / math.sqrt(600), rel=1e-12)
    assert half_width != pytest.approx(1.96 * values.std(ddof=1) / math.sqrt(600), rel=1e-6)


def test_constant_values_have_no_spread():
    assert mean_and_ci95([80.0] * 600) == (80.0, 0.0)


@pytest.mark.parametrize('values, message', [([], 'no values'), ([1.0, float('nan')], '1 of 2 values')])
def test_bad_values(values, message):
    with pytest.raises(ValueError, match=message):
        mean_and_ci95(values)


def test_episode_accuracy_metric_reports_percent_mean_and_interval():
    metric = EpisodeAccuracy()
    metric.process(None, [dict(correct=75, total=75), dict(correct=60, total=75), dict(correct=15, total=75)])
    results = metric.compute_metrics(metric.results)
    accuracies = [100.0, 80.0, 20.0]
    assert results['accuracy'] == pytest.approx(np.mean(accuracies))
    assert results['ci95'] == pytest.approx(1.96 * np.std(accuracies) / math.sqrt(3))
    assert results['episodes'] == 3
