"""HRSID (Wei et al., IEEE Access 2020; paper App. B.5.4), read from the release as it is.

Release layout (``data_root``)::

    JPEGImages/<name>.jpg                           800 x 800 amplitude chips, R = G = B
    annotations/{train2017,test2017}.json           COCO instances, one category ``ship``

3642 training and 1962 test images (65/35). Re-annotated variants whose only category has id 0 are read
as well (categories are matched by name).
"""
from mmringmoe.registry import DATASETS
from .coco_det_dataset import RSCocoDetDataset


@DATASETS.register_module()
class HRSIDDataset(RSCocoDetDataset):
    """HRSID ship detection: ``ann_file`` one of ``annotations/{train2017,test2017}.json``."""

    METAINFO = dict(classes=('ship', ), palette=[(220, 20, 60)])
