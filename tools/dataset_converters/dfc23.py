"""Rasterise DFC23 track 1's roof polygons into segmentation masks; split the tiles 7:2:1 (App. B.5.3).

    python tools/dataset_converters/dfc23.py data/DFC23

Reads the release (github.com/AICyberTeam/DFC2023-baseline, track 1)::

    DATA/train/rgb/P0001_RGB.tif   DATA/train/sar/P0001_SAR.tif     # 512 x 512 tiles
    DATA/annotations/roof_fine_train.json                           # COCO instances, 12 roof types

and writes into DATA::

    train/label/P0001.png          # 0 background, 1-12 the roof types of mmringmoe.datasets.dfc23
    splits/{train,val,test}.txt    # tile names, a seeded 7:2:1 split of the annotated tiles

Polygons (and RLE masks) are drawn with pycocotools, larger roofs first so a small roof on a large one
stays visible. A category whose name is not one of the 12 roof types, a tile missing from ``rgb/`` or
``sar/``, or a tile whose size differs from its annotation stops the conversion with a message naming it.
Masks are written to a temporary name and renamed.
"""
import argparse
import os
import os.path as osp
import random
import sys
import warnings
from typing import Dict, List

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout

import numpy as np  # noqa: E402
import rasterio  # noqa: E402
from PIL import Image  # noqa: E402
from pycocotools.coco import COCO  # noqa: E402
from rasterio.errors import NotGeoreferencedWarning  # noqa: E402
from tqdm import tqdm  # noqa: E402

import mmringmoe  # noqa: E402,F401  (import shims)
from mmringmoe.datasets.dfc23 import DFC23_ROOF_TYPES  # noqa: E402
from mmringmoe.utils.atomic_io import atomic_write_text  # noqa: E402

SPLITS = ('train', 'val', 'test')
MODALITY_SUFFIXES = ('_RGB', '_SAR', '_MERGE')


class ConversionError(Exception):
    """Bad input; the message is one line naming the file or category."""


def tile_name(file_name: str) -> str:
    """``P0001`` from a COCO ``file_name``: ``P0001.tif``, ``P0001_RGB.tif``, ``merge/P0001_MERGE.tif``."""
    stem = osp.splitext(osp.basename(file_name))[0]
    for suffix in MODALITY_SUFFIXES:
        if stem.endswith(suffix):
            return stem[:-len(suffix)]
    return stem


def category_classes(coco: COCO, ann_file: str) -> Dict[int, int]:
    """COCO category id -> class index (1-12, background is 0), matched by name."""
    classes = {}
    for cat in coco.loadCats(coco.getCatIds()):
        name = cat['name'].strip().lower().replace(' ', '_')
        if name not in DFC23_ROOF_TYPES:
            raise ConversionError(f'{ann_file}: category {cat["name"]!r} is not a DFC23 roof type '
                                  f'{DFC23_ROOF_TYPES}')
        classes[cat['id']] = DFC23_ROOF_TYPES.index(name) + 1
    return classes


def rasterise(coco: COCO, image_id: int, classes: Dict[int, int]) -> np.ndarray:
    """The class mask of one image: background 0, roofs drawn largest first."""
    info = coco.loadImgs(image_id)[0]
    mask = np.zeros((info['height'], info['width']), dtype=np.uint8)
    anns = sorted(
        coco.loadAnns(coco.getAnnIds(imgIds=image_id)), key=lambda a: a.get('area', 0), reverse=True)
    for ann in anns:
        mask[coco.annToMask(ann) > 0] = classes[ann['category_id']]
    return mask


def split_names(names: List[str], ratios: List[float], seed: int) -> Dict[str, List[str]]:
    """Shuffle ``names`` with ``seed`` and cut them by ``ratios`` (train, val, test)."""
    names = sorted(names)
    random.Random(seed).shuffle(names)
    n_train = round(len(names) * ratios[0] / sum(ratios))
    n_val = round(len(names) * ratios[1] / sum(ratios))
    return dict(
        train=sorted(names[:n_train]),
        val=sorted(names[n_train:n_train + n_val]),
        test=sorted(names[n_train + n_val:]))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('data', help='folder of the DFC23 track 1 release')
    parser.add_argument(
        '--ann',
        default='annotations/roof_fine_train.json',
        help='COCO annotation file, relative to DATA (default: annotations/roof_fine_train.json)')
    parser.add_argument(
        '--split', default='train', help='release folder of the annotated tiles (default: train)')
    parser.add_argument(
        '--ratios',
        type=float,
        nargs=3,
        default=[7, 2, 1],
        metavar=('TRAIN', 'VAL', 'TEST'),
        help='split proportions (default: 7 2 1)')
    parser.add_argument('--seed', type=int, default=0, help='seed of the split (default: 0)')
    args = parser.parse_args(argv)
    args.ann_path = osp.join(args.data, args.ann)
    if not osp.isfile(args.ann_path):
        parser.error(f'annotation file not found: {args.ann_path}')
    for folder in ('rgb', 'sar'):
        if not osp.isdir(osp.join(args.data, args.split, folder)):
            parser.error(f'{args.data} is not the DFC23 release: {args.split}/{folder}/ is missing')
    if min(args.ratios) < 0 or sum(args.ratios) <= 0:
        parser.error('--ratios must be non-negative with a positive sum')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    label_dir = osp.join(args.data, args.split, 'label')
    os.makedirs(label_dir, exist_ok=True)
    os.makedirs(osp.join(args.data, 'splits'), exist_ok=True)
    try:
        coco = COCO(args.ann_path)
        classes = category_classes(coco, args.ann_path)
        names = []
        for image_id in tqdm(sorted(coco.getImgIds()), desc='tiles', unit='tile'):
            info = coco.loadImgs(image_id)[0]
            name = tile_name(info['file_name'])
            for folder, suffix in (('rgb', '_RGB'), ('sar', '_SAR')):
                path = osp.join(args.data, args.split, folder, f'{name}{suffix}.tif')
                if not osp.isfile(path):
                    raise ConversionError(f'{path} not found (tile {info["file_name"]} of {args.ann_path})')
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore', NotGeoreferencedWarning)
                    with rasterio.open(path) as src:
                        if (src.height, src.width) != (info['height'], info['width']):
                            raise ConversionError(f'{path} is {src.height}x{src.width} but its annotation '
                                                  f'says {info["height"]}x{info["width"]}')
            target = osp.join(label_dir, f'{name}.png')
            tmp = f'{target}.part'
            Image.fromarray(rasterise(coco, image_id, classes)).save(tmp, format='PNG')
            os.replace(tmp, target)
            names.append(name)
    except ConversionError as err:
        sys.exit(f'dfc23: {err}')
    splits = split_names(names, args.ratios, args.seed)
    for split, split_list in splits.items():
        atomic_write_text(osp.join(args.data, 'splits', f'{split}.txt'),
                          ''.join(f'{line}\n' for line in split_list))
    print(f'{len(names)} masks in {label_dir}; split ' + ', '.join(f'{k} {len(v)}'
                                                                   for k, v in splits.items()))
    return 0


if __name__ == '__main__':
    sys.exit(main())
