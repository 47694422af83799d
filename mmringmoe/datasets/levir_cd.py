"""LEVIR-CD and LEVIR-CD+ (paper App. B.5.6): building change in 1024 x 1024 Google Earth pairs."""
from mmringmoe.registry import DATASETS
from .rs_change_dataset import RSChangeDataset


@DATASETS.register_module()
class LEVIRCDDataset(RSChangeDataset):
    """LEVIR-CD (Chen and Shi 2020) cut into the paper's non-overlapping 256 x 256 slices.

    The release (``train.zip``, ``val.zip``, ``test.zip``; 445 / 64 / 128 pairs of 1024 x 1024 RGB PNGs,
    0.5 m) holds ``A/``, ``B/`` and ``label/`` per split with the same file names (``train_1.png``...);
    labels are 0 (unchanged) and 255 (changed, building built or demolished). LEVIR-CD+ has the same
    folders under ``LEVIR-CD+/{train,test}/`` (names ``00.png``...). ``tools/dataset_converters/
    change_detection.py --dataset levir-cd`` cuts each pair into 16 slices and maps 255 to 1 (mmseg's 255 is
    the ignore index); this class reads its output, ``{train,val,test}/{A,B,label}/<name>_<y>_<x>.png``
    (:class:`RSChangeDataset`).
    """
