"""Cut large GeoTIFF scenes into RingMOSS-style pretraining tiles (paper App. B.1; spec section 3).

    python tools/dataset_converters/make_pretrain_tiles.py scenes/*.tif --modality opt --out data/ringmoss/opt
    python tools/dataset_converters/make_pretrain_tiles.py S1.tif S2.tif --modality sar_l1 \\
        --out data/ringmoss/sar_l1 --tile 192 --step 64 --max-border 0.3

The paper's protocol: a sliding window of TILE x TILE pixels moving by STEP (192 and 64), and a tile is
dropped when more than MAX_BORDER (30%) of it is black border. A pixel is border when all its bands are 0,
or all equal the scene's nodata value. Offsets run 0, STEP, 2*STEP, ... while the tile fits, so a scene
of W x H pixels gives ((W - TILE) // STEP + 1) * ((H - TILE) // STEP + 1) candidate tiles.

Output, in DIR:
  <scene stem>/<stem>_y<row>_x<col>.tif   GeoTIFF tiles (row/col: pixel offsets in the scene) keeping the
                                          scene's dtype (complex too), CRS and nodata, with the
                                          geotransform of their window, their bands in the modality's
                                          canonical order and named by it (band descriptions)
  <modality>.txt                          the list file: one tile path per line, relative to DIR

Channel order: every tile holds its modality's canonical channels, in the order the modality's patch
embedding is pretrained with and every config feeds (CANONICAL_BANDS in
mmringmoe/models/backbones/arch_zoo.py): opt R G B; ms B G R NIR; sar_l1 HH_re HH_im HV_re HV_im VH_re
VH_im VV_re VV_im (4 complex bands HH, HV, VH, VV split in two, or 8 real bands); sar_l2 amplitude.
A scene is assumed to be in that order. Describe a scene stored otherwise with --file-channels, the names
of its channels in file order (a complex band counts as two channels), and the tool picks and reorders
them: an R, G, B, NIR scene as MS is `--file-channels R G B NIR`; a B, G, R, NIR scene as Opt is
`--file-channels B G R NIR` (NIR dropped); a channel the modality does not use may have any other name.
GF-1/GF-2 PMS multispectral products store B, G, R, NIR and need no option.

A scene is read one row of tiles at a time (TILE rows, full width; the rows shared with the previous
window are kept), never whole.

Resume: each tile is built in memory and written to a temporary file that is renamed only when complete
(GDAL does not report a full disk). A finished scene is marked in <stem>/.done.json with its tiles and
their sizes, and skipped while they are all there at that size; in an unfinished scene an existing tile
is kept only if it holds exactly the pixels it should, else it is written again. The list names only the
tiles of finished scenes. Rerun the same command after an interruption or a write failure (a full disk, a
read-only folder: one line naming DIR). DIR remembers the settings it was tiled with
(.make_pretrain_tiles.json) and refuses others.
"""
import argparse
import glob
import json
import os
import os.path as osp
import sys
import warnings
from typing import Iterator, List, Optional, Sequence, Tuple

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout

import numpy as np  # noqa: E402
import rasterio  # noqa: E402
from rasterio.errors import NotGeoreferencedWarning, RasterioError  # noqa: E402
from rasterio.windows import Window  # noqa: E402
from tqdm import tqdm  # noqa: E402

import mmringmoe  # noqa: E402,F401  (import shims)
from mmringmoe.datasets.transforms.band_order import band_selection, canonical_channels  # noqa: E402
from mmringmoe.datasets.transforms.loading import is_complex_dtype, nodata_band_mask, raster_channels  # noqa
from mmringmoe.models.backbones.arch_zoo import DEFAULT_MODALITIES  # noqa: E402
from mmringmoe.utils.atomic_io import (OutputWriteError, atomic_write_raster, atomic_write_text,  # noqa: E402
                                       output_errors, remove_temporaries)
from mmringmoe.utils.threads import configure_threads  # noqa: E402

SETTINGS_FILE = '.make_pretrain_tiles.json'
DONE_FILE = '.done.json'


class SceneError(Exception):
    """Bad input; the message is one line naming the scene or the setting."""


def tile_offsets(size: int, tile: int, step: int) -> List[int]:
    """Window offsets along one axis: 0, step, 2*step, ... while a whole tile fits."""
    return list(range(0, size - tile + 1, step))


def tile_name(stem: str, row: int, col: int) -> str:
    """Deterministic tile file name from the scene stem and the tile's pixel offsets."""
    return f'{stem}_y{row:06d}_x{col:06d}.tif'


def border_mask(bands: np.ndarray, nodatavals: Sequence[Optional[float]]) -> np.ndarray:
    """``(H, W)`` bool of black border pixels of ``(B, H, W)`` bands: all bands 0, or all equal nodata."""
    black = (bands == 0).all(axis=0)
    nodata = nodata_band_mask(bands, nodatavals)
    return black if nodata is None else black | nodata.all(axis=0)


def open_scene(path: str):
    """``rasterio.open`` without the warning for scenes that have no geotransform."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', NotGeoreferencedWarning)
        return rasterio.open(path)


def check_scene(path: str, modality: str, file_channels: Optional[Sequence[str]] = None) -> List[int]:
    """The 1-based bands of ``path`` that give ``modality``'s canonical channels, in that order.

    Args:
        file_channels: the names of the scene's channels in file order; None: the canonical order.

    Raises:
        SceneError: ``path`` is missing or unreadable, or its channels do not fit ``file_channels``.
    """
    if not osp.isfile(path):
        raise SceneError(f'scene not found: {path}')
    try:
        with open_scene(path) as src:
            dtypes = src.dtypes
    except RasterioError as err:
        raise SceneError(f'cannot read scene {path}: {err}') from None
    if len(set(dtypes)) > 1:
        raise SceneError(f'{path}: bands of different dtypes {dtypes}')
    order = canonical_channels(modality)
    described = tuple(order if file_channels is None else file_channels)
    channels = raster_channels(dtypes)
    if channels != len(described):
        if file_channels is None:
            raise SceneError(f'{path}: {len(dtypes)} {dtypes[0]} band(s) = {channels} channel(s), but '
                             f'modality {modality!r} needs {len(order)}: {" ".join(order)} (see '
                             f'--file-channels)')
        raise SceneError(f'{path}: {len(dtypes)} {dtypes[0]} band(s) = {channels} channel(s), but '
                         f'--file-channels names {len(described)}')
    try:
        return band_selection(described, order, is_complex_dtype(dtypes[0]))
    except ValueError as err:
        raise SceneError(f'{path}: {err}') from None


def band_descriptions(modality: str, complex_bands: bool) -> List[str]:
    """Names of a tile's bands: the canonical channels, a complex band named by its polarisation."""
    order = canonical_channels(modality)
    return [c[:-len('_re')] for c in order[0::2]] if complex_bands else list(order)


def iter_tile_rows(src, tile: int, step: int, bands: Sequence[int]) -> Iterator[Tuple[int, np.ndarray]]:
    """Yield ``(row offset, bands (B, tile, W))`` of the 1-based ``bands``, in that order, for each row of
    tiles, reading at most ``tile`` rows at a time; rows shared with the previous window (``tile > step``)
    are kept, not read again."""
    buffer, start = None, 0
    for row in tile_offsets(src.height, tile, step):
        end = start + buffer.shape[1] if buffer is not None else row
        if buffer is not None and row < end:
            fresh = src.read(list(bands), window=Window(0, end, src.width, row + tile - end))
            buffer = np.concatenate([buffer[:, row - start:], fresh], axis=1)
        else:
            buffer = src.read(list(bands), window=Window(0, row, src.width, tile))
        start = row
        yield row, buffer


def write_tile(path: str,
               data: np.ndarray,
               src,
               window: Window,
               compress: Optional[str],
               descriptions: Sequence[str] = ()) -> None:
    """Write one georeferenced tile atomically (built in memory, then a temporary file renamed), its bands
    named by ``descriptions``.

    Raises:
        OutputWriteError: the tile could not be written (nothing is left under ``path``).
    """
    profile = dict(
        driver='GTiff',
        width=data.shape[2],
        height=data.shape[1],
        count=data.shape[0],
        dtype=src.dtypes[0],
        crs=src.crs,
        transform=src.window_transform(window),
        nodata=src.nodata)
    if compress:
        profile['compress'] = compress

    def fill(dst) -> None:
        dst.write(data)
        for i, description in enumerate(descriptions, 1):
            dst.set_band_description(i, description)

    with warnings.catch_warnings():
        warnings.simplefilter('ignore', NotGeoreferencedWarning)
        atomic_write_raster(path, profile, fill)


def tile_matches(path: str, data: np.ndarray) -> bool:
    """Whether the existing tile ``path`` opens and holds exactly ``data`` (not a file that a killed run or
    an older version of this tool left empty or truncated)."""
    try:
        with open_scene(path) as tile:
            return np.array_equal(tile.read(), data, equal_nan=data.dtype.kind in 'fc')
    except (RasterioError, ValueError):
        return False


def write_json(path: str, obj: dict) -> None:
    """Write ``obj`` as JSON atomically; raises :class:`OutputWriteError`."""
    with output_errors(osp.dirname(osp.abspath(path))):
        atomic_write_text(path, json.dumps(obj, indent=1))


def read_json(path: str) -> Optional[dict]:
    """The JSON object in ``path``, or None when there is no such file."""
    if not osp.isfile(path):
        return None
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def scene_stem(path: str) -> str:
    """The scene's file name without extension: its tile folder and tile name prefix."""
    return osp.splitext(osp.basename(path))[0]


def finished_tiles(scene_dir: str, done: Optional[dict]) -> Optional[List[str]]:
    """The tiles of a scene marked finished whose files are all there at their recorded size, else None."""
    if done is None or not done.get('complete') or len(done.get('bytes', ())) != len(done['tiles']):
        return None
    for name, size in zip(done['tiles'], done['bytes']):
        path = osp.join(scene_dir, name)
        if not osp.isfile(path) or osp.getsize(path) != size:
            return None
    return list(done['tiles'])


def num_candidates(path: str, tile: int, step: int) -> int:
    """How many windows ``path`` has before the border rule."""
    with open_scene(path) as src:
        return len(tile_offsets(src.width, tile, step)) * len(tile_offsets(src.height, tile, step))


def tile_scene(path: str,
               out_dir: str,
               tile: int = 192,
               step: int = 64,
               max_border: float = 0.3,
               compress: Optional[str] = None,
               progress: Optional[tqdm] = None,
               *,
               modality: str,
               file_channels: Optional[Sequence[str]] = None) -> List[str]:
    """Tile one scene into ``out_dir/<stem>/``; returns the names of its tiles (existing ones kept).

    The tiles hold ``modality``'s canonical channels, picked from the scene's ``file_channels``
    (see :func:`check_scene`).

    A finished scene (``.done.json`` listing tiles that all exist at their recorded size) is skipped
    without reading it; otherwise an existing tile is kept only if :func:`tile_matches`.
    """
    stem = scene_stem(path)
    scene_dir = osp.join(out_dir, stem)
    done_path = osp.join(scene_dir, DONE_FILE)
    done = read_json(done_path)
    if done is not None and done['scene'] != osp.abspath(path):
        raise SceneError(f'{scene_dir} holds the tiles of another scene with the same name ({done["scene"]})')
    finished = finished_tiles(scene_dir, done)
    if finished is not None:
        if progress is not None:
            progress.update(num_candidates(path, tile, step))
        return finished

    with output_errors(scene_dir):
        os.makedirs(scene_dir, exist_ok=True)
        remove_temporaries(scene_dir)
    write_json(done_path, dict(scene=osp.abspath(path), complete=False))
    names = []
    bands = check_scene(path, modality, file_channels)
    with open_scene(path) as src:
        descriptions = band_descriptions(modality, is_complex_dtype(src.dtypes[0]))
        nodatavals = [src.nodatavals[b - 1] for b in bands]
        cols = tile_offsets(src.width, tile, step)
        for row, rows in iter_tile_rows(src, tile, step, bands):
            border = border_mask(rows, nodatavals)
            # Border pixels per tile from running sums over columns: O(W) per row of tiles.
            col_sums = np.concatenate([[0], np.cumsum(border.sum(axis=0))])
            for col in cols:
                fraction = (col_sums[col + tile] - col_sums[col]) / float(tile * tile)
                if fraction > max_border:
                    continue
                name = tile_name(stem, row, col)
                target = osp.join(scene_dir, name)
                data = rows[:, :, col:col + tile]
                if not (osp.isfile(target) and tile_matches(target, data)):
                    write_tile(target, data, src, Window(col, row, tile, tile), compress, descriptions)
                names.append(name)
            if progress is not None:
                progress.update(len(cols))
    sizes = [osp.getsize(osp.join(scene_dir, n)) for n in names]
    write_json(done_path, dict(scene=osp.abspath(path), complete=True, tiles=names, bytes=sizes))
    return names


def write_list(out_dir: str, modality: str) -> str:
    """Rebuild ``out_dir/<modality>.txt`` from the finished scenes in ``out_dir`` (their ``.done.json``:
    sorted, ``/``-separated paths relative to ``out_dir``); tiles of unfinished scenes are not listed."""
    tiles = []
    for done_path in glob.glob(osp.join(glob.escape(out_dir), '*', DONE_FILE)):
        scene_dir = osp.dirname(done_path)
        names = finished_tiles(scene_dir, read_json(done_path))
        tiles += [f'{osp.basename(scene_dir)}/{name}' for name in names or ()]
    list_path = osp.join(out_dir, f'{modality}.txt')
    with output_errors(out_dir):
        atomic_write_text(list_path, ''.join(t + '\n' for t in sorted(tiles)))
    return list_path


def tile_scenes(scenes: Sequence[str],
                modality: str,
                out_dir: str,
                tile: int = 192,
                step: int = 64,
                max_border: float = 0.3,
                compress: Optional[str] = None,
                show_progress: bool = True,
                file_channels: Optional[Sequence[str]] = None) -> str:
    """Check every scene, tile them all into ``out_dir`` and write the list file; returns its path.

    ``file_channels`` names the scenes' channels in file order (None: ``modality``'s canonical order);
    the tiles get the canonical order (see :func:`check_scene`).

    Raises:
        SceneError: a missing or unreadable scene, channels that do not fit ``modality`` or
            ``file_channels``, two scenes with the same file stem, or ``out_dir`` tiled before with other
            settings.
        OutputWriteError: a write into ``out_dir`` failed (disk full, read-only); what was written is
            complete, and a rerun continues from it.
    """
    if modality not in DEFAULT_MODALITIES:
        raise SceneError(f'unknown modality {modality!r} (choose from {sorted(DEFAULT_MODALITIES)})')
    if tile <= 0 or step <= 0 or not 0.0 <= max_border <= 1.0:
        raise SceneError(f'need tile > 0, step > 0 and 0 <= max_border <= 1, got tile={tile}, step={step}, '
                         f'max_border={max_border}')
    stems = [scene_stem(s) for s in scenes]
    duplicates = sorted({s for s in stems if stems.count(s) > 1})
    if duplicates:
        raise SceneError(f'several scenes share the file name(s) {duplicates}; tiles are named by it')
    if file_channels is not None and tuple(file_channels) == canonical_channels(modality):
        file_channels = None  # the default, stated
    for scene in scenes:
        check_scene(scene, modality, file_channels)

    with output_errors(out_dir):
        os.makedirs(out_dir, exist_ok=True)
    settings = dict(modality=modality, tile=tile, step=step, max_border=max_border)
    if file_channels is not None:
        settings['file_channels'] = list(file_channels)
    previous = read_json(osp.join(out_dir, SETTINGS_FILE))
    if previous is not None and previous != settings:
        raise SceneError(f'{out_dir} was tiled with {previous}, not {settings}; use another --out')
    write_json(osp.join(out_dir, SETTINGS_FILE), settings)

    total = sum(num_candidates(s, tile, step) for s in scenes)
    with tqdm(total=total, unit='tile', desc=f'{modality} tiles', disable=not show_progress) as progress:
        for scene in scenes:
            tile_scene(scene, out_dir, tile, step, max_border, compress, progress, modality=modality,
                       file_channels=file_channels)
    return write_list(out_dir, modality)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('scenes', nargs='+', metavar='SCENE', help='GeoTIFF scenes (any GDAL raster)')
    parser.add_argument('--modality', required=True, choices=sorted(DEFAULT_MODALITIES))
    parser.add_argument('--out', required=True, metavar='DIR', help='output folder (tiles and list file)')
    parser.add_argument('--tile', type=int, default=192, help='tile size in pixels (default: 192)')
    parser.add_argument('--step', type=int, default=64, help='sliding-window step in pixels (default: 64)')
    parser.add_argument('--max-border', type=float, default=0.3,
                        help='drop tiles with a larger black-border fraction (default: 0.3)')
    parser.add_argument('--compress', choices=['deflate', 'lzw', 'zstd'], default=None,
                        help='lossless GeoTIFF compression of the tiles (default: none)')
    parser.add_argument('--file-channels', nargs='+', metavar='NAME', default=None,
                        help='names of the scenes\' channels in file order, when it is not the modality\'s '
                        'canonical order (see above), e.g. R G B NIR')
    args = parser.parse_args(argv)
    if args.tile <= 0 or args.step <= 0:
        parser.error('--tile and --step must be positive')
    if not 0.0 <= args.max_border <= 1.0:
        parser.error('--max-border must lie in [0, 1]')
    return args


def main(argv=None) -> int:
    configure_threads()
    args = parse_args(argv)
    try:
        list_path = tile_scenes(args.scenes, args.modality, args.out, args.tile, args.step, args.max_border,
                                args.compress, file_channels=args.file_channels)
    except SceneError as err:
        sys.exit(f'make_pretrain_tiles: {err}')
    except OutputWriteError as err:
        sys.exit(f'make_pretrain_tiles: cannot write to {args.out}: {err.strerror}; every tile written so '
                 f'far is complete: rerun the same command to resume')
    except KeyboardInterrupt:
        sys.exit('make_pretrain_tiles: interrupted; rerun the same command to resume')
    with open(list_path, encoding='utf-8') as f:
        count = sum(1 for _ in f)
    print(f'{count} tiles listed in {list_path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
