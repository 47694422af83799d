"""Windowed reads of a whole scene exactly as the config's loading transform reads a training tile.

The scene is never read whole: :meth:`SceneReader.read` returns one window. Band selection and order
(``bands=`` / ``file_channels``), 16-bit values, complex SAR split into real and imaginary channels (paper
App. B.1), nodata and NaN handling are those of :class:`~mmringmoe.datasets.transforms.LoadRasterImage`,
whose own helpers do the work. For a two-modality config
(:class:`~mmringmoe.datasets.transforms.LoadRasterPair`, paper App. B.5.3) the second scene is read through
a rasterio ``WarpedVRT`` onto the first scene's grid when the two grids differ: resampled on the fly, never
written.
"""
import os.path as osp
import warnings
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import numpy as np
import rasterio
from rasterio.enums import Resampling
from rasterio.errors import NotGeoreferencedWarning, RasterioError
from rasterio.vrt import WarpedVRT
from rasterio.windows import Window

from mmringmoe.datasets.transforms import GreyLoadRasterImage, LoadRasterImage, LoadRasterPair
from mmringmoe.datasets.transforms.loading import (COMPLEX_PART_DTYPES, is_complex_dtype, nodata_band_mask,
                                                   split_complex)
from mmringmoe.datasets.transforms.raster_errors import CorruptFileError, InvalidRasterError, check_complete
from mmringmoe.registry import TRANSFORMS

LOADERS = ('LoadRasterImage', 'GreyLoadRasterImage', 'LoadRasterPair')


class SceneWarning(UserWarning):
    """Something about a scene that the run allows but the user should know (no CRS)."""


class SceneError(ValueError):
    """A scene that the config cannot read (band count, missing file, corrupt block): one line naming it."""


def find_loader(pipeline: Sequence[dict]) -> dict:
    """The loading transform config of a test pipeline (the first ``LoadRasterImage`` / ``LoadRasterPair``)."""
    for step in pipeline:
        if str(step.get('type', '')).split('.')[-1] in LOADERS:
            return dict(step)
    raise SceneError('the config\'s test pipeline has no mmringmoe.LoadRasterImage or LoadRasterPair: the '
                     'scene reader reads rasters as those transforms do')


@dataclass
class Grid:
    """Size and georeferencing of the scene (of its first input)."""
    width: int
    height: int
    crs: Optional[rasterio.crs.CRS]
    transform: rasterio.Affine


class _Source:
    """One input scene read through one :class:`LoadRasterImage`'s settings."""

    def __init__(self, path: str, loader: LoadRasterImage, grid: Optional[Grid] = None) -> None:
        self.path, self.loader = path, loader
        if not osp.exists(path):
            raise SceneError(f'{path}: no such scene')
        try:
            check_complete(path)
        except CorruptFileError as err:
            raise SceneError(str(err)) from None
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', NotGeoreferencedWarning)
            try:
                self.dataset = rasterio.open(path)
            except RasterioError as err:
                raise SceneError(f'{path}: cannot be read ({err})') from None
        src = self.dataset
        if isinstance(loader, GreyLoadRasterImage) and src.count == 3 and not is_complex_dtype(src.dtypes[0]):
            # A grey three-band scene: band 1, as GreyLoadRasterImage reads a grey tile (the equality of the
            # three bands is not checked over a whole scene).
            self.indexes = [1]
        else:
            try:
                self.indexes = loader._indexes(src, path, loader.modality)
            except InvalidRasterError as err:
                raise SceneError(str(err)) from None
        if max(self.indexes) > src.count:
            raise SceneError(f'{path}: has {src.count} bands, the config reads bands {self.indexes}')
        self.dtypes = [src.dtypes[i - 1] for i in self.indexes]
        self.nodatavals = [loader.nodata if loader.nodata is not None else src.nodatavals[i - 1]
                           for i in self.indexes]
        self.channels = sum(2 if is_complex_dtype(d) else 1 for d in self.dtypes)
        if loader.expected_bands is not None and self.channels != loader.expected_bands:
            raise SceneError(f'{path}: has {self.channels} channels ({len(self.dtypes)} bands of '
                             f'{self.dtypes[0]}), the config expects {loader.expected_bands}')
        self.reader = src
        if grid is not None and (src.width, src.height, src.crs, src.transform) != (
                grid.width, grid.height, grid.crs, grid.transform):
            if src.crs is None or grid.crs is None:
                raise SceneError(f'{path}: its grid differs from the first scene\'s and one of them has no CRS, '
                                 f'so it cannot be resampled onto it')
            # Resampled on the fly onto the first scene's grid (bilinear, as the loaders' resizing).
            self.reader = WarpedVRT(src, crs=grid.crs, transform=grid.transform, width=grid.width,
                                    height=grid.height, resampling=Resampling.bilinear,
                                    src_nodata=self.nodatavals[0], nodata=self.nodatavals[0])

    def read(self, window: Window) -> Tuple[np.ndarray, np.ndarray]:
        """``(C, h, w)`` float32 channels and the ``(h, w)`` nodata mask of ``window`` (the scene clipped)."""
        try:
            bands = self.reader.read(self.indexes, window=window)
        except RasterioError as err:
            cause = ' '.join(str(err.__cause__ or err).split())
            raise SceneError(f'{self.path}: a corrupt block in rows {window.row_off}-'
                             f'{window.row_off + window.height}, columns {window.col_off}-'
                             f'{window.col_off + window.width} ({cause})') from None
        band_mask = nodata_band_mask(bands, self.nodatavals)
        if is_complex_dtype(self.dtypes[0]):
            bands = split_complex(bands, COMPLEX_PART_DTYPES[self.dtypes[0]])
        mask = (np.zeros(bands.shape[1:], dtype=bool) if band_mask is None else band_mask.any(axis=0))
        floating = np.issubdtype(bands.dtype, np.floating)
        bands = bands.astype(np.float32)
        if floating:  # NaN nodata (and non-finite values) become 0 and nodata, as LoadRasterImage's NaN
            invalid = ~np.isfinite(bands)
            if invalid.any():
                bands[invalid] = 0
                mask |= invalid.any(axis=0)
        return bands, mask

    def close(self) -> None:
        if self.reader is not self.dataset:
            self.reader.close()
        self.dataset.close()


class SceneReader:
    """Read windows of one scene, or of a co-registered pair, as the config's loading transform would.

    Args:
        loader_cfg: the loading transform's config (``find_loader(test_pipeline)``).
        paths: one scene, or two for a ``LoadRasterPair`` config (first, then second modality).

    Raises:
        SceneError: a missing or unreadable scene, the wrong number of scenes, a band count other than the
            config's; later, from :meth:`read`, a corrupt block. One line naming the file.
    """

    def __init__(self, loader_cfg: dict, paths: Sequence[str]) -> None:
        loader = TRANSFORMS.build(loader_cfg)
        loaders: List[LoadRasterImage] = ([loader.first, loader.second] if isinstance(loader, LoadRasterPair)
                                          else [loader])
        if len(paths) != len(loaders):
            kind = ('two co-registered scenes (LoadRasterPair: optical then SAR, or date A then date B)'
                    if len(loaders) == 2 else 'one scene')
            raise SceneError(f'the config reads {kind} ({type(loader).__name__}), got {len(paths)} inputs')
        self.sources: List[_Source] = []
        try:
            for path, single in zip(paths, loaders):
                grid = self.grid if self.sources else None
                self.sources.append(_Source(path, single, grid))
        except SceneError:
            self.close()
            raise

    @property
    def grid(self) -> Grid:
        src = self.sources[0].dataset
        return Grid(src.width, src.height, src.crs, src.transform)

    @property
    def channels(self) -> int:
        return sum(s.channels for s in self.sources)

    def read(self, x: int, y: int, width: int, height: int) -> Tuple[np.ndarray, np.ndarray]:
        """``(C, height, width)`` float32 and the nodata mask of the window at column ``x``, row ``y``
        (``C`` stacked over the inputs, first then second, as ``LoadRasterPair`` stacks them)."""
        window = Window(x, y, width, height)
        parts = [s.read(window) for s in self.sources]
        image = np.concatenate([p[0] for p in parts], axis=0) if len(parts) > 1 else parts[0][0]
        mask = np.logical_or.reduce([p[1] for p in parts])
        return image, mask

    def close(self) -> None:
        for source in self.sources:
            source.close()

    def __enter__(self) -> 'SceneReader':
        return self

    def __exit__(self, *exc) -> None:
        self.close()
