"""ChangeMetric: F1, precision, recall, IoU of the change class and OA from mmseg's IoUMetric accumulation."""
import pytest
import torch

from mmringmoe.evaluation.metrics import ChangeMetric


def evaluate(pairs):
    metric = ChangeMetric()
    metric.dataset_meta = dict(classes=('unchanged', 'changed'))
    for truth, pred in pairs:
        metric.process([], [dict(pred_sem_seg=dict(data=torch.tensor([pred])),
                                 gt_sem_seg=dict(data=torch.tensor([truth])))])
    return metric.compute_metrics(metric.results)


def test_scores_of_the_change_class_over_all_samples():
    # sample 1: TP 2, FP 1, FN 1, TN 4 (one ignored pixel); sample 2: TP 1, FN 1, TN 2
    first = ([[1, 1, 1, 0], [0, 0, 0, 255], [0, 0, 0, 0]], [[1, 1, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]])
    second = ([[1, 1], [0, 0]], [[1, 0], [0, 0]])
    scores = evaluate([first, second])
    tp, fp, fn, tn = 3, 1, 2, 7 + 2
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert scores['precision'] == pytest.approx(100 * precision, abs=0.01)
    assert scores['recall'] == pytest.approx(100 * recall, abs=0.01)
    assert scores['F1'] == pytest.approx(100 * 2 * precision * recall / (precision + recall), abs=0.01)
    assert scores['IoU'] == pytest.approx(100 * tp / (tp + fp + fn), abs=0.01)
    assert scores['OA'] == pytest.approx(100 * (tp + tn) / (tp + fp + fn + tn), abs=0.01)


def test_nothing_predicted_changed_scores_zero_not_nan():
    scores = evaluate([([[1, 0]], [[0, 0]])])
    assert scores['F1'] == scores['precision'] == scores['recall'] == scores['IoU'] == 0.0
    assert scores['OA'] == 50.0
