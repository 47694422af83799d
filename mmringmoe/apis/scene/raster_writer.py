"""Georeferenced raster outputs of a scene: finished rows kept as strips, then one tiled, compressed GeoTIFF.

Each row of tiles finishes a strip of the scene (:class:`~.blending.RowBlender`); the strip is written into
the run's state folder (a ``.npy`` file, complete or not at all), so that a killed run keeps what it
finished. When the last strip is written, :func:`assemble` copies the strips block
row by block row into the output: tiled, DEFLATE-compressed, with the scene's CRS, transform and size, the
output's nodata, a colour table (class maps) and, with ``cog=True``, a Cloud-Optimized GeoTIFF with
overviews. The output is a function of the strips' pixels only, so an interrupted and continued run writes
the same bytes as an uninterrupted one.
"""
import os
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import rasterio
import rasterio.shutil
from rasterio.windows import Window

from mmringmoe.datasets.transforms.raster_errors import tiff_data_end
from mmringmoe.utils.atomic_io import OutputWriteError, atomic_output, output_errors
from .scene_reader import Grid

BLOCK = 256  # the output's tile size (GDAL's usual, and COG's default)
GDAL_CACHE_MB = 16  # GDAL's block cache (its default is 5% of the RAM): bounded, so that memory stays flat


@dataclass
class RasterOutput:
    """One output raster: its file, bands, data type and how GDAL should store them.

    Attributes:
        path: the final file.
        count: bands.
        dtype: numpy/rasterio dtype of the bands.
        nodata: the nodata value (NaN for float outputs).
        creation: extra GTiff creation options (``NBITS=16`` stores float32 as half floats).
        colormap: ``{value: (r, g, b, a)}`` for band 1 (a class map's palette).
        scale: the band scale (``value * scale`` is the quantity; scaled uint8 probabilities).
        descriptions: band descriptions (class names).
        resampling: overview resampling of the COG (``NEAREST`` for classes, ``AVERAGE`` otherwise).
    """
    path: str
    count: int
    dtype: str
    nodata: float
    creation: Dict[str, str] = field(default_factory=dict)
    colormap: Optional[Dict[int, Tuple[int, int, int, int]]] = None
    scale: Optional[float] = None
    descriptions: Optional[Sequence[str]] = None
    resampling: str = 'NEAREST'

    def profile(self, grid: Grid, width: int, height: int, transform, cog: bool = False) -> dict:
        return dict(driver='GTiff', width=width, height=height, count=self.count, dtype=self.dtype,
                    nodata=self.nodata, crs=grid.crs, transform=transform, compress='deflate',
                    tiled=True, blockxsize=BLOCK, blockysize=BLOCK, BIGTIFF='IF_SAFER', **self.creation_options(cog))

    def creation_options(self, cog: bool) -> Dict[str, str]:
        """The creation options; a COG is written without ``NBITS=16``: GDAL 3.10's COG writer leaves the
        padding of half-float edge blocks uninitialised, so its files differ from run to run (float32 then)."""
        return {k: v for k, v in self.creation.items() if not (cog and k == 'NBITS')}


def strip_path(state_dir: str, output: int, row: int) -> str:
    return osp.join(state_dir, f'strip_{output}_{row:06d}.npy')


def write_strip(state_dir: str, index: int, row: int, data: np.ndarray) -> None:
    """Write the rows that row ``row`` of tiles finished of output ``index`` (``data``: ``(count, h, width)``
    in the output's dtype) into the state folder: a ``.npy`` file (internal state, read back only by
    :func:`assemble`; written straight from the array, complete or not at all)."""
    with atomic_output(strip_path(state_dir, index, row)) as tmp, open(tmp, 'wb') as f:
        np.save(f, data)


def _block_rows(strips: Sequence[Tuple[str, int, int]], height: int):
    """``(y, rows)`` of each block row of the output, with the strips' data: strips are read one after the
    other and cut at multiples of :data:`BLOCK` rows."""
    pending: List[np.ndarray] = []
    start = 0
    for path, y, rows in strips:
        pending.append(np.load(path))
        buffered = sum(p.shape[1] for p in pending)
        while buffered >= BLOCK or (y + rows == height and buffered):
            data = np.concatenate(pending, axis=1) if len(pending) > 1 else pending[0]
            take = min(BLOCK, data.shape[1])
            yield start, data[:, :take]
            pending = [data[:, take:]] if data.shape[1] > take else []
            start += take
            buffered -= take


def assemble(output: RasterOutput, grid: Grid, strips: Sequence[Tuple[str, int, int]], work_dir: str,
             cog: bool) -> None:
    """Copy the strips ``(path, y, rows)`` (top to bottom, covering the scene) into ``output.path``.

    The GeoTIFF is built as ``work_dir/assembled_<name>`` (in the state folder, next to the output) and renamed
    into place, or, with ``cog``, converted by GDAL's COG driver (overviews, ``output.resampling``) into a
    temporary file that is renamed. Raises :class:`OutputWriteError` when a write fails or the file is short.
    """
    assembled = osp.join(work_dir, 'assembled_' + osp.basename(output.path))
    folder = osp.dirname(osp.abspath(output.path))
    with rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB), output_errors(folder):
        profile = output.profile(grid, grid.width, grid.height, grid.transform, cog)
        with rasterio.open(assembled, 'w', **profile) as dst:
            if output.colormap:
                dst.write_colormap(1, output.colormap)
            if output.scale is not None:
                dst.scales = [output.scale] * output.count
            for band, text in enumerate(output.descriptions or (), start=1):
                dst.set_band_description(band, text)
            for y, data in _block_rows(strips, grid.height):
                dst.write(data, window=Window(0, y, grid.width, data.shape[1]))
        _check_complete(assembled, folder)
        if not cog:
            os.replace(assembled, output.path)
            return
        with atomic_output(output.path) as tmp:
            rasterio.shutil.copy(assembled, tmp, driver='COG', COMPRESS='DEFLATE', BLOCKSIZE=BLOCK,
                                 OVERVIEWS='AUTO', RESAMPLING=output.resampling, BIGTIFF='IF_SAFER')
            _check_complete(tmp, folder)
        os.remove(assembled)


def _check_complete(path: str, folder: str) -> None:
    """GDAL does not report a failed write (a full disk leaves a short file): the data must end in the file."""
    with rasterio.open(path) as src:
        end = tiff_data_end(src)
    if end > os.path.getsize(path):
        raise OutputWriteError(folder, OSError(28, f'{osp.basename(path)} was cut short (disk full?)'))
