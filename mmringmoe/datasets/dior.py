"""DIOR (Li et al., ISPRS J. 2020; paper App. B.5.4), horizontal boxes, read from the release as it is.

Release layout (``data_root``)::

    JPEGImages-trainval/00001.jpg ... 11725.jpg      800 x 800 RGB
    JPEGImages-test/11726.jpg ... 23463.jpg
    ImageSets/Main/{train,val,test}.txt               5-digit ids
    Annotations/Horizontal Bounding Boxes/<id>.xml    VOC <object><name>, <bndbox>
    Annotations/Oriented Bounding Boxes/<id>.xml      DIOR-R (mmringmoe's oriented configs)

The paper trains on train + val (5862 + 5863 images) and tests on test (11738).
"""
from mmringmoe.registry import DATASETS
from .voc_det_dataset import RSVOCDetDataset

# The 20 classes as the release spells them; files differ in case (Expressway-Service-area vs
# expressway-service-area), which the reader ignores.
DIOR_CLASSES = ('airplane', 'airport', 'baseballfield', 'basketballcourt', 'bridge', 'chimney', 'dam',
                'Expressway-Service-area', 'Expressway-toll-station', 'golffield', 'groundtrackfield',
                'harbor', 'overpass', 'ship', 'stadium', 'storagetank', 'tenniscourt', 'trainstation',
                'vehicle', 'windmill')


@DATASETS.register_module()
class DIORDataset(RSVOCDetDataset):
    """DIOR horizontal boxes: ``ann_file`` a split of ``ImageSets/Main``, ``img_subdir`` the image folder of
    that split (``JPEGImages-trainval`` for train and val, ``JPEGImages-test`` for test)."""

    METAINFO = dict(classes=DIOR_CLASSES)

    def __init__(self, ann_subdir: str = 'Annotations/Horizontal Bounding Boxes', **kwargs) -> None:
        super().__init__(ann_subdir=ann_subdir, **kwargs)
