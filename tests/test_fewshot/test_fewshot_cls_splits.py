"""The few-shot class splits are Table A2's (App. B.5.8): per dataset the paper's train / val / test lists, as
the paper prints them, map to the release's class folders; the three sets are disjoint and cover the
release."""
import re

import pytest

from mmringmoe.datasets import NWPURESISC45Dataset
from mmringmoe.datasets.fewshot import RELEASE_CLASSES, TABLE_A2, split_classes

# Table A2 as the paper's text prints it (train; val; test), transcribed independently of the module
PAPER_TABLE_A2 = {
    'nwpu-resisc45':
    ('Cloud; Mountain; Stadium; Airplane; Chaparral; Roundabout; Church; Ship; Golf course; Meadow; '
     'Harbor; Freeway; Lake; Wetland; Baseball diamond; Island; Railway; Mobile home park; Palace; '
     'Sparse residential; Bridge; Desert; Sea ice; Beach; Rectangular farmland',
     'Thermal power station; Storage tank; Terrace; Railway station; Tennis court; Snowberg; '
     'Industrial area; Runway; Overpass; Commercial area',
     'Airport; Basketball court; River; Parking lot; Ground track field; Medium residential; '
     'Dense residential; Circular farmland; Intersection; Forest'),
    'whu-rs19':
    ('Parking; Port; Residential; Bridge; Industrial; Mountain; Airport; Football field; Desert',
     'Railway station; Beach; Forest; Farmland; Park', 'Viaduct; Pond; Meadow; River; Commercial'),
    'ucm': ('Parking lot; Dense residential; Harbor; Chaparral; Freeway; Buildings; Overpass; Agricultural; '
            'Medium residential; Baseball diamond', 'Airplane; Runway; Forest; Intersection; Storage tanks',
            'Golf course; River; Sparse residential; Tennis court; Beach; Mobile home park'),
}
# Table A2's sizes (UC Merced: the table's 5 validation and 6 test classes; the text says 6 / 5)
SIZES = {'nwpu-resisc45': (25, 10, 10), 'whu-rs19': (9, 5, 5), 'ucm': (10, 5, 6)}


def _key(name):
    return re.sub(r'[^a-z]', '', name.lower())


@pytest.mark.parametrize('split', sorted(TABLE_A2))
def test_paper_lists_sizes_and_release_names(split):
    for subset, printed in zip(('train', 'val', 'test'), PAPER_TABLE_A2[split]):
        paper_names = printed.split('; ')
        assert [name for name, _ in TABLE_A2[split][subset]] == paper_names
        for name, folder in TABLE_A2[split][subset]:
            assert folder in RELEASE_CLASSES[split] and _key(name) == _key(folder)
    assert tuple(len(split_classes(split, s)) for s in ('train', 'val', 'test')) == SIZES[split]


@pytest.mark.parametrize('split', sorted(TABLE_A2))
def test_subsets_are_disjoint_and_cover_the_release(split):
    train, val, test = (set(split_classes(split, s)) for s in ('train', 'val', 'test'))
    assert not (train & val) and not (train & test) and not (val & test)
    assert train | val | test == set(RELEASE_CLASSES[split])
    assert len(RELEASE_CLASSES[split]) == len(set(RELEASE_CLASSES[split])) == {
        'nwpu-resisc45': 45,
        'whu-rs19': 19,
        'ucm': 21
    }[split]


def test_release_class_folders():
    assert RELEASE_CLASSES['nwpu-resisc45'] == NWPURESISC45Dataset.METAINFO['classes']
    # WHU-RS19 spells two folders in camel case; UC Merced's folders are lower case without separators
    assert {'footballField', 'railwayStation'} <= set(RELEASE_CLASSES['whu-rs19'])
    assert all(re.fullmatch('[a-z]+', name) for name in RELEASE_CLASSES['ucm'])


def test_unknown_split_or_subset():
    with pytest.raises(ValueError, match="unknown few-shot split 'aid'"):
        split_classes('aid', 'test')
    with pytest.raises(ValueError, match="unknown subset 'novel'"):
        split_classes('ucm', 'novel')
