"""Generate scenes with buildings and trees of known heights in ISPRS Vaihingen's release layout, for the
height estimation demo (``tools/demo/run_demo.py --task height``) and tests.

    python tools/dataset_converters/make_demo_height_data.py data/demo/vaihingen_release --train 8 --test 2

Writes, for areas of the official training and test splits (``area1``, ``area3``, ... and ``area2``, ...)::

    OUT/top/top_mosaic_09cm_area<N>.tif         near-infrared, red, green, 8-bit, no CRS (as the release)
    OUT/dsm/dsm_09cm_matching_area<N>.tif       DSM, float32 metres: a sloping ground near 265 m + objects
    OUT/ndsm/ndsm_09cm_matching_area<N>.bmp     normalised DSM, 8-bit, in decimetres (--height-scale 0.1)

Scenes: roads and grass at height 0; flat-roofed buildings of two kinds, low houses (6 m, red-brown roofs)
and tall blocks (15 m, grey roofs); trees as domes up to 8-11 m (bright in near-infrared); each object casts
a shadow to the lower right, as long as it is high. Object heights are exact in the nDSM; the DSM adds the
ground. A building replaces what it is built over, a tree crown shows where it rises above what is there, so
every pixel's colour belongs to the object whose height it has. Seeded: the same arguments write the same
files.
"""
import argparse
import os.path as osp
import sys
import warnings

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout

import numpy as np  # noqa: E402
from rasterio.errors import NotGeoreferencedWarning  # noqa: E402

from mmringmoe.utils.atomic_io import (OutputWriteError, atomic_write_raster,  # noqa: E402
                                       prepare_output_folder)

TRAIN_AREAS = (1, 3, 5, 7, 11, 13, 15, 17, 21, 23, 26, 28, 30, 32, 34, 37)  # the official splits
TEST_AREAS = (2, 4, 6, 8, 10, 12, 14, 16, 20, 22, 24, 27, 29, 31, 33, 35, 38)
GROUND_ELEVATION = 265.0  # metres above sea level, about Vaihingen's
NDSM_SCALE = 0.1  # metres per grey level of the demo nDSM
# (near-infrared, red, green) colours and heights (m)
ROAD, GRASS = (95, 100, 100), (160, 110, 115)
LOW_HOUSE, TALL_BLOCK = ((150, 175, 95), 6.0), ((120, 135, 140), 15.0)
TREE = (225, 70, 90)
SHADOW_PX_PER_M = 0.8


def scene(size: int, rng: np.random.Generator):
    """``(image (3, S, S) uint8 NIR-R-G, ndsm (S, S) float32 metres)`` of one generated scene."""
    yy, xx = np.mgrid[:size, :size]
    image = np.empty((3, size, size), np.float64)
    image[:] = np.array(GRASS, float)[:, None, None]
    road = size // 2 + rng.integers(-size // 6, size // 6)
    roads = (np.abs(yy - road) < size // 16) | (np.abs(xx - (size - road)) < size // 16)
    image[:, roads] = np.array(ROAD, float)[:, None]
    heights = np.zeros((size, size), np.float64)
    colours = np.zeros((3, size, size))
    objects = []
    for _ in range(rng.integers(3, 6)):  # buildings
        colour, height = (LOW_HOUSE, TALL_BLOCK)[rng.integers(2)]
        h, w = rng.integers(size // 8, size // 4, size=2)
        y, x = rng.integers(0, size - h), rng.integers(0, size - w)
        footprint = (yy >= y) & (yy < y + h) & (xx >= x) & (xx < x + w)
        objects.append((footprint, np.full((size, size), height), colour, True))
    for _ in range(rng.integers(4, 9)):  # trees
        radius = rng.integers(size // 24, size // 12)
        cy, cx = rng.integers(radius, size - radius, size=2)
        r2 = ((yy - cy) ** 2 + (xx - cx) ** 2) / float(radius) ** 2
        top = rng.uniform(8.0, 11.0)
        objects.append((r2 < 1, top * np.sqrt(np.clip(1 - r2, 0, 1)), TREE, False))
    shade = np.ones((size, size))
    for footprint, height, colour, solid in objects:
        # a building replaces what it is built over; a crown shows where it rises above what is there
        visible = footprint if solid else footprint & (height >= heights)
        heights[visible] = height[visible]
        colours[:, visible] = np.array(colour, float)[:, None]
        length = int(round(SHADOW_PX_PER_M * height[footprint].max()))
        cast = np.zeros_like(footprint)
        for step in range(1, length + 1):
            cast[step:, step:] |= footprint[:-step, :-step]
        shade[cast] = 0.45
    covered = heights > 0
    image[:, covered] = colours[:, covered]
    image *= np.where(covered, 1.0, shade)[None]
    image += rng.normal(0, 6, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8), heights.astype(np.float32)


def write_area(out: str, area: int, size: int, rng: np.random.Generator) -> None:
    image, ndsm = scene(size, rng)
    slope = np.linspace(0.0, 2.0, size, dtype=np.float32)[None, :]
    dsm = (GROUND_ELEVATION + slope + ndsm).astype(np.float32)
    grey = np.clip(np.round(ndsm / NDSM_SCALE), 0, 255).astype(np.uint8)
    base = dict(width=size, height=size)
    atomic_write_raster(osp.join(out, 'top', f'top_mosaic_09cm_area{area}.tif'),
                        dict(base, driver='GTiff', count=3, dtype='uint8'), lambda dst: dst.write(image))
    atomic_write_raster(osp.join(out, 'dsm', f'dsm_09cm_matching_area{area}.tif'),
                        dict(base, driver='GTiff', count=1, dtype='float32'), lambda dst: dst.write(dsm, 1))
    atomic_write_raster(osp.join(out, 'ndsm', f'ndsm_09cm_matching_area{area}.bmp'),
                        dict(base, driver='BMP', count=1, dtype='uint8'), lambda dst: dst.write(grey, 1))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('out', help='release folder to write (top/, dsm/, ndsm/)')
    parser.add_argument('--train',
                        type=int,
                        default=8,
                        help=f'training areas (1-{len(TRAIN_AREAS)}, default 8)')
    parser.add_argument('--test', type=int, default=2, help=f'test areas (1-{len(TEST_AREAS)}, default 2)')
    parser.add_argument('--size', type=int, default=256, help='tile side in pixels (default 256)')
    parser.add_argument('--seed', type=int, default=0, help='random seed (default 0)')
    args = parser.parse_args(argv)
    if not (1 <= args.train <= len(TRAIN_AREAS) and 1 <= args.test <= len(TEST_AREAS)):
        parser.error(f'--train takes 1-{len(TRAIN_AREAS)} areas, --test 1-{len(TEST_AREAS)}')
    if args.size < 48:
        parser.error('--size must be at least 48 px')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    rng = np.random.default_rng(args.seed)
    areas = TRAIN_AREAS[:args.train] + TEST_AREAS[:args.test]
    try:
        for folder in ('top', 'dsm', 'ndsm'):
            prepare_output_folder(osp.join(args.out, folder))
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', NotGeoreferencedWarning)  # like the release: no CRS
            for area in areas:
                write_area(args.out, area, args.size, rng)
    except OutputWriteError as err:
        sys.exit(f'make_demo_height_data: {err}')
    print(f'{len(areas)} Vaihingen-layout areas ({args.train} train, {args.test} test) of {args.size} px in '
          f'{args.out}; nDSM in decimetres: convert with --height-scale {NDSM_SCALE}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
