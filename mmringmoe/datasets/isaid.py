"""iSAID (paper App. B.5.2): mmseg's ``iSAIDDataset`` with mmringmoe's up-front checks."""
from mmseg.datasets import iSAIDDataset as MMSegISAIDDataset

from mmringmoe.registry import DATASETS
from .rs_base_seg_dataset import RSBaseSegDataset


@DATASETS.register_module()
class ISAIDDataset(RSBaseSegDataset, MMSegISAIDDataset):
    """iSAID, 15 object classes + background, in the layout of mmseg's converter.

    ``tools/dataset_converters/isaid.py`` (which runs mmseg's own converter) cuts the official release into
    896 x 896 patches with an overlap of 384 and re-encodes the colour masks as class indices::

        data/iSAID/img_dir/{train,val}/P0000_0_896_0_896.png
        data/iSAID/ann_dir/{train,val}/P0000_0_896_0_896_instance_color_RGB.png

    Everything but the checks of :class:`RSBaseSegDataset` (dataset present, every label present, labels
    within the 16 classes) is mmseg's ``iSAIDDataset``: classes, palette, suffixes, ignore index 255.
    """
