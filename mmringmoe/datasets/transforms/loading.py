"""Load a remote-sensing raster tile (GeoTIFF, PNG, JPEG) with its exact values and georeferencing.

RingMoE's pretraining inputs (paper Sec. 3.5, App. B.1 and B.3; spec section 3) are Opt 3-band and MS
4-band 8-bit tiles, SAR-L2 1-band 8-bit amplitude, and SAR-L1 HH/HV/VH/VV complex values "kept in 16-bit
format", fed to the network as 8 channels (real and imaginary part of each polarisation).
"""
import warnings
from typing import List, Optional, Sequence, Tuple

import numpy as np
import rasterio
from mmcv.transforms import BaseTransform
from rasterio.errors import NotGeoreferencedWarning, RasterioError

from mmringmoe.registry import TRANSFORMS
from .band_order import band_selection, canonical_channels, check_channel_names
from .raster_errors import InvalidRasterError, check_complete, read_failure

# Real dtype of each part of a complex GDAL band: CInt16 stays int16, CFloat32 float32, CFloat64 float64.
COMPLEX_PART_DTYPES = {
    'complex_int16': np.dtype(np.int16),
    'complex64': np.dtype(np.float32),
    'complex': np.dtype(np.float64),
    'complex128': np.dtype(np.float64),
}


def is_complex_dtype(dtype: str) -> bool:
    """Whether a rasterio band dtype name (``src.dtypes[i]``) is complex (CInt16, CFloat32, CFloat64)."""
    return dtype in COMPLEX_PART_DTYPES


def raster_channels(dtypes: Sequence[str]) -> int:
    """Network input channels of bands with these rasterio dtypes: a complex band gives two (re, im)."""
    return sum(2 if is_complex_dtype(d) else 1 for d in dtypes)


def split_complex(bands: np.ndarray, part_dtype: np.dtype) -> np.ndarray:
    """``(B, H, W)`` complex -> ``(2B, H, W)`` real: re_1, im_1, re_2, im_2, ... cast to ``part_dtype``.

    Both parts of a CInt16 band are integers that rasterio returns in a complex64 array, so the cast back
    to int16 is exact.
    """
    out = np.empty((2 * bands.shape[0], ) + bands.shape[1:], dtype=part_dtype)
    out[0::2] = bands.real
    out[1::2] = bands.imag
    return out


def nodata_band_mask(bands: np.ndarray, nodatavals: Sequence[Optional[float]]) -> Optional[np.ndarray]:
    """``(B, H, W)`` bool: True where a band equals its nodata value; None when no band has one.

    A NaN nodata matches NaN pixels. For a complex band the nodata value is the complex number
    ``nodata + 0j`` (GDAL applies a complex band's nodata to the real part; the black border of an SLC
    is ``0 + 0j``).
    """
    if all(v is None for v in nodatavals):
        return None
    mask = np.zeros(bands.shape, dtype=bool)
    for i, value in enumerate(nodatavals):
        if value is None:
            continue
        band = bands[i]
        if np.isnan(value):
            mask[i] = np.isnan(band.real) if np.iscomplexobj(band) else np.isnan(band)
        elif np.iscomplexobj(band):
            mask[i] = (band.real == value) & (band.imag == 0)
        else:
            mask[i] = band == value
    return mask


@TRANSFORMS.register_module()
class LoadRasterImage(BaseTransform):
    """Load a GeoTIFF/PNG/JPEG tile with rasterio, keeping its exact values and georeferencing.

    Every format goes through rasterio (GDAL), so a uint16 or int16 band is read exactly (16-bit SAR-L1 is
    never squashed to 8 bits, unlike an 8-bit image decoder), and a complex band (CInt16 / CFloat32, as in
    SAR-L1 single-look complex products) becomes two channels, real then imaginary: a 4-band complex
    HH/HV/VH/VV file gives the 8 channels ``HH_re, HH_im, HV_re, HV_im, VH_re, VH_im, VV_re, VV_im``
    that RingMoE's SAR-L1 patch embedding takes (paper App. B.1; spec section 1). An 8-band int16 file
    already in that order gives the same 8 channels.

    **Required keys:** ``img_path`` (and ``modality`` when this transform's ``modality`` is None).

    **Added keys:**

    - ``img`` (np.ndarray): ``H x W x C``; float32 by default (uint8/uint16/int16 values are exactly
      representable), else the file's dtype (a complex band's parts take the part dtype: int16 for CInt16).
    - ``img_shape``, ``ori_shape`` (tuple): ``(H, W)``.
    - ``modality`` (str | None).
    - ``nodata_mask`` (np.ndarray): ``H x W`` bool, True where any band equals its nodata value; all
      False when no nodata is known. It describes the tile as loaded: later geometric transforms
      (crop, flip) do not update it.
    - ``crs`` (str | None): the CRS as WKT; None for an image without one (PNG, JPEG, SAR in slant range).
    - ``transform`` (tuple | None): the six affine coefficients ``(a, b, c, d, e, f)`` mapping
      (col, row) to CRS coordinates; None when the file has no geotransform.

    Pixels equal to a NaN nodata value are set to 0 in ``img`` (they are flagged in ``nodata_mask``), so
    ``img`` never holds NaN.

    Args:
        modality (str, optional): written to ``results['modality']``. When None, the dataset's
            ``modality`` (in the data info) is kept. A conflict between the two raises ``ValueError``.
        file_channels (Sequence[str], optional): the names of the file's channels in file order, as the
            dataset documents them (a complex band is two channels, real then imaginary), e.g.
            ``('B', 'G', 'R', 'NIR')``. The loader then reads the channels of ``channel_order`` in that
            order and checks that the file has exactly these channels. Names are those of
            ``CANONICAL_BANDS`` (``mmringmoe/models/backbones/arch_zoo.py``); a channel the modality
            does not use may have any other name.
        channel_order (Sequence[str], optional): the output channels by name (needs ``file_channels``).
            Defaults to the modality's canonical order, ``CANONICAL_BANDS[modality]``: what its patch
            embedding was pretrained with. Give it only to feed another order on purpose (the paper's
            Potsdam near-infrared, red, green through the opt embedding).
        bands (Sequence[int], optional): 1-based raster bands to read, in this order (GDAL convention);
            None reads all bands. Not with ``file_channels``, which selects the bands itself.
        expected_bands (int, optional): the number of output channels ``C`` after band selection, a
            complex band counting as two; so both a 4-band CInt16 and an 8-band int16 SAR-L1 file satisfy
            ``expected_bands=8``. A mismatch raises :class:`InvalidRasterError` naming the file.
        nodata (float, optional): the nodata value of every band, overriding the file's own.
        to_float32 (bool): return float32. Defaults to True.
        max_nodata_fraction (float): a tile whose fraction of nodata pixels exceeds this raises
            :class:`InvalidRasterError`. A tile with no valid pixel always raises. Defaults to 1.0.

    Raises (from ``transform``):
        InvalidRasterError: unreadable file, band count other than ``expected_bands``, a selected band
            outside the file, NaN or Inf outside nodata, too much nodata. The message names the file.
            A file cut short or damaged (empty, a PNG without its end chunk, pixels GDAL cannot decode)
            raises the subclass :class:`~mmringmoe.datasets.transforms.CorruptFileError`, which says so.
    """

    def __init__(self,
                 modality: Optional[str] = None,
                 file_channels: Optional[Sequence[str]] = None,
                 channel_order: Optional[Sequence[str]] = None,
                 bands: Optional[Sequence[int]] = None,
                 expected_bands: Optional[int] = None,
                 nodata: Optional[float] = None,
                 to_float32: bool = True,
                 max_nodata_fraction: float = 1.0) -> None:
        if bands is not None:
            bands = [int(b) for b in bands]
            if not bands or min(bands) < 1:
                raise ValueError(f'LoadRasterImage: bands are 1-based raster band numbers, got {bands}')
        if expected_bands is not None and expected_bands < 1:
            raise ValueError(f'LoadRasterImage: expected_bands must be positive, got {expected_bands}')
        if not 0.0 <= max_nodata_fraction <= 1.0:
            raise ValueError(f'LoadRasterImage: max_nodata_fraction must lie in [0, 1], '
                             f'got {max_nodata_fraction}')
        if file_channels is not None:
            if bands is not None:
                raise ValueError('LoadRasterImage: give file_channels (bands selected by name) or bands, '
                                 'not both')
            file_channels = tuple(str(c) for c in file_channels)
            order = channel_order or (canonical_channels(modality) if modality is not None else ())
            try:
                check_channel_names(file_channels, order)
            except ValueError as err:
                raise ValueError(f'LoadRasterImage(modality={modality!r}): {err} (channel_order feeds '
                                 f'another order on purpose)') from None
        elif channel_order is not None:
            raise ValueError('LoadRasterImage: channel_order needs file_channels (the file\'s own order)')
        self.modality = modality
        self.file_channels: Optional[Tuple[str, ...]] = file_channels
        self.channel_order: Optional[Tuple[str, ...]] = (None if channel_order is None else
                                                         tuple(channel_order))
        self.bands: Optional[List[int]] = bands
        self.expected_bands = expected_bands
        self.nodata = nodata
        self.to_float32 = to_float32
        self.max_nodata_fraction = max_nodata_fraction

    def output_channels(self, modality: Optional[str] = None) -> Optional[Tuple[str, ...]]:
        """Names of the channels loaded for an item of ``modality`` (this loader's own modality when set);
        None when ``file_channels`` does not describe the file."""
        if self.file_channels is None:
            return None
        if self.channel_order is not None:
            return self.channel_order
        modality = self.modality if self.modality is not None else modality
        return self.file_channels if modality is None else canonical_channels(modality)

    def _indexes(self, src, path: str, modality: Optional[str]) -> List[int]:
        """1-based bands to read: ``bands``, the bands of ``output_channels`` in ``file_channels``, or all."""
        if self.file_channels is None:
            return self.bands if self.bands is not None else list(range(1, src.count + 1))
        channels = raster_channels(src.dtypes)
        if channels != len(self.file_channels):
            raise InvalidRasterError(f'{path}: has {channels} channels ({src.count} bands of '
                                     f'{src.dtypes[0]}), the config describes {len(self.file_channels)}: '
                                     f'{self.file_channels}')
        try:
            return band_selection(self.file_channels, self.output_channels(modality),
                                  is_complex_dtype(src.dtypes[0]))
        except ValueError as err:
            raise InvalidRasterError(f'{path}: {err}') from None

    def _read(self, path: str, modality: Optional[str]) -> tuple:
        """(bands ``(B, H, W)``, band dtypes, nodata per band, crs, transform) of the selected bands."""
        with warnings.catch_warnings():
            # PNG/JPEG and slant-range SAR have no geotransform; we report None instead of the warning.
            warnings.simplefilter('ignore', NotGeoreferencedWarning)
            with rasterio.open(path) as src:
                indexes = self._indexes(src, path, modality)
                if max(indexes) > src.count:
                    raise InvalidRasterError(f'{path}: has {src.count} bands, cannot select bands '
                                             f'{self.bands}')
                dtypes = [src.dtypes[i - 1] for i in indexes]
                if len(set(dtypes)) > 1:
                    raise InvalidRasterError(f'{path}: selected bands mix dtypes {dtypes}')
                nodatavals = [src.nodatavals[i - 1] for i in indexes]
                crs = src.crs.to_wkt() if src.crs is not None else None
                georeferenced = crs is not None or not src.transform.is_identity
                transform = tuple(src.transform)[:6] if georeferenced else None
                bands = src.read(indexes)
        if self.nodata is not None:
            nodatavals = [self.nodata] * len(indexes)
        return bands, dtypes, nodatavals, crs, transform

    def transform(self, results: dict) -> dict:
        """Read ``results['img_path']`` and add the keys listed in the class docstring."""
        path = results['img_path']
        modality = results.get('modality') if self.modality is None else self.modality
        if self.modality is not None and results.get('modality') not in (None, self.modality):
            raise ValueError(f'LoadRasterImage(modality={self.modality!r}) got a {results["modality"]!r} '
                             f'item: {path}')
        check_complete(path)
        try:
            bands, dtypes, nodatavals, crs, transform = self._read(path, modality)
        except RasterioError as err:
            raise read_failure(path, err) from None

        band_mask = nodata_band_mask(bands, nodatavals)
        if is_complex_dtype(dtypes[0]):
            bands = split_complex(bands, COMPLEX_PART_DTYPES[dtypes[0]])
        channels = bands.shape[0]
        if self.expected_bands is not None and channels != self.expected_bands:
            raise InvalidRasterError(f'{path}: has {channels} channels ({len(dtypes)} bands of {dtypes[0]}), '
                                     f'expected {self.expected_bands}')

        nodata_mask = np.zeros(bands.shape[1:], dtype=bool) if band_mask is None else band_mask.any(axis=0)
        if band_mask is not None:
            fraction = float(nodata_mask.mean())
            if fraction >= 1.0 or fraction > self.max_nodata_fraction:
                raise InvalidRasterError(f'{path}: {fraction:.1%} of the pixels are nodata '
                                         f'(max_nodata_fraction={self.max_nodata_fraction})')
        if np.issubdtype(bands.dtype, np.floating):
            invalid = ~np.isfinite(bands)
            if band_mask is not None:
                # Per band (a complex band's mask covers both of its channels): NaN nodata is not invalid.
                expanded = np.repeat(band_mask, bands.shape[0] // band_mask.shape[0], axis=0)
                invalid &= ~expanded
                bands = np.where(expanded & np.isnan(bands), 0, bands).astype(bands.dtype, copy=False)
            if invalid.any():
                raise InvalidRasterError(f'{path}: {int(invalid.sum())} NaN/Inf values outside nodata')

        img = np.ascontiguousarray(bands.transpose(1, 2, 0))
        if self.to_float32:
            img = img.astype(np.float32)
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        results['modality'] = modality
        results['nodata_mask'] = nodata_mask
        results['crs'] = crs
        results['transform'] = transform
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(modality={self.modality!r}, file_channels={self.file_channels}, '
                f'channel_order={self.channel_order}, bands={self.bands}, '
                f'expected_bands={self.expected_bands}, nodata={self.nodata}, to_float32={self.to_float32}, '
                f'max_nodata_fraction={self.max_nodata_fraction})')
