"""The base of mmringmoe's scene classification datasets: one folder per class, a split file per subset."""
import os.path as osp
from typing import List

from mmpretrain.datasets import BaseDataset

from mmringmoe.registry import DATASETS
from .cls_split import read_split, scan_class_folders
from .rs_base_seg_dataset import DATASETS_DOC

SPLIT_TOOL = 'tools/dataset_converters/make_cls_split.py'


@DATASETS.register_module()
class SceneClsDataset(BaseDataset):
    """mmpretrain's ``BaseDataset`` for ``<data_root>/<class folder>/<image>`` releases, read via split files.

    The class folders are the ``classes`` of ``METAINFO`` (or of ``metainfo``/``classes``), in label order.
    ``ann_file`` is a split file (format: :mod:`mmringmoe.datasets.cls_split`), relative to ``data_root``;
    without one every image of every class folder is used. Checked when the dataset is built, each with
    one line naming the path:

    - a missing ``data_root`` (``dataset not found at <data_root>: see docs/datasets.md``) or split file;
    - a split-file line naming an image that does not exist, or a class folder that is not a class;
    - a class with no image in the split (a truncated or foreign split file), or without ``ann_file`` a
      class folder that is missing or empty.

    An image that cannot be decoded is not skipped: ``mmringmoe.LoadRasterImage`` raises
    ``InvalidRasterError`` naming it when it is loaded (skipping would silently change the test set that
    OA is computed on).

    Args:
        ann_file (str): the split file; '' for every image. Defaults to ''.
        **kwargs: the other arguments of mmpretrain's ``BaseDataset``.
    """

    def __init__(self, ann_file: str = '', **kwargs) -> None:
        super().__init__(ann_file=ann_file, **kwargs)

    def load_data_list(self) -> List[dict]:
        """``[dict(img_path, gt_label)]`` of the split file (or of every class folder), checked."""
        root = osp.normpath(self.data_prefix.get('img_path') or self.data_root or '.')
        if not osp.isdir(root):
            raise FileNotFoundError(f'dataset not found at {root}: see {DATASETS_DOC}')
        classes = list(self.metainfo['classes'])
        if self.ann_file:
            if not osp.isfile(self.ann_file):
                raise FileNotFoundError(f'split file not found: {self.ann_file} (write it with {SPLIT_TOOL}; '
                                        f'see {DATASETS_DOC})')
            samples = read_split(self.ann_file, classes)
            source = self.ann_file
        else:
            found = scan_class_folders(root)
            samples = [(f'{folder}/{name}', classes.index(folder)) for folder in classes
                       for name in found.get(folder, [])]
            source = root
        present = {label for _, label in samples}
        missing = [name for label, name in enumerate(classes) if label not in present]
        if missing:
            raise ValueError(f'{source}: no image of class {missing[0]!r}'
                             f'{f" (and {len(missing) - 1} more classes)" if len(missing) > 1 else ""}; '
                             f'every one of the {len(classes)} classes needs images (see {DATASETS_DOC})')
        data_list = []
        for relative, label in samples:
            path = osp.join(root, relative)
            if not osp.isfile(path):
                raise FileNotFoundError(f'{source} names {relative}, which is not in {root}')
            data_list.append(dict(img_path=path, gt_label=label))
        return data_list
