"""Check an AIR-PolSAR-Seg release and write the paper's 7:3 train/test split lists (App. B.5.2).

    python tools/dataset_converters/air_polsar_seg.py data/AIR-PolSAR-Seg

The tiles stay where they are. Every tile ``<id>`` found under DATA (recursively, by its ``<id>_HH.tiff``)
must have its four polarisations ``<id>_{HH,HV,VH,VV}.tiff`` and its colour label ``<id>_gt.png`` side by
side (the layout ``mmringmoe.AIRPolSARSegDataset`` assumes; see its docstring). The tiles are shuffled
with ``--seed`` and ``DATA/train.txt`` / ``DATA/test.txt`` list their ids relative to DATA (written to a
temporary name and renamed). No tile under DATA, or a tile with a missing file, stops the tool with a
message saying what it looked for and where; so does a failed write (full disk, read-only folder).
"""
import argparse
import glob
import os.path as osp
import random
import sys
from typing import List

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout

from mmringmoe.utils.atomic_io import OutputWriteError, atomic_write_text, output_errors  # noqa: E402

POLARISATIONS = ('HH', 'HV', 'VH', 'VV')
LABEL_SUFFIX = '_gt.png'


def find_tiles(data: str) -> List[str]:
    """Tile ids (relative to ``data``, without suffix) with all their files; raises on a missing one."""
    tiles = []
    for hh in sorted(glob.glob(osp.join(data, '**', '*_HH.tiff'), recursive=True)):
        stem = hh[:-len('_HH.tiff')]
        for path in [f'{stem}_{pol}.tiff' for pol in POLARISATIONS] + [stem + LABEL_SUFFIX]:
            if not osp.isfile(path):
                raise FileNotFoundError(f'{path} not found (tile {osp.relpath(stem, data)})')
        tiles.append(osp.relpath(stem, data))
    return tiles


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('data', help='folder of the AIR-PolSAR-Seg release')
    parser.add_argument(
        '--train-ratio', type=float, default=0.7, help='share of training tiles (default: 0.7)')
    parser.add_argument('--seed', type=int, default=0, help='seed of the split (default: 0)')
    args = parser.parse_args(argv)
    if not osp.isdir(args.data):
        parser.error(f'folder not found: {args.data}')
    if not 0.0 < args.train_ratio < 1.0:
        parser.error('--train-ratio must lie in (0, 1)')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        tiles = find_tiles(args.data)
    except FileNotFoundError as err:
        sys.exit(f'air_polsar_seg: {err}')
    if not tiles:
        sys.exit(f'air_polsar_seg: no *_HH.tiff under {args.data}; see docs/datasets.md')
    random.Random(args.seed).shuffle(tiles)
    n_train = round(len(tiles) * args.train_ratio)
    try:
        with output_errors(args.data):
            for name, split in (('train.txt', tiles[:n_train]), ('test.txt', tiles[n_train:])):
                atomic_write_text(osp.join(args.data, name), ''.join(f'{i}\n' for i in sorted(split)))
    except OutputWriteError as err:
        sys.exit(f'air_polsar_seg: {err}')
    print(f'{len(tiles)} tiles: {n_train} in train.txt, {len(tiles) - n_train} in test.txt')
    return 0


if __name__ == '__main__':
    sys.exit(main())
