"""WHU-OPT-SAR (paper App. B.5.3): GF-1 optical + GF-3 SAR land-use pairs, 7 classes."""
from mmringmoe.registry import DATASETS
from .rs_pair_seg_dataset import RSPairSegDataset

# The published label values (0 background, 10 farmland, ..., 70 others) -> class indices; background is
# not a class of the benchmark (paper Table A8) and is ignored.
WHU_OPT_SAR_VALUES = {0: 255, 10: 0, 20: 1, 30: 2, 40: 3, 50: 4, 60: 5, 70: 6}


@DATASETS.register_module()
class WHUOptSARDataset(RSPairSegDataset):
    """WHU-OPT-SAR in its official folder layout, full scenes or cut into patches.

    The release (github.com/AmberHen/WHU-OPT-SAR-dataset) has 100 scenes of 5556 x 3704 pixels::

        optical/NH49E001013.tif   # GF-1, 4 bands (assumed R, G, B, NIR; the README says "RGB, NIR")
        sar/NH49E001013.tif       # GF-3 amplitude, 1 band
        lbl/NH49E001013.tif       # 0 background, 10 farmland, 20 city, 30 village, 40 water,
                                  # 50 forest, 60 road, 70 others

    The paper cuts them into non-overlapping 256 x 256 patches and splits 8:2;
    ``tools/dataset_converters/whu_opt_sar.py`` does both (using the release's own split list) and keeps
    the layout and the encoding, so this class reads
    ``{train,test}/{optical,sar,lbl}/<scene>_<row>_<col>.tif`` (``data_prefix`` selects the folders).
    The label values are decoded by ``seg_value_map``: 10-70 become classes 0-6 and 0 (background) the
    ignore index; any other value is an error naming the file.

    Assumption: the optical band order is R, G, B, NIR; the configs describe it
    (``file_channels=('R', 'G', 'B', 'NIR')``) and the loader feeds R, G, B to the optical backbone, so a
    release in another order only needs ``file_channels`` changed in the config.
    """
    METAINFO = dict(
        classes=('farmland', 'city', 'village', 'water', 'forest', 'road', 'others'),
        palette=[[204, 102, 0], [255, 0, 0], [255, 255, 0], [0, 0, 255], [85, 167, 0], [0, 255, 255],
                 [153, 102, 153]])

    def __init__(self,
                 img_suffix: str = '.tif',
                 img_suffix2: str = '.tif',
                 seg_map_suffix: str = '.tif',
                 data_prefix: dict = dict(
                     img_path='train/optical', img_path2='train/sar', seg_map_path='train/lbl'),
                 **kwargs) -> None:
        super().__init__(
            img_suffix=img_suffix,
            img_suffix2=img_suffix2,
            seg_map_suffix=seg_map_suffix,
            data_prefix=data_prefix,
            **kwargs)

    def scan_samples(self):
        """The pairs, each decoding its label through the published value encoding."""
        data_list = super().scan_samples()
        for info in data_list:
            info['seg_value_map'] = WHU_OPT_SAR_VALUES
        return data_list
