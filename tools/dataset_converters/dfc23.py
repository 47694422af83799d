"""Rasterise DFC23 track 1's roof polygons into segmentation masks; split the tiles 7:2:1 (App. B.5.3).

    python tools/dataset_converters/dfc23.py data/DFC23

Reads the release (github.com/AICyberTeam/DFC2023-baseline, track 1; the optical and SAR image of a tile
share its file name, the COCO ``file_name`` of the annotation JSON)::

    DATA/train/rgb/P_0000.tif   DATA/train/sar/P_0000.tif     # 512 x 512 tiles
    DATA/annotations/roof_fine_train.json                     # COCO instances, 12 roof categories

and writes into DATA::

    train/label/P_0000.png         # 0 background, 1-12 the categories of mmringmoe.datasets.dfc23
    splits/{train,val,test}.txt    # tile names, a seeded 7:2:1 split of the annotated tiles

Categories are matched by name: the release's ``flat_roof`` ... ``arched_roof``, ``revolved``, ``other``
(the paper's names, e.g. ``dome`` for ``revolved``, are accepted too). Tiles of an older release named
``rgb/P0001_RGB.tif`` and ``sar/P0001_SAR.tif`` are read with ``--rgb-suffix _RGB --sar-suffix _SAR``.
Polygons (and RLE masks) are drawn with pycocotools, larger roofs first so a small roof on a large one
stays visible. An annotation file that lists no tile, a category that is not a DFC23 roof type, a tile
missing from ``rgb/`` or ``sar/``, or a tile whose size differs from its annotation stops the conversion
with a message naming it. Each mask appears under its name only once completely written; a failed write
(full disk, read-only folder) stops the tool with a line naming the folder.
"""
import argparse
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
from rasterio.errors import NotGeoreferencedWarning, RasterioError  # noqa: E402
from tqdm import tqdm  # noqa: E402

import mmringmoe  # noqa: E402,F401  (import shims)
from mmringmoe.datasets.dfc23 import DFC23_CATEGORIES, DFC23_PAPER_NAMES  # noqa: E402
from mmringmoe.utils.atomic_io import (OutputWriteError, atomic_write_image, atomic_write_text,  # noqa: E402
                                       output_errors, prepare_output_folder, remove_temporaries)

SPLITS = ('train', 'val', 'test')
MODALITY_SUFFIXES = ('_RGB', '_SAR', '_MERGE')
# accepted category name -> class index (1-12; 0 is the background)
CLASS_OF_NAME = {
    **{name: i + 1
       for i, name in enumerate(DFC23_PAPER_NAMES)},
    **{name: i + 1
       for i, name in enumerate(DFC23_CATEGORIES)}
}


class ConversionError(Exception):
    """Bad input; the message is one line naming the file or category."""


def tile_name(file_name: str) -> str:
    """``P_0000`` from a COCO ``file_name``: ``P_0000.tif``, ``P0001_RGB.tif``, ``merge/P0001_MERGE.tif``."""
    stem = osp.splitext(osp.basename(file_name))[0]
    for suffix in MODALITY_SUFFIXES:
        if stem.endswith(suffix):
            return stem[:-len(suffix)]
    return stem


def load_annotations(path: str) -> COCO:
    """The COCO annotation file ``path``; raises if it is not one."""
    try:
        return COCO(path)
    except (ValueError, AssertionError) as err:  # invalid JSON, or JSON that is not a COCO dict
        raise ConversionError(f'{path} is not a COCO annotation file ({err})') from None


def category_classes(coco: COCO, ann_file: str) -> Dict[int, int]:
    """COCO category id -> class index (1-12, background is 0), matched by name."""
    classes = {}
    for cat in coco.loadCats(coco.getCatIds()):
        name = cat['name'].strip().lower().replace(' ', '_')
        if name not in CLASS_OF_NAME:
            raise ConversionError(f'{ann_file}: category {cat["name"]!r} is not a DFC23 roof type '
                                  f'{DFC23_CATEGORIES}')
        classes[cat['id']] = CLASS_OF_NAME[name]
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


def check_tile(path: str, info: dict, ann_file: str, hint: str) -> None:
    """Raise if the image ``path`` of the tile ``info`` is missing, unreadable or of another size."""
    if not osp.isfile(path):
        raise ConversionError(f'{path} not found (tile {info["file_name"]} of {ann_file}){hint}')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', NotGeoreferencedWarning)
        try:
            with rasterio.open(path) as src:
                size = (src.height, src.width)
        except RasterioError as err:
            raise ConversionError(f'{path} cannot be read ({err})') from None
    if size != (info['height'], info['width']):
        raise ConversionError(f'{path} is {size[0]}x{size[1]} but its annotation says '
                              f'{info["height"]}x{info["width"]}')


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
        '--rgb-suffix', default='', help='suffix of the optical tiles\' names, e.g. _RGB (default: none)')
    parser.add_argument(
        '--sar-suffix', default='', help='suffix of the SAR tiles\' names, e.g. _SAR (default: none)')
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
    split_dir = osp.join(args.data, 'splits')
    hint = '' if args.rgb_suffix or args.sar_suffix else \
        '; tiles named P0001_RGB.tif / P0001_SAR.tif need --rgb-suffix _RGB --sar-suffix _SAR'
    try:
        coco = load_annotations(args.ann_path)
        classes = category_classes(coco, args.ann_path)
        image_ids = sorted(coco.getImgIds())
        if not image_ids:
            raise ConversionError(f'{args.ann_path} lists no image (looked for COCO "images")')
        for folder in (label_dir, split_dir):
            prepare_output_folder(folder)
        remove_temporaries(label_dir)
        names = []
        for image_id in tqdm(image_ids, desc='tiles', unit='tile'):
            info = coco.loadImgs(image_id)[0]
            name = tile_name(info['file_name'])
            for folder, suffix in (('rgb', args.rgb_suffix), ('sar', args.sar_suffix)):
                path = osp.join(args.data, args.split, folder, f'{name}{suffix}.tif')
                check_tile(path, info, args.ann_path, hint)
            mask = rasterise(coco, image_id, classes)
            atomic_write_image(osp.join(label_dir, f'{name}.png'), Image.fromarray(mask), 'PNG')
            names.append(name)
        splits = split_names(names, args.ratios, args.seed)
        with output_errors(split_dir):
            for split, split_list in splits.items():
                atomic_write_text(osp.join(split_dir, f'{split}.txt'), ''.join(f'{n}\n' for n in split_list))
    except (ConversionError, OutputWriteError) as err:
        sys.exit(f'dfc23: {err}')
    print(f'{len(names)} masks in {label_dir}; split ' + ', '.join(f'{k} {len(v)}'
                                                                   for k, v in splits.items()))
    return 0


if __name__ == '__main__':
    sys.exit(main())
