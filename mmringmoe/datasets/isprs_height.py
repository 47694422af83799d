"""ISPRS Vaihingen and Potsdam for height estimation (paper App. B.5.7), in the layout of
``tools/dataset_converters/isprs_height.py``::

    data/vaihingen_height/img_dir/{train,val}/area1_0_0.tif        # 512 x 512 crops of the orthophoto
    data/vaihingen_height/height_dir/{train,val}/area1_0_0.tif     # the same crop of the height, float32
    data/potsdam_height/img_dir/{train,val}/2_10_0_0.tif           # Potsdam tile 2_10, crop at row 0, col 0
    data/potsdam_height/height_dir/{train,val}/2_10_0_0.tif

An image without its height file stops the dataset's construction with one line naming the missing file.
"""
import os
import os.path as osp
from typing import List

from mmringmoe.registry import DATASETS
from .rs_base_seg_dataset import DATASETS_DOC, RSBaseSegDataset


@DATASETS.register_module()
class ISPRSHeightDataset(RSBaseSegDataset):
    """Image crops paired by name with their height crops (``data_prefix`` keys ``img_path`` and
    ``depth_map_path``, mmseg's key for a depth label, which ``LoadHeightAnnotation`` reads).

    The checks of :class:`RSBaseSegDataset` (missing dataset or folder: one line naming it) and: no image
    in the image folder, or an image whose height file is missing, raises ``FileNotFoundError`` naming it.

    Args:
        img_suffix (str): image file suffix. Defaults to ``'.tif'``.
        height_suffix (str): height file suffix. Defaults to ``'.tif'``.
        **kwargs: mmseg's ``BaseSegDataset`` arguments (``data_root``, ``data_prefix``, ``pipeline``, ...).
    """

    METAINFO = dict(classes=('height', ))  # one regression target; no class ever decoded

    def __init__(self, img_suffix: str = '.tif', height_suffix: str = '.tif', **kwargs) -> None:
        self.height_suffix = height_suffix
        super().__init__(img_suffix=img_suffix, **kwargs)

    def load_data_list(self) -> List[dict]:
        self._check_dataset_folders()
        img_dir = self.data_prefix.get('img_path', '')
        height_dir = self.data_prefix.get('depth_map_path', '')
        names = sorted(n for n in os.listdir(img_dir)
                       if n.endswith(self.img_suffix) and not n.startswith('.'))
        if not names:
            raise FileNotFoundError(f'no images found in {img_dir} (suffix {self.img_suffix!r}): see '
                                    f'{DATASETS_DOC}')
        data_list = []
        for name in names:
            stem = name[:-len(self.img_suffix)]
            height = osp.join(height_dir, stem + self.height_suffix)
            if not osp.isfile(height):
                raise FileNotFoundError(
                    f'height file not found: {height} (for image {osp.join(img_dir, name)})')
            data_list.append(dict(img_path=osp.join(img_dir, name), depth_map_path=height, seg_fields=[]))
        return data_list


@DATASETS.register_module()
class VaihingenHeightDataset(ISPRSHeightDataset):
    """ISPRS Vaihingen: near-infrared / red / green orthophotos at 9 cm, 16 training and 17 test tiles
    (paper App. B.5.7), cut by ``tools/dataset_converters/isprs_height.py vaihingen``."""


@DATASETS.register_module()
class PotsdamHeightDataset(ISPRSHeightDataset):
    """ISPRS Potsdam: red / green / blue orthophotos at 5 cm (the paper drops the near-infrared band), 24
    training and 14 test tiles (paper App. B.5.7), cut by ``tools/dataset_converters/isprs_height.py
    potsdam``."""
