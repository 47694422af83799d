"""Split files of the scene classification datasets: one image per line, relative to the dataset root.

Neither NWPU-RESISC45 nor AID has an official train/test split; the paper trains on a random 10% (NWPU) or
20% (AID) of each class (App. B.5.1). ``tools/dataset_converters/make_cls_split.py`` draws such a split once,
stratified and seeded, and writes it next to the data, so every run reads the same images::

    # NWPU-RESISC45 train split: make_cls_split.py, seed 0, train ratio 0.1, stratified by class
    # 3150 images, 45 classes
    airplane/airplane_005.jpg
    ...

Lines starting with ``#`` are comments (the header). A line is ``<class folder>/<file>``; a bare file
name (the lists torchgeo ships, e.g. ``resisc45-train.txt``) is assigned to the class folder whose name
equals the file name without its ``_<number>`` suffix, ignoring case and underscores (``storagetanks_1.jpg``
-> ``StorageTanks``).
"""
import os
import os.path as osp
import re
from typing import Dict, List, Sequence, Tuple

import numpy as np

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.tif', '.tiff')
_NUMBER_SUFFIX = re.compile(r'_\d+$')


def _class_key(name: str) -> str:
    return name.lower().replace('_', '')


def scan_class_folders(root: str) -> Dict[str, List[str]]:
    """``{class folder: sorted image names}`` of every sub-folder of ``root`` that holds images."""
    images = {}
    for folder in sorted(os.listdir(root)):
        path = osp.join(root, folder)
        if not osp.isdir(path):
            continue
        names = sorted(n for n in os.listdir(path) if n.lower().endswith(IMAGE_EXTENSIONS))
        if names:
            images[folder] = names
    return images


def stratified_split(images: Dict[str, List[str]], train_ratio: float,
                     seed: int) -> Tuple[List[str], List[str]]:
    """Draw ``round(train_ratio x n)`` training images from each class of ``n`` images, the rest for testing.

    One ``numpy.random.default_rng(seed)`` permutes the classes' images in sorted class order, so a seed
    gives the same split on every machine. A class whose share would leave the training or the test set
    without an image raises ``ValueError`` naming the class. Returns the ``<class>/<file>`` lines of
    train and test, sorted.
    """
    rng = np.random.default_rng(seed)
    train, test = [], []
    for folder in sorted(images):
        names = images[folder]
        count = int(round(train_ratio * len(names)))
        if count < 1 or count >= len(names):
            raise ValueError(
                f'class folder {folder!r} has {len(names)} images: a train ratio of {train_ratio} '
                'leaves its train or test set empty')
        order = rng.permutation(len(names))
        train += [f'{folder}/{names[i]}' for i in order[:count]]
        test += [f'{folder}/{names[i]}' for i in order[count:]]
    return sorted(train), sorted(test)


def format_split(lines: Sequence[str], dataset: str, subset: str, seed: int, train_ratio: float) -> str:
    """A split file's text: the header (what, seed, ratio, counts), then one image per line."""
    classes = {line.split('/', 1)[0] for line in lines}
    header = (f'# {dataset} {subset} split: make_cls_split.py, seed {seed}, train ratio {train_ratio}, '
              f'stratified by class\n# {len(lines)} images, {len(classes)} classes\n')
    return header + ''.join(line + '\n' for line in lines)


def read_split(split_file: str, classes: Sequence[str]) -> List[Tuple[str, int]]:
    """``[(<class folder>/<file>, class index)]`` of a split file, for the class folders ``classes``.

    Raises ``ValueError`` naming the file and line for a class folder that is not one of ``classes`` or a
    bare file name that fits none.
    """
    index = {name: i for i, name in enumerate(classes)}
    by_key = {_class_key(name): name for name in classes}
    samples = []
    with open(split_file, encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            if '/' in line:
                folder = line.split('/', 1)[0]
                if folder not in index:
                    raise ValueError(f'{split_file}, line {number}: class folder {folder!r} is not a class '
                                     f'of this dataset')
                samples.append((line, index[folder]))
                continue
            folder = by_key.get(_class_key(_NUMBER_SUFFIX.sub('', osp.splitext(line)[0])))
            if folder is None:
                raise ValueError(f'{split_file}, line {number}: {line!r} names no class folder '
                                 '(expected <class folder>/<file> or <class>_<number>.<ext>)')
            samples.append((f'{folder}/{line}', index[folder]))
    return samples
