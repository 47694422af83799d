"""DFC23 track 1 (paper App. B.5.3): optical + GF-3 SAR building roof types, 12 classes + background."""
from mmringmoe.registry import DATASETS
from .rs_pair_seg_dataset import RSPairSegDataset

# The release's 12 COCO categories, ids 1-12 in this order, named as in its annotation and image-id JSONs
# (github.com/AICyberTeam/DFC2023-baseline, track1/image_id/image_id_val.json): class 11 is 'revolved'.
DFC23_CATEGORIES = ('flat_roof', 'gable_roof', 'gambrel_roof', 'row_roof', 'multiple_eave_roof',
                    'hipped_roof_v1', 'hipped_roof_v2', 'mansard_roof', 'pyramid_roof', 'arched_roof',
                    'revolved', 'other')
# The same classes as the paper names them (Table A9: Flat_roof ... Arched_roof, Dome, Others); used for
# display only (class names in logs, metrics and visualisations).
DFC23_PAPER_NAMES = ('flat_roof', 'gable_roof', 'gambrel_roof', 'row_roof', 'multiple_eave_roof',
                     'hipped_roof_v1', 'hipped_roof_v2', 'mansard_roof', 'pyramid_roof', 'arched_roof',
                     'dome', 'others')


@DATASETS.register_module()
class DFC23Dataset(RSPairSegDataset):
    """The 2023 IEEE GRSS Data Fusion Contest, track 1, as semantic segmentation (paper Table A9).

    The release (github.com/AICyberTeam/DFC2023-baseline, track 1) has 512 x 512 tiles, the optical and the
    SAR image of a tile under the same file name, and COCO instance annotations (roof polygons, the 12
    categories of ``DFC23_CATEGORIES``)::

        train/rgb/P_0000.tif       # optical, 3 bands
        train/sar/P_0000.tif       # SAR amplitude, 1 band
        annotations/roof_fine_train.json

    (the tile names are the JSONs' ``file_name``; the README's folder tree writes them ``P0001.tif``).
    Only the training part is labelled, so the paper splits it 7:2:1. ``tools/dataset_converters/dfc23.py``
    rasterises the polygons into index masks ``train/label/P_0000.png`` (0 background, 1-12 the categories
    in the order of ``DFC23_CATEGORIES``) and writes the split lists ``splits/{train,val,test}.txt`` of tile
    names (``P_0000``), which this class reads as ``ann_file``. The classes are shown under the paper's
    names (``revolved`` as ``dome``).

    An older layout of the release named the tiles ``rgb/P0001_RGB.tif`` and ``sar/P0001_SAR.tif``: pass
    ``img_suffix='_RGB.tif', img_suffix2='_SAR.tif'`` (and ``--rgb-suffix _RGB --sar-suffix _SAR`` to the
    converter).
    """
    METAINFO = dict(
        classes=('background', ) + DFC23_PAPER_NAMES,
        palette=[[0, 0, 0], [31, 119, 180], [174, 199, 232], [255, 127, 14], [255, 187, 120], [44, 160, 44],
                 [152, 223, 138], [214, 39, 40], [255, 152, 150], [148, 103, 189], [197, 176, 213],
                 [140, 86, 75], [196, 156, 148]])

    def __init__(self,
                 img_suffix: str = '.tif',
                 img_suffix2: str = '.tif',
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
