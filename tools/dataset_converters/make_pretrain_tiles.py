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
                                          scene's dtype (complex too), band count, CRS, nodata and band
                                          descriptions, with the geotransform of their window
  <modality>.txt                          the list file: one tile path per line, relative to DIR

A scene is read one row of tiles at a time (TILE rows, full width; the rows shared with the previous
window are kept), never whole. The scene's band count must match the modality (opt 3, ms 4, sar_l1 8 real
channels = 4 complex or 8 real bands, sar_l2 1).

Resume: each tile is written to a temporary file and renamed, so an existing tile is complete and is not
rewritten; a finished scene is marked in <stem>/.done.json and skipped; the list is rebuilt from the tiles
on disk. Rerun the same command after an interruption. DIR remembers the settings it was tiled with
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
from mmringmoe.datasets.transforms.loading import nodata_band_mask, raster_channels  # noqa: E402
from mmringmoe.models.backbones.arch_zoo import DEFAULT_MODALITIES  # noqa: E402
from mmringmoe.utils.atomic_io import atomic_write_text  # noqa: E402

SETTINGS_FILE = '.make_pretrain_tiles.json'
DONE_FILE = '.done.json'
PART_SUFFIX = '.part'


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


def check_scene(path: str, modality: str) -> None:
    """Raise :class:`SceneError` when ``path`` is missing, unreadable or has the wrong band count."""
    if not osp.isfile(path):
        raise SceneError(f'scene not found: {path}')
    try:
        with open_scene(path) as src:
            dtypes = src.dtypes
    except RasterioError as err:
        raise SceneError(f'cannot read scene {path}: {err}') from None
    if len(set(dtypes)) > 1:
        raise SceneError(f'{path}: bands of different dtypes {dtypes}')
    channels, expected = raster_channels(dtypes), DEFAULT_MODALITIES[modality]
    if channels != expected:
        raise SceneError(f'{path}: {len(dtypes)} {dtypes[0]} band(s) = {channels} channel(s), but modality '
                         f'{modality!r} needs {expected}')


def iter_tile_rows(src, tile: int, step: int) -> Iterator[Tuple[int, np.ndarray]]:
    """Yield ``(row offset, bands (B, tile, W))`` for each row of tiles, reading at most ``tile`` rows at
    a time; rows shared with the previous window (``tile > step``) are kept, not read again."""
    buffer, start = None, 0
    for row in tile_offsets(src.height, tile, step):
        end = start + buffer.shape[1] if buffer is not None else row
        if buffer is not None and row < end:
            fresh = src.read(window=Window(0, end, src.width, row + tile - end))
            buffer = np.concatenate([buffer[:, row - start:], fresh], axis=1)
        else:
            buffer = src.read(window=Window(0, row, src.width, tile))
        start = row
        yield row, buffer


def write_tile(path: str, data: np.ndarray, src, window: Window, compress: Optional[str]) -> None:
    """Write one georeferenced tile atomically: to ``path + '.part'``, then renamed."""
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
    tmp = path + PART_SUFFIX
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', NotGeoreferencedWarning)
        with rasterio.open(tmp, 'w', **profile) as dst:
            dst.write(data)
            for i, description in enumerate(src.descriptions, 1):
                if description:
                    dst.set_band_description(i, description)
    os.replace(tmp, path)


def write_json(path: str, obj: dict) -> None:
    """Write ``obj`` as JSON atomically."""
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
               progress: Optional[tqdm] = None) -> List[str]:
    """Tile one scene into ``out_dir/<stem>/``; returns the names of its tiles (existing ones kept).

    A finished scene (``.done.json`` listing tiles that all exist) is skipped without reading it.
    """
    stem = scene_stem(path)
    scene_dir = osp.join(out_dir, stem)
    done_path = osp.join(scene_dir, DONE_FILE)
    done = read_json(done_path)
    if done is not None and done['scene'] != osp.abspath(path):
        raise SceneError(f'{scene_dir} holds the tiles of another scene with the same name ({done["scene"]})')
    finished = done is not None and done['complete']
    if finished and all(osp.isfile(osp.join(scene_dir, n)) for n in done['tiles']):
        if progress is not None:
            progress.update(num_candidates(path, tile, step))
        return list(done['tiles'])

    os.makedirs(scene_dir, exist_ok=True)
    for stale in glob.glob(osp.join(glob.escape(scene_dir), '*' + PART_SUFFIX)):
        os.remove(stale)
    write_json(done_path, dict(scene=osp.abspath(path), complete=False))
    names = []
    with open_scene(path) as src:
        cols = tile_offsets(src.width, tile, step)
        for row, rows in iter_tile_rows(src, tile, step):
            border = border_mask(rows, src.nodatavals)
            # Border pixels per tile from running sums over columns: O(W) per row of tiles.
            col_sums = np.concatenate([[0], np.cumsum(border.sum(axis=0))])
            for col in cols:
                fraction = (col_sums[col + tile] - col_sums[col]) / float(tile * tile)
                if fraction > max_border:
                    continue
                name = tile_name(stem, row, col)
                target = osp.join(scene_dir, name)
                if not osp.isfile(target):
                    window = Window(col, row, tile, tile)
                    write_tile(target, rows[:, :, col:col + tile], src, window, compress)
                names.append(name)
            if progress is not None:
                progress.update(len(cols))
    write_json(done_path, dict(scene=osp.abspath(path), complete=True, tiles=names))
    return names


def write_list(out_dir: str, modality: str) -> str:
    """Rebuild ``out_dir/<modality>.txt`` from the tiles on disk (sorted, ``/``-separated, relative)."""
    tiles = sorted(
        osp.relpath(p, out_dir).replace(os.sep, '/')
        for p in glob.glob(osp.join(glob.escape(out_dir), '*', '*.tif')))
    list_path = osp.join(out_dir, f'{modality}.txt')
    atomic_write_text(list_path, ''.join(t + '\n' for t in tiles))
    return list_path


def tile_scenes(scenes: Sequence[str],
                modality: str,
                out_dir: str,
                tile: int = 192,
                step: int = 64,
                max_border: float = 0.3,
                compress: Optional[str] = None,
                show_progress: bool = True) -> str:
    """Check every scene, tile them all into ``out_dir`` and write the list file; returns its path.

    Raises:
        SceneError: a missing or unreadable scene, a band count that does not fit ``modality``, two
            scenes with the same file stem, or ``out_dir`` tiled before with other settings.
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
    for scene in scenes:
        check_scene(scene, modality)

    os.makedirs(out_dir, exist_ok=True)
    settings = dict(modality=modality, tile=tile, step=step, max_border=max_border)
    previous = read_json(osp.join(out_dir, SETTINGS_FILE))
    if previous is not None and previous != settings:
        raise SceneError(f'{out_dir} was tiled with {previous}, not {settings}; use another --out')
    write_json(osp.join(out_dir, SETTINGS_FILE), settings)

    total = sum(num_candidates(s, tile, step) for s in scenes)
    with tqdm(total=total, unit='tile', desc=f'{modality} tiles', disable=not show_progress) as progress:
        for scene in scenes:
            tile_scene(scene, out_dir, tile, step, max_border, compress, progress)
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
    args = parser.parse_args(argv)
    if args.tile <= 0 or args.step <= 0:
        parser.error('--tile and --step must be positive')
    if not 0.0 <= args.max_border <= 1.0:
        parser.error('--max-border must lie in [0, 1]')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        list_path = tile_scenes(args.scenes, args.modality, args.out, args.tile, args.step, args.max_border,
                                args.compress)
    except SceneError as err:
        sys.exit(f'make_pretrain_tiles: {err}')
    except KeyboardInterrupt:
        sys.exit('make_pretrain_tiles: interrupted; rerun the same command to resume')
    with open(list_path, encoding='utf-8') as f:
        count = sum(1 for _ in f)
    print(f'{count} tiles listed in {list_path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
