"""SAR-AIRcraft-1.0 (Wang et al., J. Radars 2023; paper App. B.5.4, Table A10), read from the release.

Release layout (``data_root``)::

    JPEGImages/<id>.jpg            Gaofen-3 amplitude chips of 800, 1000, 1200 or 1500 px, R = G = B
    Annotations/<id>.xml           VOC <object><name>, <bndbox>
    ImageSets/Main/{train,val,test}.txt

4368 images split 7:1:2 into train, val and test; 7 classes, named as in the paper's Table A10.
"""
from mmringmoe.registry import DATASETS
from .voc_det_dataset import RSVOCDetDataset

SAR_AIRCRAFT_CLASSES = ('A220', 'A320/321', 'A330', 'ARJ21', 'Boeing737', 'Boeing787', 'other')


@DATASETS.register_module()
class SARAircraftDataset(RSVOCDetDataset):
    """SAR-AIRcraft-1.0: ``ann_file`` a split of ``ImageSets/Main``, images in ``JPEGImages``."""

    METAINFO = dict(classes=SAR_AIRCRAFT_CLASSES)

    def __init__(self, img_subdir: str = 'JPEGImages', ann_subdir: str = 'Annotations', **kwargs) -> None:
        super().__init__(img_subdir=img_subdir, ann_subdir=ann_subdir, **kwargs)
