"""AID (paper App. B.5.1, Table 2): 30 aerial scene classes, 220-420 RGB images of 600 x 600 each."""
from mmringmoe.registry import DATASETS
from .scene_cls_dataset import SceneClsDataset


@DATASETS.register_module()
class AIDDataset(SceneClsDataset):
    """AID in its release layout ``AID/<Class>/<class>_<n>.jpg`` (e.g. ``AID/BareLand/bareland_12.jpg``).

    Labels follow the alphabetical order of the 30 class folders. There is no official split: the paper
    trains on 20% of each class and tests on the other 80% (App. B.5.1), which
    ``tools/dataset_converters/make_cls_split.py`` draws (see :class:`SceneClsDataset`).
    """
    METAINFO = dict(classes=(
        'Airport', 'BareLand', 'BaseballField', 'Beach', 'Bridge', 'Center', 'Church', 'Commercial',
        'DenseResidential', 'Desert', 'Farmland', 'Forest', 'Industrial', 'Meadow', 'MediumResidential',
        'Mountain', 'Park', 'Parking', 'Playground', 'Pond', 'Port', 'RailwayStation', 'Resort', 'River',
        'School', 'SparseResidential', 'Square', 'Stadium', 'StorageTanks', 'Viaduct'))
