"""The base of mmringmoe's semantic segmentation datasets: mmseg's ``BaseSegDataset`` plus up-front checks.

A missing dataset, a missing label or a missing pair partner is reported when the dataset is built, with
one line naming the path, instead of a decode error deep inside a data-loader worker later.
"""
import os.path as osp
from typing import List

from mmseg.datasets import BaseSegDataset

from mmringmoe.registry import DATASETS

DATASETS_DOC = 'docs/datasets.md'

# Keys of a data info that name files every sample must have (``img_path2`` is the second image of an
# optical+SAR pair, mmseg's name for the second image of a change-detection pair).
SAMPLE_FILE_KEYS = ('img_path', 'img_path2', 'seg_map_path')


@DATASETS.register_module()
class RSBaseSegDataset(BaseSegDataset):
    """``BaseSegDataset`` that checks its files when it is built and tells every sample its class count.

    On top of mmseg's ``BaseSegDataset`` (whose arguments it takes unchanged):

    - a missing ``data_root`` raises ``FileNotFoundError('dataset not found at <data_root>: see
      docs/datasets.md')``; a missing ``data_prefix`` folder or ``ann_file`` names that path;
    - every sample's files (``img_path``, ``img_path2`` for a pair, ``seg_map_path``) must exist; the first
      missing one raises ``FileNotFoundError`` naming it (a missing pair partner or label);
    - an empty dataset raises ``FileNotFoundError`` naming the folder and suffix searched;
    - every data info gets ``num_classes`` and ``ignore_index``, which
      :class:`~mmringmoe.datasets.transforms.LoadSegAnnotations` uses to reject out-of-range labels.

    Subclasses list their samples in :meth:`scan_samples` (by default mmseg's folder/``ann_file`` scan).
    mmseg's own dataset classes gain these checks by inheriting from this class first, e.g.
    ``class ISAIDDataset(RSBaseSegDataset, mmseg.datasets.iSAIDDataset)``.
    """

    def load_data_list(self) -> List[dict]:
        """Check the dataset's folders, list the samples, check their files and annotate them."""
        self._check_dataset_folders()
        data_list = self.scan_samples()
        if not data_list:
            where = self.ann_file or self.data_prefix.get('img_path', '')
            raise FileNotFoundError(f'no samples found in {where} (image suffix {self.img_suffix!r}): '
                                    f'see {DATASETS_DOC}')
        num_classes = len(self._metainfo['classes'])
        for info in data_list:
            for key in SAMPLE_FILE_KEYS:
                path = info.get(key)
                if path is not None and not osp.isfile(path):
                    raise FileNotFoundError(f'{key} not found: {path} (listed for sample {info["img_path"]})')
            info['num_classes'] = num_classes
            info['ignore_index'] = self.ignore_index
        return data_list

    def scan_samples(self) -> List[dict]:
        """The data infos of the samples; mmseg's scan of ``data_prefix`` folders or the ``ann_file`` list."""
        return super().load_data_list()

    def _check_dataset_folders(self) -> None:
        root = self.data_root if self.data_root else self.data_prefix.get('img_path', '')
        if not root or not osp.isdir(root):
            raise FileNotFoundError(f'dataset not found at {root}: see {DATASETS_DOC}')
        for key, folder in self.data_prefix.items():
            if folder and not osp.isdir(folder):
                raise FileNotFoundError(f'dataset not found at {root}: its {key} folder {folder} is missing; '
                                        f'see {DATASETS_DOC}')
        if self.ann_file and not osp.isfile(self.ann_file):
            raise FileNotFoundError(f'dataset not found at {root}: its split file {self.ann_file} is '
                                    f'missing; see {DATASETS_DOC}')
