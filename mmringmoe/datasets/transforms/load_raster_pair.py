"""Load a co-registered optical + SAR pair as one channel-stacked image (paper App. B.5.3)."""
from typing import Optional

import numpy as np
from mmcv.transforms import BaseTransform

from mmringmoe.registry import TRANSFORMS
from .loading import LoadRasterImage


@TRANSFORMS.register_module()
class LoadRasterPair(BaseTransform):
    """Load both images of a pair with :class:`LoadRasterImage`; stack them channel-wise, first then second.

    Stacking is what lets every mmseg/mmcv geometric transform that follows (``RandomResize``,
    ``RandomCrop``, ``RandomFlip``, padding in the data preprocessor) apply the *same* geometry to both
    images and the label. :class:`~mmringmoe.models.segmentors.DualModalityEncoderDecoder` splits the
    channels back (``in_channels=(first, second)``) and gives each half to its own backbone.

    **Required keys:** ``img_path`` (the first image, optical) and ``second_key`` (the second, SAR).

    **Added keys:** those of :class:`LoadRasterImage` for the stacked ``H x W x (C1 + C2)`` image
    (georeferencing and ``img_path`` of the first image), ``nodata_mask`` (nodata in either image),
    ``modality`` (``'<first>+<second>'``), ``pair_channels`` (``(C1, C2)``).

    Args:
        first (dict): :class:`LoadRasterImage` arguments for the first image, e.g.
            ``dict(modality='opt', bands=[1, 2, 3], expected_bands=3)``.
        second (dict): the same for the second image, e.g. ``dict(modality='sar_l2', expected_bands=1)``.
        second_key (str): data-info key of the second image's path. Defaults to ``'img_path2'`` (mmseg's
            name for the second image of a pair).

    Raises (from ``transform``):
        FileNotFoundError: the second image's path is missing from the data info.
        ValueError: the two images differ in size (both files named); :class:`InvalidRasterError` from
            either load (that file named).
    """

    def __init__(self, first: dict, second: dict, second_key: str = 'img_path2') -> None:
        self.first = LoadRasterImage(**first)
        self.second = LoadRasterImage(**second)
        self.second_key = second_key

    def transform(self, results: dict) -> Optional[dict]:
        """Load ``results['img_path']`` and ``results[second_key]``; stack them into ``results['img']``."""
        second_path = results.get(self.second_key)
        if second_path is None:
            raise FileNotFoundError(f'{results["img_path"]}: its pair partner ({self.second_key}) is not '
                                    f'listed in the data info')
        second = self.second(dict(img_path=second_path))
        results = self.first(results)
        first_img, second_img = results['img'], second['img']
        if first_img.shape[:2] != second_img.shape[:2]:
            raise ValueError(f'pair size mismatch: {results["img_path"]} is {first_img.shape[0]}x'
                             f'{first_img.shape[1]} but {second_path} is {second_img.shape[0]}x'
                             f'{second_img.shape[1]}')
        results['img'] = np.concatenate([first_img, second_img.astype(first_img.dtype)], axis=2)
        results['nodata_mask'] = results['nodata_mask'] | second['nodata_mask']
        results['modality'] = f'{results["modality"]}+{second["modality"]}'
        results['pair_channels'] = (first_img.shape[2], second_img.shape[2])
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(first={self.first!r}, second={self.second!r}, '
                f'second_key={self.second_key!r})')
