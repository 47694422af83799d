"""NWPU-RESISC45 (paper App. B.5.1, Table 2): 45 scene classes x 700 RGB images of 256 x 256."""
from mmringmoe.registry import DATASETS
from .scene_cls_dataset import SceneClsDataset


@DATASETS.register_module()
class NWPURESISC45Dataset(SceneClsDataset):
    """NWPU-RESISC45 in its release layout ``NWPU-RESISC45/<class>/<class>_<NNN>.jpg`` (NNN = 001-700).

    Labels follow the alphabetical order of the 45 class folders. There is no official split: the paper
    trains on 10% of each class and tests on the other 90% (App. B.5.1; Table A13 also 20%), which
    ``tools/dataset_converters/make_cls_split.py`` draws (see :class:`SceneClsDataset`).
    """
    METAINFO = dict(classes=(
        'airplane', 'airport', 'baseball_diamond', 'basketball_court', 'beach', 'bridge', 'chaparral',
        'church', 'circular_farmland', 'cloud', 'commercial_area', 'dense_residential', 'desert', 'forest',
        'freeway', 'golf_course', 'ground_track_field', 'harbor', 'industrial_area', 'intersection',
        'island', 'lake', 'meadow', 'medium_residential', 'mobile_home_park', 'mountain', 'overpass',
        'palace', 'parking_lot', 'railway', 'railway_station', 'rectangular_farmland', 'river',
        'roundabout', 'runway', 'sea_ice', 'ship', 'snowberg', 'sparse_residential', 'stadium',
        'storage_tank', 'tennis_court', 'terrace', 'thermal_power_station', 'wetland'))
