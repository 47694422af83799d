"""ISPRS Potsdam (paper App. B.5.2): mmseg's ``PotsdamDataset`` with mmringmoe's up-front checks."""
from mmseg.datasets import PotsdamDataset as MMSegPotsdamDataset

from mmringmoe.registry import DATASETS
from .rs_base_seg_dataset import RSBaseSegDataset


@DATASETS.register_module()
class PotsdamDataset(RSBaseSegDataset, MMSegPotsdamDataset):
    """ISPRS Potsdam in the layout of mmseg's converter (512 x 512 patches, stride 256)::

        data/potsdam/img_dir/{train,val}/2_10_0_0_512_512.png
        data/potsdam/ann_dir/{train,val}/2_10_0_0_512_512.png     # 0 boundary, 1-6 classes

    The paper follows RingMo: the near-infrared / red / green orthophotos (``3_Ortho_IRRG.zip``, see
    ``tools/dataset_converters/potsdam.py``) and five classes; the config drops ``clutter`` by listing the
    five classes in ``metainfo``, which mmseg's label map turns into the ignore index.
    Everything else is mmseg's ``PotsdamDataset`` (``reduce_zero_label=True``: 0 is the boundary).
    """
