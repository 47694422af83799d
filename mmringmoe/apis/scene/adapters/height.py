"""Height (nDSM) estimation over a scene (paper App. B.5.7: BinsFormer on RingMoE-KC, mmseg's
``DepthEstimator``): heights in metres blended across tiles like logits, written as a float32 GeoTIFF."""
from typing import List

import numpy as np

from ..raster_writer import RasterOutput
from .base import DenseAdapter, blended


class HeightAdapter(DenseAdapter):
    """Run tiles through a ``DepthEstimator`` as its test step does (the model's data preprocessor, then
    ``inference``: the height map at the tile's size, in metres, as ``predict``'s ``pred_depth_map``).

    Args:
        model: the estimator, in eval mode, on its device.
    """
    channels = 1

    def __init__(self, model) -> None:
        self.model = model

    def outputs(self, out: str) -> List[RasterOutput]:
        return [RasterOutput(out, 1, 'float32', float('nan'), descriptions=['height (m)'], resampling='AVERAGE')]

    def finalize(self, sums: np.ndarray, weights: np.ndarray) -> List[np.ndarray]:
        heights, empty = blended(sums, weights)
        heights = heights.astype(np.float32)
        heights[:, empty] = np.nan
        return [heights]
