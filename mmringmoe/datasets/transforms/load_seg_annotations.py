"""Load a segmentation label in any of the encodings remote-sensing datasets publish, and validate it."""
import warnings
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import rasterio
from mmseg.datasets.transforms import LoadAnnotations
from rasterio.errors import NotGeoreferencedWarning, RasterioError

from mmringmoe.registry import TRANSFORMS
from .raster_errors import check_complete, read_failure

SEG_MAP_FORMATS = ('index', 'palette', 'onehot')


def decode_index(label: np.ndarray, value_map: Optional[Dict[int, int]], path: str) -> np.ndarray:
    """``(1, H, W)`` label values -> class indices through ``value_map`` (identity when None)."""
    if label.shape[0] != 1:
        raise ValueError(f'{path}: an index label has one band, this file has {label.shape[0]}')
    label = label[0]
    if value_map is None:
        return label
    values = np.unique(label)
    unknown = [int(v) for v in values if int(v) not in value_map]
    if unknown:
        raise ValueError(f'{path}: label values {unknown} are not in the dataset encoding '
                         f'{sorted(value_map)}')
    out = np.empty(label.shape, dtype=np.int64)
    for value in values:
        out[label == value] = value_map[int(value)]
    return out


def decode_palette(label: np.ndarray, palette: Dict[Tuple[int, int, int], int], path: str) -> np.ndarray:
    """``(C>=3, H, W)`` RGB(A) colour label -> class indices through ``palette`` (colour -> index)."""
    if label.shape[0] < 3:
        raise ValueError(f'{path}: a colour label has 3 (RGB) or 4 (RGBA) bands, this file has '
                         f'{label.shape[0]}')
    rgb = label[:3].astype(np.int64)
    code = (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]
    lut = {(r << 16) | (g << 8) | b: index for (r, g, b), index in palette.items()}
    colours = np.unique(code)
    unknown = [((int(c) >> 16) & 255, (int(c) >> 8) & 255, int(c) & 255) for c in colours
               if int(c) not in lut]
    if unknown:
        raise ValueError(f'{path}: colours {unknown[:5]} are not in the dataset palette {sorted(palette)}')
    out = np.empty(code.shape, dtype=np.int64)
    for colour in colours:
        out[code == colour] = lut[int(colour)]
    return out


def decode_onehot(label: np.ndarray, band_classes: Sequence[int], ignore_index: int, path: str) -> np.ndarray:
    """``(B, H, W)`` one-hot label (0 or 255 / 1 per band) -> class indices; band ``b`` means
    ``band_classes[b]``. A pixel no band claims is ``ignore_index``; where several do, the last wins (as
    in DynamicEarthNet's reference loader)."""
    if label.shape[0] != len(band_classes):
        raise ValueError(f'{path}: a one-hot label of this dataset has {len(band_classes)} bands, this file '
                         f'has {label.shape[0]}')
    values = np.unique(label)
    bad = [int(v) for v in values if v not in (0, 1, 255)]
    if bad:
        raise ValueError(f'{path}: one-hot label values {bad} are neither 0 nor 1/255')
    out = np.full(label.shape[1:], ignore_index, dtype=np.int64)
    for band, cls in enumerate(band_classes):
        out[label[band] > 0] = cls
    return out


@TRANSFORMS.register_module()
class LoadSegAnnotations(LoadAnnotations):
    """mmseg's ``LoadAnnotations`` for remote-sensing labels: any raster format, three encodings, checks.

    The label is read with rasterio (GeoTIFF, PNG, palette PNG, BMP), decoded to class indices according to
    keys the dataset puts in each data info, then mmseg's ``reduce_zero_label`` and class ``label_map``
    apply as in ``LoadAnnotations``:

    - ``seg_map_format='index'`` (default): one band of values; ``seg_value_map`` (optional dict) maps the
      published values to classes, e.g. WHU-OPT-SAR's ``{0: 255, 10: 0, ..., 70: 6}``;
    - ``'palette'``: an RGB(A) colour image; ``seg_palette`` maps ``(r, g, b)`` to a class (AIR-PolSAR-Seg);
    - ``'onehot'``: one band per class, 0 or 255; ``seg_band_classes`` gives the class of each band
      (DynamicEarthNet's monthly 7-band rasters).

    A label file cut short or damaged raises :class:`~mmringmoe.datasets.transforms.CorruptFileError` (a
    ``ValueError``) naming it; an unreadable one ``InvalidRasterError``. Then it checks, raising
    ``ValueError`` naming the label file:

    - the label is as large as the image loaded before it (``ori_shape``);
    - every value is a class index below ``num_classes`` or the ignore index. ``num_classes`` and
      ``ignore_index`` come from the data info (every :class:`~mmringmoe.datasets.RSBaseSegDataset` adds
      them) or from this transform's arguments; without ``num_classes`` the range is not checked.

    **Required keys:** ``seg_map_path``, ``reduce_zero_label``, ``seg_fields``; optional ``label_map``,
    ``seg_map_format``, ``seg_value_map``, ``seg_palette``, ``seg_band_classes``, ``num_classes``,
    ``ignore_index``, ``ori_shape``, ``img_path``.

    **Added keys:** ``gt_seg_map`` (``H x W`` uint8, or int64 past 255 classes).

    Args:
        num_classes (int, optional): used when the data info has no ``num_classes``.
        ignore_index (int): used when the data info has no ``ignore_index``. Defaults to 255.
        reduce_zero_label (bool, optional): as in mmseg's ``LoadAnnotations``; None takes the dataset's.
    """

    def __init__(self,
                 num_classes: Optional[int] = None,
                 ignore_index: int = 255,
                 reduce_zero_label: Optional[bool] = None) -> None:
        super().__init__(reduce_zero_label=reduce_zero_label)
        self.num_classes = num_classes
        self.ignore_index = ignore_index

    def _load_seg_map(self, results: dict) -> None:
        path = results['seg_map_path']
        ignore_index = results.get('ignore_index', self.ignore_index)
        label = self._read(path)
        fmt = results.get('seg_map_format', 'index')
        if fmt == 'index':
            seg = decode_index(label, results.get('seg_value_map'), path)
        elif fmt == 'palette':
            seg = decode_palette(label, results['seg_palette'], path)
        elif fmt == 'onehot':
            seg = decode_onehot(label, results['seg_band_classes'], ignore_index, path)
        else:
            raise ValueError(f'seg_map_format must be one of {SEG_MAP_FORMATS}, got {fmt!r} for {path}')
        seg = seg.astype(np.int64)

        if self.reduce_zero_label is None:
            self.reduce_zero_label = results['reduce_zero_label']
        if self.reduce_zero_label != results['reduce_zero_label']:
            raise ValueError(f'LoadSegAnnotations(reduce_zero_label={self.reduce_zero_label}) but the '
                             f'dataset has reduce_zero_label={results["reduce_zero_label"]}')
        if self.reduce_zero_label:
            seg = np.where(seg == 0, ignore_index, seg - 1)
            seg[seg == ignore_index - 1] = ignore_index
        if results.get('label_map') is not None:
            mapped = seg.copy()
            for old_id, new_id in results['label_map'].items():
                mapped[seg == old_id] = new_id
            seg = mapped

        self._check(seg, results, path, ignore_index)
        dtype = np.uint8 if max(ignore_index, results.get('num_classes') or 0) < 256 else np.int64
        results['gt_seg_map'] = seg.astype(dtype)
        results['seg_fields'].append('gt_seg_map')

    @staticmethod
    def _read(path: str) -> np.ndarray:
        """``(B, H, W)`` bands of a label file; a file cut short or damaged raises ``CorruptFileError``."""
        check_complete(path)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore', NotGeoreferencedWarning)
                with rasterio.open(path) as src:
                    return src.read()
        except RasterioError as err:
            raise read_failure(path, err) from None

    def _check(self, seg: np.ndarray, results: dict, path: str, ignore_index: int) -> None:
        ori_shape = results.get('ori_shape')
        if ori_shape is not None and tuple(seg.shape) != tuple(ori_shape[:2]):
            raise ValueError(f'{path}: label is {seg.shape[0]}x{seg.shape[1]} but its image '
                             f'{results.get("img_path")} is {ori_shape[0]}x{ori_shape[1]}')
        num_classes = results.get('num_classes', self.num_classes)
        if num_classes is None:
            return
        values = np.unique(seg)
        bad = [int(v) for v in values if (v < 0 or v >= num_classes) and v != ignore_index]
        if bad:
            raise ValueError(f'{path}: label values {bad} are outside the {num_classes} classes '
                             f'(0-{num_classes - 1}; ignore index {ignore_index})')

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_classes={self.num_classes}, '
                f'ignore_index={self.ignore_index}, reduce_zero_label={self.reduce_zero_label})')
