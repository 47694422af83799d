"""SARSegL1 (paper App. B.5.2, Table A6): GF-3 full-polarimetric single-look complex segmentation."""
from mmringmoe.registry import DATASETS
from .rs_base_seg_dataset import RSBaseSegDataset


@DATASETS.register_module()
class SARSegL1Dataset(RSBaseSegDataset):
    """SARSegL1, 5 classes, in the patch layout of ``tools/dataset_converters/sarsegl1.py``.

    The paper describes two GF-3 scenes (Guangzhou 5456 x 4708, Hangzhou 6192 x 4888), each with four
    polarisations HH, HV, VH, VV of two channels (amplitude and phase), cut into 500 x 500 patches with an
    overlap of 200 (540 patches: the grid drops the remainder at the right and bottom edges) and split
    8:2. The converter writes::

        img_dir/{train,test}/<scene>_<row>_<col>.tif   # 4 complex64 bands HH, HV, VH, VV
        ann_dir/{train,test}/<scene>_<row>_<col>.png   # 0 water, 1 vegetation, 2 bare land, 3 road,
                                                       # 4 building, 255 unlabelled

    ``LoadRasterImage`` splits each complex band into real and imaginary parts, giving the 8 channels
    ``HH_re, HH_im, HV_re, HV_im, VH_re, VH_im, VV_re, VV_im`` of RingMoE's SAR-L1 input (spec section 1).

    Assumption: the release's layout is not public; the converter's ``--help`` states what it reads
    (one folder per scene, one raster per polarisation, complex or amplitude/phase, plus a label raster
    with 0 unlabelled and 1-5 the classes in the order of Table A6).
    """
    METAINFO = dict(
        classes=('water', 'vegetation', 'bare_land', 'road', 'building'),
        palette=[[0, 0, 255], [0, 255, 0], [255, 255, 0], [255, 0, 0], [255, 0, 255]])

    def __init__(self, img_suffix: str = '.tif', seg_map_suffix: str = '.png', **kwargs) -> None:
        super().__init__(img_suffix=img_suffix, seg_map_suffix=seg_map_suffix, **kwargs)
