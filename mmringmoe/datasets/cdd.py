"""CDD, the season-varying change detection dataset of Lebedev et al. 2018 (paper App. B.5.6)."""
from mmringmoe.registry import DATASETS
from .rs_change_dataset import RSChangeDataset


@DATASETS.register_module()
class CDDDataset(RSChangeDataset):
    """CDD's "Real" subset: 256 x 256 RGB pairs cropped from season-varying Google Earth images.

    The release ``ChangeDetectionDataset/Real/subset/{train,val,test}/{A,B,OUT}/<n>.jpg`` (10000 / 3000 /
    3000 pairs) stores the change map ``OUT`` as a JPEG, whose compression leaves grey values around the
    0 / 255 edges: ``tools/dataset_converters/change_detection.py --dataset cdd`` thresholds it at 128
    (``>= 128`` changed) and writes the pairs as PNG; this class reads its output,
    ``{train,val,test}/{A,B,label}/<n>_0_0.png`` (:class:`RSChangeDataset`).
    """
