"""Mean and 95% confidence interval over few-shot test episodes (paper App. B.5.8, Tables A4 and A5).

The few-shot literature the paper compares with (RelationNet, Sung et al. CVPR 2018, and the remote-sensing
methods of Table A4) reports ``mean +- 1.96 * std / sqrt(n)`` over ``n`` test episodes. ``std`` is the
population standard deviation (``np.std``, ``ddof=0``) of the per-episode accuracies, as the common few-shot
evaluation code computes it; the paper does not say.
"""
from typing import Sequence, Tuple

import numpy as np

Z_95 = 1.96


def mean_and_ci95(values: Sequence[float]) -> Tuple[float, float]:
    """``(mean, half_width)`` of ``values``, with ``half_width = 1.96 * std / sqrt(n)`` (``std`` with ddof=0).

    Raises ``ValueError`` for an empty sequence or a non-finite value (a NaN accuracy would make the
    interval meaningless without saying so).
    """
    array = np.asarray(values, dtype=np.float64).ravel()
    if array.size == 0:
        raise ValueError('mean_and_ci95: no values (no episode was evaluated)')
    if not np.all(np.isfinite(array)):
        raise ValueError(f'mean_and_ci95: {int(np.sum(~np.isfinite(array)))} of {array.size} values are not '
                         'finite')
    return float(array.mean()), float(Z_95 * array.std(ddof=0) / np.sqrt(array.size))
