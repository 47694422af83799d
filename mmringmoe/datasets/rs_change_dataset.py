"""The base of mmringmoe's binary change-detection datasets (paper App. B.5.6)."""
from typing import List

from mmringmoe.registry import DATASETS
from .rs_pair_seg_dataset import RSPairSegDataset

# Converted change labels: 0 unchanged, 1 changed. A raw 0/255 label (LEVIR-CD's release) is refused,
# never read: 255 is mmseg's ignore index, and every changed pixel would silently drop out of the loss.
CHANGE_VALUES = {0: 0, 1: 1}
CONVERTER = 'tools/dataset_converters/change_detection.py'


@DATASETS.register_module()
class RSChangeDataset(RSPairSegDataset):
    """Bitemporal image pairs and their change labels, in the layout
    ``tools/dataset_converters/change_detection.py`` writes::

        {train,val,test}/A/<name>.png       # date A (first acquisition), RGB
        {train,val,test}/B/<name>.png       # date B, same name, same size and bands
        {train,val,test}/label/<name>.png   # 0 unchanged, 1 changed (one band)

    ``data_prefix`` picks the split (``img_path`` A, ``img_path2`` B, ``seg_map_path`` label). A missing B
    or label file for an A file stops the build with one line naming it (:class:`RSBaseSegDataset`); a
    label value other than 0 and 1 (a raw 0/255 release label) stops loading with one line naming the file
    and its values. The pair is read by :class:`~mmringmoe.datasets.transforms.LoadRasterPair` (date A's
    bands, then date B's), which names both files when their sizes differ and the file whose band count
    differs from the config's.
    """
    METAINFO = dict(classes=('unchanged', 'changed'), palette=[[0, 0, 0], [255, 255, 255]])

    def __init__(self,
                 img_suffix: str = '.png',
                 img_suffix2: str = '.png',
                 seg_map_suffix: str = '.png',
                 data_prefix: dict = dict(img_path='train/A', img_path2='train/B', seg_map_path='train/label'),
                 **kwargs) -> None:
        super().__init__(
            img_suffix=img_suffix,
            img_suffix2=img_suffix2,
            seg_map_suffix=seg_map_suffix,
            data_prefix=data_prefix,
            **kwargs)

    def scan_samples(self) -> List[dict]:
        """The pairs, each decoding its label as 0 / 1 only."""
        data_list = super().scan_samples()
        for info in data_list:
            info['seg_value_map'] = CHANGE_VALUES
        return data_list
