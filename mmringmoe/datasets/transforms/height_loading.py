"""Load a height label (paper App. B.5.7: per-pixel height of ISPRS Vaihingen / Potsdam) with rasterio.

mmseg's ``LoadDepthAnnotation`` decodes with OpenCV and knows neither a raster's nodata value nor NaN,
multiplies every pixel by one factor, and checks nothing against the image. Heights here come as float32
GeoTIFFs (``tools/dataset_converters/isprs_height.py`` writes heights in the label's unit, NaN where the
source had no value) or as 16-bit PNGs holding ``height / scale``.
"""
import os.path as osp
import warnings
from typing import Optional

import numpy as np
import rasterio
from mmcv.transforms import BaseTransform
from rasterio.errors import NotGeoreferencedWarning, RasterioError

from mmringmoe.registry import TRANSFORMS
from ..oriented_annotations import AnnotationError
from .raster_errors import check_complete, read_failure


class HeightLabelError(AnnotationError):
    """A height file that does not fit its image (size, band count); the message names both files. Its
    ``str()`` stays that one line when a ``DataLoader`` worker re-raises it (as :class:`CorruptFileError`'s),
    so ``tools/train.py`` reports it in one line."""

    def __str__(self) -> str:
        text = super().__str__().rstrip()
        marker = f'{type(self).__name__}: '  # the last line of a worker's traceback: the original message
        return text.splitlines()[-1].split(marker, 1)[-1] if marker in text else text


@TRANSFORMS.register_module()
class LoadHeightAnnotation(BaseTransform):
    """Read ``depth_map_path`` into ``gt_depth_map`` (float32 heights, NaN where there is none).

    Pixels equal to the file's nodata value (or ``nodata``), NaN and infinite pixels become NaN: the loss
    and the metric leave them out, and ``height_missing_pixels`` counts them. Integer files are multiplied
    by ``scale`` (e.g. 0.01 for a 16-bit PNG in centimetres); float files by ``scale`` too (1.0 keeps them).

    **Required keys:** ``depth_map_path``, and ``img_shape`` (load the image first) and ``img_path``.

    **Added keys:** ``gt_depth_map`` (``H x W`` float32, also appended to ``seg_fields`` so that flips, crops
    and rotations move it with the image), ``height_missing_pixels`` (int), ``depth_rescale_factor``
    (``scale``, mmseg's key).

    Raises:
        FileNotFoundError: the height file does not exist (naming it).
        HeightLabelError: more than one band, or a size other than the image's (naming both files); an
            ``AnnotationError``, which ``tools/train.py`` and ``tools/test.py`` report in one line.
        CorruptFileError: a height file cut short or damaged.

    Args:
        scale (float): label unit per stored value. Defaults to 1.0.
        nodata (float, optional): overrides the file's nodata value.
    """

    def __init__(self, scale: float = 1.0, nodata: Optional[float] = None) -> None:
        if not scale > 0:
            raise ValueError(f'LoadHeightAnnotation: scale must be positive, got {scale}')
        self.scale = scale
        self.nodata = nodata

    def transform(self, results: dict) -> dict:
        path = results['depth_map_path']
        if not osp.isfile(path):
            raise FileNotFoundError(f'{path}: height file not found (image {results.get("img_path")})')
        check_complete(path)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore', NotGeoreferencedWarning)
                with rasterio.open(path) as src:
                    if src.count != 1:
                        raise HeightLabelError(f'{path}: a height file has one band, this one has {src.count}')
                    heights = src.read(1)
                    nodata = src.nodata if self.nodata is None else self.nodata
        except RasterioError as err:
            raise read_failure(path, err) from None
        shape = tuple(results['img_shape'][:2])
        if heights.shape != shape:
            raise HeightLabelError(
                f'{path}: height map of {heights.shape[0]} x {heights.shape[1]} px, its image '
                f'{results.get("img_path")} has {shape[0]} x {shape[1]} px')
        missing = ~np.isfinite(heights) if np.issubdtype(heights.dtype, np.floating) else \
            np.zeros(heights.shape, dtype=bool)
        if nodata is not None and not np.isnan(nodata):
            missing |= heights == nodata
        heights = heights.astype(np.float32) * np.float32(self.scale)
        heights[missing] = np.nan
        results['gt_depth_map'] = heights
        results.setdefault('seg_fields', []).append('gt_depth_map')
        results['height_missing_pixels'] = int(missing.sum())
        results['depth_rescale_factor'] = self.scale
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(scale={self.scale}, nodata={self.nodata})'
