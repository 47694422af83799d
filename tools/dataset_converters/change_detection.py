"""Cut LEVIR-CD (or LEVIR-CD+) and CDD pairs into the paper's non-overlapping 256 x 256 slices with 0 / 1
change labels (paper App. B.5.6).

    python tools/dataset_converters/change_detection.py --dataset levir-cd /path/to/LEVIR-CD -o data/LEVIR-CD
    python tools/dataset_converters/change_detection.py --dataset cdd /path/to/ChangeDetectionDataset -o data/CDD

Reads the releases::

    levir-cd: ROOT/{train,val,test}/{A,B,label}/<name>.png   # unzip train.zip into ROOT/train, ...
              or ROOT/{A,B,label}/<split>_<n>.png             # the three zips unzipped into ROOT
              (LEVIR-CD+: ROOT = LEVIR-CD+, with train/ and test/)  labels 0 / 255 (or 0 / 1)
    cdd:      ROOT/Real/subset/{train,val,test}/{A,B,OUT}/<name>.jpg   (or ROOT = the subset folder)
              the change map OUT is a JPEG: a pixel >= 128 is changed

and writes, for each pair, slices at y, x = 0, 256, 512, ... while a whole slice fits (a 1024 px LEVIR-CD
pair gives 16, a 256 px CDD pair 1; the remainder at the right and bottom edges is dropped)::

    OUT/<split>/{A,B,label}/<name>_<y>_<x>.png      # label: 0 unchanged, 1 changed

mmseg's 255 is the ignore index, so LEVIR-CD's 255 must become 1: a raw label would silently drop every
changed pixel (the dataset classes refuse one). Bad input stops the conversion with one line naming the
file: a missing B or label file for an A file, dates of different size or band count, a label of another
size, a LEVIR-CD label with values other than 0 / 255 (or 0 / 1), an image smaller than one slice, an
unreadable or truncated file. A slice appears under its name only once completely written, so an
interrupted run resumes (existing slices are kept); a failed write (full disk, read-only folder) stops the
tool with a line naming the folder.
"""
import argparse
import glob
import os.path as osp
import sys
from typing import Dict, List, Tuple

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402
from tqdm import tqdm  # noqa: E402

import mmringmoe  # noqa: E402,F401  (import shims)
from mmringmoe.utils.atomic_io import (OutputWriteError, atomic_write_image, prepare_output_folder,  # noqa: E402
                                       remove_temporaries)

SPLITS = ('train', 'val', 'test')
OUT_FOLDERS = ('A', 'B', 'label')
# dataset: (folder of the splits under ROOT, tried in order; the label folder; the image suffix)
LAYOUTS: Dict[str, Tuple[Tuple[str, ...], str, str]] = {
    'levir-cd': (('', ), 'label', '.png'),
    'cdd': (('Real/subset', ''), 'OUT', '.jpg'),
}
CDD_THRESHOLD = 128


class ConversionError(Exception):
    """Bad input; the message is one line naming the file."""


def read_image(path: str) -> np.ndarray:
    """``H x W x bands`` uint8 array of an image file; an unreadable or truncated one raises
    :class:`ConversionError` naming it."""
    try:
        with Image.open(path) as image:
            array = np.asarray(image.convert('RGB') if image.mode == 'P' else image)
    except (OSError, SyntaxError, ValueError) as err:
        raise ConversionError(f'{path}: cannot read the image ({err})') from None
    return array[..., None] if array.ndim == 2 else array


def levir_label(path: str) -> np.ndarray:
    """LEVIR-CD's 0 / 255 (or 0 / 1) label as 0 / 1; a grey label stored as equal RGB bands is accepted."""
    label = read_image(path)
    if label.shape[2] > 1 and not all(np.array_equal(label[..., 0], label[..., b]) for b in range(1, 3)):
        raise ConversionError(f'{path}: a change label has one band, this file has {label.shape[2]} that differ')
    label = label[..., 0]
    values = [int(v) for v in np.unique(label)]
    if not (set(values) <= {0, 255} or set(values) <= {0, 1}):
        raise ConversionError(f'{path}: label values {values[:8]} are not 0 / 255 (or 0 / 1)')
    return (label > 0).astype(np.uint8)


def cdd_label(path: str) -> np.ndarray:
    """CDD's JPEG change map as 0 / 1: grey (the mean of its bands) >= 128 is changed."""
    label = read_image(path).astype(np.float32).mean(axis=2)
    return (label >= CDD_THRESHOLD).astype(np.uint8)


LABEL_READERS = {'levir-cd': levir_label, 'cdd': cdd_label}


def list_first_dates(base: str, suffix: str) -> Dict[str, Tuple[str, List[str]]]:
    """Split -> (its folder, the date-A files): ``base/<split>/A/*``, or, when the three archives were
    unzipped into one folder (``base/A/<split>_<n>.png``, torchgeo's layout), the split of each name's
    prefix."""
    found = {}
    for split in SPLITS:
        files = sorted(glob.glob(osp.join(glob.escape(base), split, 'A', f'*{suffix}')))
        if files:
            found[split] = (osp.join(base, split), files)
    if not found:
        for first in sorted(glob.glob(osp.join(glob.escape(base), 'A', f'*{suffix}'))):
            split = osp.basename(first).split('_')[0]
            if split not in SPLITS:
                raise ConversionError(f'{first}: no split folder, and the name does not start with '
                                      f'{"_, ".join(SPLITS)}_')
            found.setdefault(split, (base, []))[1].append(first)
    return found


def find_pairs(root: str, dataset: str) -> Tuple[Dict[str, List[Tuple[str, str, str]]], str]:
    """Split -> [(A, B, label) paths] of the release under ``root``, and the pattern of A files looked for.
    A missing B or label file raises :class:`ConversionError` naming it."""
    prefixes, label_folder, suffix = LAYOUTS[dataset]
    base = next((osp.join(root, p) for p in prefixes if osp.isdir(osp.join(root, p, 'train', 'A'))),
                osp.join(root, prefixes[0]))
    pattern = osp.join(base, '{' + ','.join(SPLITS) + '}', 'A', f'*{suffix}')
    pairs = {}
    for split, (folder, first_paths) in list_first_dates(base, suffix).items():
        for first in first_paths:
            name = osp.basename(first)
            second = osp.join(folder, 'B', name)
            label = osp.join(folder, label_folder, name)
            for path, what in ((second, 'date B'), (label, 'label')):
                if not osp.isfile(path):
                    raise ConversionError(f'{first}: its {what} file {path} is missing')
            pairs.setdefault(split, []).append((first, second, label))
    return pairs, f'{osp.normpath(pattern)} or {osp.normpath(osp.join(base, "A", "<split>_*" + suffix))}'


def slice_offsets(size: int, patch: int) -> List[int]:
    """Non-overlapping slice offsets along one axis, while a whole slice fits."""
    return list(range(0, size - patch + 1, patch))


def convert_pair(paths: Tuple[str, str, str], dataset: str, out: str, patch: int) -> int:
    """Check one pair and write its slices into ``out`` (the split folder); returns the slice count."""
    first_path, second_path, label_path = paths
    first, second = read_image(first_path), read_image(second_path)
    label = LABEL_READERS[dataset](label_path)
    if first.shape[:2] != second.shape[:2]:
        raise ConversionError(f'{second_path}: date B is {second.shape[0]}x{second.shape[1]} but date A '
                              f'{first_path} is {first.shape[0]}x{first.shape[1]}')
    if first.shape[2] != second.shape[2]:
        raise ConversionError(f'{second_path}: date B has {second.shape[2]} bands but date A {first_path} has '
                              f'{first.shape[2]}')
    if label.shape != first.shape[:2]:
        raise ConversionError(f'{label_path}: label is {label.shape[0]}x{label.shape[1]} but its pair '
                              f'{first_path} is {first.shape[0]}x{first.shape[1]}')
    height, width = label.shape
    if height < patch or width < patch:
        raise ConversionError(f'{first_path}: {height}x{width} is smaller than one {patch} x {patch} slice')
    stem = osp.splitext(osp.basename(first_path))[0]
    count = 0
    for y in slice_offsets(height, patch):
        for x in slice_offsets(width, patch):
            window = (slice(y, y + patch), slice(x, x + patch))
            for folder, array in zip(OUT_FOLDERS, (first, second, label)):
                target = osp.join(out, folder, f'{stem}_{y}_{x}.png')
                if not osp.isfile(target):
                    tile = np.ascontiguousarray(array[window])
                    atomic_write_image(target, Image.fromarray(tile[..., 0] if tile.ndim == 3 and
                                                               tile.shape[2] == 1 else tile), 'PNG')
            count += 1
    return count


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('root', help='folder of the release (see above)')
    parser.add_argument('--dataset', required=True, choices=sorted(LAYOUTS), help='which release ROOT holds')
    parser.add_argument('-o', '--out', required=True, help='output folder, e.g. data/LEVIR-CD or data/CDD')
    parser.add_argument('--patch', type=int, default=256, help='slice size (default: 256, the paper\'s)')
    args = parser.parse_args(argv)
    if not osp.isdir(args.root):
        parser.error(f'release folder not found: {args.root}')
    if args.patch < 1:
        parser.error('--patch must be positive')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        pairs, pattern = find_pairs(args.root, args.dataset)
        if not pairs:
            raise ConversionError(f'no {args.dataset} pairs found: looked for {pattern}')
        for split in pairs:
            for folder in OUT_FOLDERS:
                remove_temporaries(prepare_output_folder(osp.join(args.out, split, folder)))
        counts = {}
        with tqdm(total=sum(len(p) for p in pairs.values()), desc='pairs', unit='pair') as progress:
            for split, split_pairs in pairs.items():
                counts[split] = 0
                for paths in split_pairs:
                    counts[split] += convert_pair(paths, args.dataset, osp.join(args.out, split), args.patch)
                    progress.update()
    except (ConversionError, OutputWriteError) as err:
        sys.exit(f'change_detection.py: {err}')
    summary = ', '.join(f'{split} {counts[split]} from {len(pairs[split])} pairs' for split in pairs)
    print(f'{args.patch} x {args.patch} slices in {args.out}: {summary}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
