"""Few-shot classification accuracy over test episodes with its 95% interval (paper App. B.5.8, Table A4)."""
from typing import Dict, List, Optional, Sequence

from mmengine.evaluator import BaseMetric

from mmringmoe.registry import METRICS
from ..episode_stats import mean_and_ci95


@METRICS.register_module()
class EpisodeAccuracy(BaseMetric):
    """Mean query accuracy (%) over episodes and ``1.96 * std / sqrt(n)`` (:func:`mean_and_ci95`).

    Each processed sample is one episode, ``dict(correct=..., total=...)`` (its queries), as
    :class:`~mmringmoe.engine.loops.EpisodicValLoop` sends them. The paper's metric, "overall accuracy",
    is the ratio of correctly classified query images, averaged over episodes as its references do.
    Reported as ``fewshot/accuracy``, ``fewshot/ci95`` and ``fewshot/episodes``.
    """
    default_prefix: Optional[str] = 'fewshot'

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for episode in data_samples:
            self.results.append(100.0 * episode['correct'] / episode['total'])

    def compute_metrics(self, results: List[float]) -> Dict[str, float]:
        mean, half_width = mean_and_ci95(results)
        return dict(accuracy=mean, ci95=half_width, episodes=len(results))
