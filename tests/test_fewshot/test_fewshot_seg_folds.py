"""The few-shot segmentation folds are Table A3's, in the datasets' own class names."""
import pytest

from mmringmoe.datasets import ISAIDDataset, LoveDADataset
from mmringmoe.datasets.fewshot import SEG_FOLDS, fold_classes

# Table A3, copied from the paper: (training classes, testing classes) of each fold
TABLE_A3 = {
    'isaid': [
        ('Ground track field; Bridge; Large vehicle; Small vehicle; Helicopter; Swimming pool; Roundabout; '
         'Soccer ball field; Plane; Harbor', 'Ship; Storage tank; Baseball diamond; Tennis court; Basketball court'),
        ('Ship; Storage tank; Baseball diamond; Tennis court; Basketball court; Swimming pool; Roundabout; '
         'Soccer ball field; Plane; Harbor', 'Ground track field; Bridge; Large vehicle; Small vehicle; Helicopter'),
        ('Ship; Storage tank; Baseball diamond; Tennis court; Basketball court; Ground track field; Bridge; '
         'Large vehicle; Small vehicle; Helicopter', 'Swimming pool; Roundabout; Soccer ball field; Plane; Harbor'),
    ],
    'loveda': [('Water; Barren; Forest; Agriculture', 'Building; Road'),
               ('Building; Road; Forest; Agriculture', 'Water; Barren'),
               ('Building; Road; Water; Barren', 'Forest; Agriculture')],
}
# How each dataset spells Table A3's names (mmseg's iSAIDDataset; the LoveDA release README)
SPELLING = {
    'Ship': 'ship', 'Storage tank': 'store_tank', 'Baseball diamond': 'baseball_diamond', 'Tennis court':
    'tennis_court', 'Basketball court': 'basketball_court', 'Ground track field': 'Ground_Track_Field', 'Bridge':
    'Bridge', 'Large vehicle': 'Large_Vehicle', 'Small vehicle': 'Small_Vehicle', 'Helicopter': 'Helicopter',
    'Swimming pool': 'Swimming_pool', 'Roundabout': 'Roundabout', 'Soccer ball field': 'Soccer_ball_field',
    'Plane': 'plane', 'Harbor': 'Harbor', 'Building': 'building', 'Road': 'road', 'Water': 'water', 'Barren':
    'barren', 'Forest': 'forest', 'Agriculture': 'agriculture'
}
DATASET_CLASSES = {'isaid': ISAIDDataset.METAINFO['classes'], 'loveda': LoveDADataset.METAINFO['classes']}


def _names(text):
    return [SPELLING[name] for name in text.split('; ')]


@pytest.mark.parametrize('benchmark', sorted(TABLE_A3))
def test_folds_are_table_a3_in_the_datasets_spelling(benchmark):
    assert len(SEG_FOLDS[benchmark]) == 3
    for fold, (train, test) in enumerate(TABLE_A3[benchmark]):
        classes = fold_classes(benchmark, fold)
        assert list(classes['train']) == _names(train)
        assert list(classes['test']) == _names(test)
        assert SEG_FOLDS[benchmark][fold] == classes


@pytest.mark.parametrize('benchmark', sorted(TABLE_A3))
def test_folds_are_disjoint_and_cover_every_class_but_background(benchmark):
    folds = SEG_FOLDS[benchmark]
    foreground = set(DATASET_CLASSES[benchmark]) - {'background'}
    tests = [set(fold['test']) for fold in folds]
    assert set.union(*tests) == foreground and sum(map(len, tests)) == len(foreground)  # disjoint test sets
    for fold in folds:
        assert not set(fold['train']) & set(fold['test'])
        assert set(fold['train']) | set(fold['test']) == foreground
    assert {len(t) for t in tests} == {5 if benchmark == 'isaid' else 2}


def test_unknown_benchmark_or_fold_is_one_line():
    with pytest.raises(ValueError, match='Table A3 has'):
        fold_classes('pascal', 0)
    with pytest.raises(ValueError, match=r'folds 0-2 \(Table A3\), got 3'):
        fold_classes('loveda', 3)
