"""DFC23 track 1 (paper App. B.5.3): optical + GF-3 SAR building roof types, 12 classes + background."""
from mmringmoe.registry import DATASETS
from .rs_pair_seg_dataset import RSPairSegDataset

DFC23_ROOF_TYPES = ('flat_roof', 'gable_roof', 'gambrel_roof', 'row_roof', 'multiple_eave_roof',
                    'hipped_roof_v1', 'hipped_roof_v2', 'mansard_roof', 'pyramid_roof', 'arched_roof', 'dome',
                    'other')


@DATASETS.register_module()
class DFC23Dataset(RSPairSegDataset):
    """The 2023 IEEE GRSS Data Fusion Contest, track 1, as semantic segmentation (paper Table A9).

    The release (github.com/AICyberTeam/DFC2023-baseline) has 512 x 512 tiles and COCO instance
    annotations (roof polygons, 12 fine-grained roof types)::

        train/rgb/P0001_RGB.tif    # optical, 3 bands
        train/sar/P0001_SAR.tif    # SAR amplitude, 1 band
        annotations/roof_fine_train.json

    Only the training part is labelled, so the paper splits it 7:2:1. ``tools/dataset_converters/dfc23.py``
    rasterises the polygons into index masks ``train/label/P0001.png`` (0 background, 1-12 the roof types
    in the order of ``DFC23_ROOF_TYPES``) and writes the split lists ``splits/{train,val,test}.txt`` of tile
    names (``P0001``), which this class reads as ``ann_file``.
    """
    METAINFO = dict(
        classes=('background', ) + DFC23_ROOF_TYPES,
        palette=[[0, 0, 0], [31, 119, 180], [174, 199, 232], [255, 127, 14], [255, 187, 120], [44, 160, 44],
                 [152, 223, 138], [214, 39, 40], [255, 152, 150], [148, 103, 189], [197, 176, 213],
                 [140, 86, 75], [196, 156, 148]])

    def __init__(self,
                 img_suffix: str = '_RGB.tif',
                 img_suffix2: str = '_SAR.tif',
                 seg_map_suffix: str = '.png',
                 data_prefix: dict = dict(
                     img_path='train/rgb', img_path2='train/sar', seg_map_path='train/label'),
                 **kwargs) -> None:
        super().__init__(
            img_suffix=img_suffix,
            img_suffix2=img_suffix2,
            seg_map_suffix=seg_map_suffix,
            data_prefix=data_prefix,
            **kwargs)
