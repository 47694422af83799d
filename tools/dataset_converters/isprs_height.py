"""Cut ISPRS Vaihingen or Potsdam orthophotos and their heights into crops for height estimation (paper App.
B.5.7: 512 x 512 inputs; Vaihingen 16 training / 17 test tiles, Potsdam 24 / 14).

    python tools/dataset_converters/isprs_height.py vaihingen /data/Vaihingen -o data/vaihingen_height
    python tools/dataset_converters/isprs_height.py potsdam /data/Potsdam -o data/potsdam_height
    ... --label dsm                     # the absolute DSM instead of the normalised DSM (height above ground)
    ... --height-scale 0.1              # label unit per stored value of an integer height file

Reads the extracted release folders (unzip the archives first)::

    Vaihingen: top/top_mosaic_09cm_area<N>.tif              near-infrared, red, green (8-bit, no CRS)
               dsm/dsm_09cm_matching_area<N>.tif            DSM, float32 metres      (--label dsm)
               ndsm/ndsm_09cm_matching_area<N>.bmp          normalised DSM, 8-bit   (--label ndsm, default)
    Potsdam:   2_Ortho_RGB/top_potsdam_<a>_<b>_RGB.tif                              red, green, blue
               1_DSM/dsm_potsdam_<0a>_<bb>.tif                                       (--label dsm)
               1_DSM_normalisation/dsm_potsdam_<0a>_<bb>_normalized_lastools.jpg     (--label ndsm)

Potsdam's height files zero-pad the tile numbers (image tile ``2_10`` -> ``dsm_potsdam_02_10``). Writes::

    OUT/img_dir/{train,val}/<tile>_<row>_<col>.tif      the image crop, its bands and georeferencing kept
    OUT/height_dir/{train,val}/<tile>_<row>_<col>.tif   float32 heights: stored value x --height-scale, NaN
                                                        where the source has nodata or NaN

Crops are ``--crop`` px squares every ``--stride`` px; the last row and column are moved back to end at the
tile's edge, so every pixel is covered and every crop is whole. An image and a height file that differ by
one pixel in a dimension (a Potsdam tile is 5999 px wide in one of its files) are cut to their common
extent, and the tool says so; a larger difference, an image without its height file, or a release folder
without any image stops it with one line naming the files or where it looked. Each file is written whole
or not at all (mmringmoe.utils.atomic_io).
"""
import argparse
import os
import os.path as osp
import re
import sys
import warnings
from typing import Dict, List, Tuple

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout

import numpy as np  # noqa: E402
import rasterio  # noqa: E402
from affine import Affine  # noqa: E402
from rasterio.errors import NotGeoreferencedWarning, RasterioError  # noqa: E402
from tqdm import tqdm  # noqa: E402

from mmringmoe.utils.atomic_io import (OutputWriteError, atomic_write_raster,  # noqa: E402
                                       prepare_output_folder)

# The official splits, as mmseg's ISPRS converters list them (paper: "following the original settings")
SPLITS = {
    'vaihingen': {
        'train': [
            'area1', 'area3', 'area5', 'area7', 'area11', 'area13', 'area15', 'area17', 'area21', 'area23',
            'area26', 'area28', 'area30', 'area32', 'area34', 'area37'
        ],
        'val': [
            'area2', 'area4', 'area6', 'area8', 'area10', 'area12', 'area14', 'area16', 'area20', 'area22',
            'area24', 'area27', 'area29', 'area31', 'area33', 'area35', 'area38'
        ],
    },
    'potsdam': {
        'train': [
            '2_10', '2_11', '2_12', '3_10', '3_11', '3_12', '4_10', '4_11', '4_12', '5_10', '5_11', '5_12',
            '6_7', '6_8', '6_9', '6_10', '6_11', '6_12', '7_7', '7_8', '7_9', '7_10', '7_11', '7_12'
        ],
        'val': [
            '2_13', '2_14', '3_13', '3_14', '4_13', '4_14', '4_15', '5_13', '5_14', '5_15', '6_13', '6_14',
            '6_15', '7_13'
        ],
    },
}
IMAGES = {
    'vaihingen': ('top', re.compile(r'^top_mosaic_09cm_(area\d+)\.tif$')),
    'potsdam': ('2_Ortho_RGB', re.compile(r'^top_potsdam_(\d+_\d+)_RGB\.tif$')),
}
SIZE_TOLERANCE = 1  # pixels an image and its height file may differ by (cut to the common extent)


class ConversionError(Exception):
    """A problem with the input release, reported as one line."""


def height_file(dataset: str, tile: str, label: str) -> str:
    """The release path (relative to its folder) of the height file of ``tile`` (``area1``, ``2_10``)."""
    if dataset == 'vaihingen':
        return (f'dsm/dsm_09cm_matching_{tile}.tif' if label == 'dsm' else
                f'ndsm/ndsm_09cm_matching_{tile}.bmp')
    a, b = (int(part) for part in tile.split('_'))
    return (f'1_DSM/dsm_potsdam_{a:02d}_{b:02d}.tif' if label == 'dsm' else
            f'1_DSM_normalisation/dsm_potsdam_{a:02d}_{b:02d}_normalized_lastools.jpg')


def split_of(dataset: str, tile: str) -> str:
    """``'train'`` or ``'val'``; ConversionError for a tile outside the official splits."""
    for split, tiles in SPLITS[dataset].items():
        if tile in tiles:
            return split
    raise ConversionError(f'{dataset} tile {tile} is in neither official split')


def release_tiles(dataset: str, root: str) -> List[Tuple[str, str]]:
    """``(tile, image path)`` of every orthophoto in the release folder ``root``, sorted."""
    folder, pattern = IMAGES[dataset]
    where = osp.join(root, folder)
    names = sorted(os.listdir(where)) if osp.isdir(where) else []
    tiles = [(m.group(1), osp.join(where, name)) for name in names for m in [pattern.match(name)] if m]
    if not tiles:
        raise ConversionError(f'no {dataset} orthophotos ({pattern.pattern}) found in {where}: see '
                              f'docs/datasets.md')
    return tiles


def windows(size: int, crop: int, stride: int) -> List[int]:
    """Start offsets of ``crop``-long windows every ``stride`` over ``size``, the last ending at ``size``."""
    starts = list(range(0, size - crop + 1, stride))
    if starts[-1] + crop < size:
        starts.append(size - crop)
    return starts


def read_heights(path: str, scale: float) -> Tuple[np.ndarray, int]:
    """Band 1 of ``path`` times ``scale`` as float32, NaN where the file has nodata, NaN or Inf; and the
    number of such pixels."""
    with rasterio.open(path) as src:
        values = src.read(1)
        nodata = src.nodata
    floating = np.issubdtype(values.dtype, np.floating)
    missing = ~np.isfinite(values) if floating else np.zeros(values.shape, bool)
    if nodata is not None and not np.isnan(nodata):
        missing |= values == nodata
    heights = values.astype(np.float32) * np.float32(scale)
    heights[missing] = np.nan
    return heights, int(missing.sum())


def convert_tile(dataset: str, root: str, tile: str, image_path: str, args: argparse.Namespace) -> Dict:
    """Write the crops of one tile; returns ``dict(crops, missing, note)``."""
    height_path = osp.join(root, height_file(dataset, tile, args.label))
    if not osp.isfile(height_path):
        raise ConversionError(f'{image_path} has no height file: {height_path} not found')
    with rasterio.open(image_path) as src:
        image, profile, transform = src.read(), src.profile, src.transform
        georeferenced = src.crs is not None or not src.transform.is_identity
    heights, missing = read_heights(height_path, args.height_scale)
    note = ''
    (ih, iw), (hh, hw) = image.shape[1:], heights.shape
    if (ih, iw) != (hh, hw):
        if abs(ih - hh) > SIZE_TOLERANCE or abs(iw - hw) > SIZE_TOLERANCE:
            raise ConversionError(f'{height_path} is {hw} x {hh} px, its image {image_path} {iw} x {ih} px')
        note = f'{tile}: image {iw} x {ih}, heights {hw} x {hh} px: cut to {min(iw, hw)} x {min(ih, hh)}'
        ih, iw = min(ih, hh), min(iw, hw)
        image, heights = image[:, :ih, :iw], heights[:ih, :iw]
    if ih < args.crop or iw < args.crop:
        raise ConversionError(f'{image_path} ({iw} x {ih} px) is smaller than one {args.crop} px crop')
    split = split_of(dataset, tile)
    crops = 0
    for row in windows(ih, args.crop, args.stride):
        for col in windows(iw, args.crop, args.stride):
            name = f'{tile}_{row}_{col}.tif'
            crop_profile = dict(driver='GTiff', width=args.crop, height=args.crop, crs=profile.get('crs'),
                                transform=transform @ Affine.translation(col, row) if georeferenced else None)
            image_crop = image[:, row:row + args.crop, col:col + args.crop]
            atomic_write_raster(osp.join(args.out_dir, 'img_dir', split, name),
                                dict(crop_profile, count=image.shape[0], dtype=image.dtype.name),
                                lambda dst, data=image_crop: dst.write(data))
            height_crop = heights[row:row + args.crop, col:col + args.crop]
            atomic_write_raster(osp.join(args.out_dir, 'height_dir', split, name),
                                dict(crop_profile, count=1, dtype='float32', nodata=float('nan')),
                                lambda dst, data=height_crop: dst.write(data, 1))
            crops += 1
    return dict(crops=crops, missing=missing, note=note, split=split)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('dataset', choices=sorted(SPLITS), help='which ISPRS release')
    parser.add_argument('release', help='the extracted release folder (holding top/ or 2_Ortho_RGB/ ...)')
    parser.add_argument('-o', '--out-dir', help='output folder (default: data/<dataset>_height)')
    parser.add_argument('--label', choices=('ndsm', 'dsm'), default='ndsm',
                        help='height above ground (normalised DSM, default) or the absolute DSM')
    parser.add_argument('--height-scale', type=float, default=1.0,
                        help='label unit per stored height value (default 1.0: the values as stored)')
    parser.add_argument('--crop', type=int, default=512, help='crop size in pixels (default: 512)')
    parser.add_argument('--stride', type=int, default=512, help='crop stride in pixels (default: 512)')
    args = parser.parse_args(argv)
    if args.crop < 1 or args.stride < 1:
        parser.error('--crop and --stride must be positive')
    if not args.height_scale > 0:
        parser.error('--height-scale must be positive')
    args.out_dir = args.out_dir or osp.join('data', f'{args.dataset}_height')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        if not osp.isdir(args.release):
            raise ConversionError(f'release folder not found: {args.release}')
        tiles = release_tiles(args.dataset, args.release)
        for kind in ('img_dir', 'height_dir'):
            for split in ('train', 'val'):
                prepare_output_folder(osp.join(args.out_dir, kind, split))
        results = []
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', NotGeoreferencedWarning)  # Vaihingen's tiles have no CRS
            for tile, image_path in tqdm(tiles, desc=f'{args.dataset} tiles', unit='tile'):
                try:
                    results.append(convert_tile(args.dataset, args.release, tile, image_path, args))
                except RasterioError as err:
                    raise ConversionError(f'{image_path} or its height file cannot be read ({err})') from None
    except (ConversionError, OutputWriteError) as err:
        sys.exit(f'isprs_height: {err}')
    for result in results:
        if result['note']:
            print(result['note'])
    per_split = {s: sum(r['split'] == s for r in results) for s in ('train', 'val')}
    print(f'{sum(r["crops"] for r in results)} crops of {len(results)} tiles ({per_split["train"]} train, '
          f'{per_split["val"]} val; {args.label}) in {args.out_dir}; '
          f'{sum(r["missing"] for r in results)} height pixels without a value (nodata/NaN) stored as NaN')
    return 0


if __name__ == '__main__':
    sys.exit(main())
