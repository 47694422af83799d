"""Generated scene classification releases shared by the tests of this folder."""
import pytest
from cls_layouts import CLS_DATASETS, make_release, make_split


@pytest.fixture(scope='session')
def releases(tmp_path_factory):
    """NWPU-RESISC45 (45 classes x 6) and AID (30 x 6) in their layouts, with the configs' split files;
    ``{dataset tag: root}``."""
    root = tmp_path_factory.mktemp('cls_data')
    for tag, dataset, folder in (('nwpu-resisc45', 'nwpu', 'NWPU-RESISC45'), ('aid', 'aid', 'AID')):
        classes, _, _, _, ratio = CLS_DATASETS[tag]
        make_release(str(root / folder), dataset, classes, per_class=6)
        make_split(str(root / folder), ratio)
    return {'nwpu-resisc45': str(root / 'NWPU-RESISC45'), 'aid': str(root / 'AID')}
