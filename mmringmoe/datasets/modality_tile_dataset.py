"""The tiles of one modality (RingMOSS-style pretraining data, paper Sec. 3.5 and App. B.1)."""
import logging
import os
import os.path as osp
from typing import List, Optional, Sequence

import torch
from mmengine.dataset import BaseDataset
from mmengine.logging import print_log
from torch.utils.data import get_worker_info

from mmringmoe.registry import DATASETS
from .transforms.loading import InvalidRasterError

# Skip counters live in shared memory, one slot for the main process and one per dataloader worker
# (workers beyond the last slot share it), so the main process (a hook) reads the total of all workers
# and no increment is lost to a race.
_SKIP_COUNTER_SLOTS = 64


@DATASETS.register_module()
class ModalityTileDataset(BaseDataset):
    """Image tiles of one modality, from a list file or a folder; bad tiles are skipped, not fatal.

    The items are ``dict(img_path=..., modality=...)``; no annotation. With ``ann_file`` (the list file
    ``tools/dataset_converters/make_pretrain_tiles.py`` writes: one path per line, relative to
    ``data_prefix['img_path']``; blank lines and lines starting with ``#`` are ignored) the order is the
    file's; otherwise the folder ``data_prefix['img_path']`` is searched recursively for ``extensions``
    (sorted paths). Files are not opened when the list is built.

    When the pipeline raises :class:`~mmringmoe.datasets.transforms.loading.InvalidRasterError` (an
    unreadable tile, a NaN, the wrong band count, too much nodata) in training, the tile is skipped: a
    warning naming the file goes to mmengine's current ``MMLogger``, :attr:`num_skipped` grows, and
    mmengine's refetch loop (``BaseDataset.__getitem__``) tries a random other tile of this dataset (so the
    modality of the item is kept), at most ``max_refetch`` times. In ``test_mode`` the error is raised.

    Args:
        modality (str): the modality of every tile (``opt``, ``ms``, ``sar_l1``, ``sar_l2``, ...); written
            to each item's info as ``modality``.
        ann_file (str): list file; empty to scan the folder. Defaults to ''.
        data_root (str): joined in front of relative ``ann_file`` and ``data_prefix``. Defaults to ''.
        data_prefix (dict): ``img_path``: the folder the tile paths are relative to (and the folder scanned
            without ``ann_file``). Defaults to ``dict(img_path='')``.
        extensions (Sequence[str]): file endings collected in a folder scan (case-insensitive).
            Defaults to ``('.tif', '.tiff', '.png', '.jpg', '.jpeg')``.
        max_refetch (int): how many other tiles to try after a bad one. Defaults to 100.
        **kwargs: the other arguments of :class:`mmengine.dataset.BaseDataset` (``pipeline``,
            ``indices``, ``test_mode``, ``lazy_init``, ...).
    """

    def __init__(self,
                 modality: str,
                 ann_file: str = '',
                 data_root: str = '',
                 data_prefix: Optional[dict] = None,
                 extensions: Sequence[str] = ('.tif', '.tiff', '.png', '.jpg', '.jpeg'),
                 max_refetch: int = 100,
                 **kwargs) -> None:
        if not modality or not isinstance(modality, str):
            raise ValueError(f'ModalityTileDataset: modality must be a non-empty string, got {modality!r}')
        self.modality = modality
        self.extensions = tuple(e.lower() for e in extensions)
        self._skip_counts = torch.zeros(_SKIP_COUNTER_SLOTS, dtype=torch.int64).share_memory_()
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            data_prefix=dict(img_path='') if data_prefix is None else data_prefix,
            max_refetch=max_refetch,
            **kwargs)

    @property
    def num_skipped(self) -> int:
        """Bad tiles skipped so far, summed over the main process and all dataloader workers."""
        return int(self._skip_counts.sum())

    def load_data_list(self) -> List[dict]:
        """The tile paths of the list file, or of a recursive folder scan."""
        folder = self.data_prefix.get('img_path', '') or ''
        if self.ann_file:
            if not osp.isfile(self.ann_file):
                raise FileNotFoundError(f'ModalityTileDataset({self.modality}): list file not found: '
                                        f'{self.ann_file}')
            with open(self.ann_file, encoding='utf-8') as f:
                lines = [line.strip() for line in f]
            paths = [osp.join(folder, line) for line in lines if line and not line.startswith('#')]
            source = self.ann_file
        else:
            if not osp.isdir(folder):
                raise FileNotFoundError(f'ModalityTileDataset({self.modality}): folder not found: {folder!r}')
            paths = sorted(
                osp.join(root, name) for root, _, names in os.walk(folder) for name in names
                if name.lower().endswith(self.extensions))
            source = folder
        if not paths:
            raise ValueError(f'ModalityTileDataset({self.modality}): no tiles in {source}')
        return [dict(img_path=path, modality=self.modality) for path in paths]

    def prepare_data(self, idx: int) -> Optional[dict]:
        """The pipeline's output, or None (mmengine then refetches) when the tile is invalid."""
        try:
            return super().prepare_data(idx)
        except InvalidRasterError as err:
            if self.test_mode:
                raise
            worker = get_worker_info()
            slot = 0 if worker is None else 1 + worker.id % (_SKIP_COUNTER_SLOTS - 1)
            self._skip_counts[slot] += 1
            print_log(f'ModalityTileDataset({self.modality}): skipped a bad tile '
                      f'({self.num_skipped} so far): {err}', logger='current', level=logging.WARNING)
            return None
