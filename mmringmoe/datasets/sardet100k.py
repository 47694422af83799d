"""SARDet-100K (Li et al., NeurIPS 2024; paper Table A15), read from the release as it is.

Release layout (``data_root``)::

    Annotations/{train,val,test}.json               COCO instances, 6 categories
    JPEGImages/{train,val,test}/<name>.(jpg|png)    amplitude chips of several sources

94,493 training, 10,492 validation and 11,613 test images. ``file_name`` is read with or without the
split folder in front (``train/x.jpg`` or ``x.jpg``).
"""
from mmringmoe.registry import DATASETS
from .coco_det_dataset import RSCocoDetDataset


@DATASETS.register_module()
class SARDet100KDataset(RSCocoDetDataset):
    """SARDet-100K: ``ann_file`` one of ``Annotations/{train,val,test}.json``, ``data_prefix=dict(img=
    'JPEGImages/<split>/')``."""

    METAINFO = dict(
        classes=('ship', 'aircraft', 'car', 'tank', 'bridge', 'harbor'),
        palette=[(220, 20, 60), (119, 11, 32), (0, 0, 142), (0, 0, 230), (106, 0, 228), (0, 60, 100)])
