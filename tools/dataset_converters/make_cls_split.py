"""Draw the stratified, seeded train/test split of a scene classification dataset and write its split files.

    python tools/dataset_converters/make_cls_split.py data/NWPU-RESISC45 --train-ratio 0.1   # paper: 10%
    python tools/dataset_converters/make_cls_split.py data/AID --train-ratio 0.2             # paper: 20%

Neither NWPU-RESISC45 nor AID has an official split (paper App. B.5.1). The images stay where they are:
every sub-folder of DATA holding images is a class; from each class ``round(ratio x n)`` images are drawn
for training with ``numpy.random.default_rng(--seed)``, the rest are for testing. The tool writes
``DATA/train_<P>pct.txt`` and ``DATA/test_<100-P>pct.txt`` (``--out`` another folder), one
``<class>/<file>`` per line after a header with the dataset, seed and ratio, each through a temporary file
renamed into place; the configs of ``configs/cls/`` read them. The same seed and ratio give the same files
on every machine. A missing folder, no image under DATA, a class too small for the ratio (its train or
test set would be empty) or a failed write stops the tool with one line.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout

from mmringmoe.datasets.cls_split import (
    IMAGE_EXTENSIONS,
    format_split,  # noqa: E402
    scan_class_folders,
    stratified_split)
from mmringmoe.utils.atomic_io import OutputWriteError, atomic_write_text, prepare_output_folder  # noqa: E402

TOOL = 'make_cls_split.py'


def split_file_names(train_ratio: float):
    """``('train_<P>pct.txt', 'test_<100-P>pct.txt')`` for a train ratio, e.g. 0.1 -> 10 and 90."""
    train_pct = round(train_ratio * 100, 6)
    return f'train_{train_pct:g}pct.txt', f'test_{round(100 - train_pct, 6):g}pct.txt'


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('data', help='dataset root with one folder of images per class')
    parser.add_argument('--train-ratio',
                        type=float,
                        required=True,
                        help='share of each class for training (NWPU-RESISC45: 0.1, AID: 0.2)')
    parser.add_argument('--seed', type=int, default=0, help='seed of the split (default: 0)')
    parser.add_argument('--out', help='folder of the split files (default: DATA)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if not osp.isdir(args.data):
        sys.exit(f'{TOOL}: dataset folder not found: {args.data}')
    if not 0.0 < args.train_ratio < 1.0:
        sys.exit(f'{TOOL}: --train-ratio must lie strictly between 0 and 1, got {args.train_ratio}')
    images = scan_class_folders(args.data)
    if not images:
        sys.exit(f'{TOOL}: no image ({", ".join(IMAGE_EXTENSIONS)}) in any sub-folder of {args.data}; '
                 'expected DATA/<class>/<image>')
    try:
        train, test = stratified_split(images, args.train_ratio, args.seed)
    except ValueError as err:
        sys.exit(f'{TOOL}: {err}')
    dataset = osp.basename(osp.normpath(osp.abspath(args.data)))
    out = args.out or args.data
    names = split_file_names(args.train_ratio)
    try:
        prepare_output_folder(out)
        for name, subset, lines in zip(names, ('train', 'test'), (train, test)):
            atomic_write_text(osp.join(out, name),
                              format_split(lines, dataset, subset, args.seed, args.train_ratio))
    except OutputWriteError as err:
        sys.exit(f'{TOOL}: {err}')
    print(f'{len(images)} classes: {len(train)} images in {osp.join(out, names[0])}, '
          f'{len(test)} in {osp.join(out, names[1])}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
