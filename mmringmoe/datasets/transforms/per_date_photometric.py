"""Photometric augmentation of a channel-stacked image pair, drawn independently per date (paper App. B.5.6)."""
from typing import List, Sequence, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform, Compose

from mmringmoe.registry import TRANSFORMS


@TRANSFORMS.register_module()
class PerDatePhotometric(BaseTransform):
    """Run ``transforms`` on each date of a stacked pair separately, so each date gets its own random draw.

    Paper App. B.5.6 augments change-detection pairs by flipping, cropping, re-scaling, colour jittering
    and Gaussian blur. The geometric ones run on the stacked ``H x W x (C_A + C_B)`` image
    (:class:`LoadRasterPair`), which moves both dates and the label identically; the photometric ones
    belong to each acquisition (illumination, season, haze differ between dates), so this wrapper splits the
    image by ``results['pair_channels']``, runs the wrapped pipeline on date A, then again (new random
    numbers) on date B, and stacks the results back.

    **Required keys:** ``img`` (``H x W x (C_A + C_B)``), ``pair_channels`` (``(C_A, C_B)``).

    **Modified keys:** ``img``.

    Args:
        transforms (Sequence[dict]): photometric transforms that change ``img`` only, e.g.
            ``[dict(type='PhotoMetricDistortion'), dict(type='mmringmoe.RandomGaussianBlur')]``.
    """

    def __init__(self, transforms: Sequence[dict]) -> None:
        self.transforms = Compose(list(transforms))

    def transform(self, results: dict) -> dict:
        """Each date's channels through ``transforms`` on their own; the pair stacked back."""
        channels: Tuple[int, int] = tuple(results['pair_channels'])
        img = results['img']
        if img.shape[2] != sum(channels):
            raise ValueError(f'PerDatePhotometric: {results.get("img_path")} has {img.shape[2]} channels but '
                             f'its pair has {channels[0]} + {channels[1]}')
        dates: List[np.ndarray] = []
        for date in np.split(img, [channels[0]], axis=2):
            out = self.transforms(dict(img=np.ascontiguousarray(date)))
            dates.append(out['img'].astype(img.dtype, copy=False))
        results['img'] = np.concatenate(dates, axis=2)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(transforms={self.transforms!r})'


@TRANSFORMS.register_module()
class RandomGaussianBlur(BaseTransform):
    """Blur ``img`` with a Gaussian of random sigma, with probability ``prob`` (any band count, any dtype).

    mmseg has only a biomedical (N, Z, Y, X) blur and mmpretrain's works on PIL RGB images; this one blurs
    an ``H x W x C`` array with OpenCV, as BIT's reference augmentation blurs its pairs (PIL's radius drawn
    uniformly below 1, i.e. sigma below 1).

    Args:
        sigma_range (tuple): sigma in pixels, drawn uniformly. Defaults to ``(0.1, 1.0)``.
        prob (float): probability of blurring. Defaults to 0.5.
    """

    def __init__(self, sigma_range: Tuple[float, float] = (0.1, 1.0), prob: float = 0.5) -> None:
        if not 0 < sigma_range[0] <= sigma_range[1]:
            raise ValueError(f'RandomGaussianBlur: sigma_range must be positive and ordered, got {sigma_range}')
        if not 0 <= prob <= 1:
            raise ValueError(f'RandomGaussianBlur: prob must be in [0, 1], got {prob}')
        self.sigma_range = tuple(sigma_range)
        self.prob = prob

    def transform(self, results: dict) -> dict:
        """Blur ``results['img']`` (kept in its dtype and shape)."""
        if np.random.rand() >= self.prob:
            return results
        img = results['img']
        sigma = float(np.random.uniform(*self.sigma_range))
        blurred = cv2.GaussianBlur(img.astype(np.float32), (0, 0), sigmaX=sigma)
        blurred = blurred.reshape(img.shape)  # OpenCV drops a single channel's axis
        if np.issubdtype(img.dtype, np.integer):
            info = np.iinfo(img.dtype)
            blurred = np.clip(np.rint(blurred), info.min, info.max)
        results['img'] = blurred.astype(img.dtype)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(sigma_range={self.sigma_range}, prob={self.prob})'
