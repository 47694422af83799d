"""The base of mmringmoe's paired (optical + SAR) segmentation datasets (paper App. B.5.3)."""
import os.path as osp
from typing import List

from mmringmoe.registry import DATASETS
from .rs_base_seg_dataset import RSBaseSegDataset


@DATASETS.register_module()
class RSPairSegDataset(RSBaseSegDataset):
    """A segmentation dataset whose samples are two co-registered images and one label.

    Samples are listed as in mmseg's ``BaseSegDataset`` from the first image's folder
    (``data_prefix['img_path']``, ``img_suffix``) or from ``ann_file``; each sample's partner is the file
    with the same name stem in ``data_prefix['img_path2']`` with ``img_suffix2``, stored in the data info as
    ``img_path2`` (the key :class:`~mmringmoe.datasets.transforms.LoadRasterPair` reads). A missing partner
    raises ``FileNotFoundError`` naming it when the dataset is built.

    Args:
        img_suffix2 (str): suffix of the second image. Defaults to ``'.tif'``.
        **kwargs: the arguments of mmseg's ``BaseSegDataset``; ``data_prefix`` must have ``img_path2``.
    """

    def __init__(self, img_suffix2: str = '.tif', **kwargs) -> None:
        self.img_suffix2 = img_suffix2
        super().__init__(**kwargs)

    def scan_samples(self) -> List[dict]:
        """mmseg's sample list, each with the path of its partner image as ``img_path2``."""
        second_dir = self.data_prefix.get('img_path2')
        if not second_dir:
            raise ValueError(f'{type(self).__name__}: data_prefix needs img_path2, the folder of the second '
                             f'image of each pair; got {self.data_prefix}')
        img_dir = self.data_prefix['img_path']
        data_list = super().scan_samples()
        for info in data_list:
            stem = osp.relpath(info['img_path'], img_dir)[:-len(self.img_suffix)]
            info['img_path2'] = osp.join(second_dir, stem + self.img_suffix2)
        return data_list
