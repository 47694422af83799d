"""FewShotSceneDataset reads one Table A2 subset from each release layout (NWPU-RESISC45 JPEGs, WHU-RS19's
camel-case folders, UC Merced's Images/ TIFFs, one of them not square) and names a class absent from the data
in one line."""
import os.path as osp
import shutil

import pytest
from fewshot_cls_layouts import make_release
from mmengine.registry import init_default_scope

from mmringmoe.datasets.fewshot import FewShotDataError, FewShotSceneDataset, split_classes
from mmringmoe.datasets.oriented_annotations import AnnotationError

PIPELINE = [
    dict(type='mmringmoe.LoadRasterImage', modality='opt', file_channels=('R', 'G', 'B'), expected_bands=3),
    dict(type='Resize', scale=(32, 32)),
    dict(type='PackInputs')
]
PREFIX = {'nwpu-resisc45': '', 'whu-rs19': '', 'ucm': 'Images'}


@pytest.fixture(scope='module')
def releases(tmp_path_factory):
    root = tmp_path_factory.mktemp('fewshot_cls_data')
    return {split: make_release(str(root), split, per_class=3, size=24) for split in PREFIX}


@pytest.mark.parametrize('split', sorted(PREFIX))
@pytest.mark.parametrize('subset', ['train', 'test'])
def test_subset_of_each_release_layout(releases, split, subset):
    init_default_scope('mmpretrain')
    dataset = FewShotSceneDataset(
        split=split,
        subset=subset,
        data_root=releases[split],
        data_prefix=dict(img_path=PREFIX[split]),
        pipeline=PIPELINE)
    classes = split_classes(split, subset)
    assert dataset.metainfo['classes'] == classes
    assert len(dataset) == 3 * len(classes)
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        folder = osp.basename(osp.dirname(info['img_path']))
        assert folder == classes[info['gt_label']]
    if split == 'ucm':
        assert dataset.get_data_info(0)['img_path'].endswith(f'Images/{classes[0]}/{classes[0]}00.tif')
        sample = dataset[0]  # the 22 x 24 tile of the generator, resized
        assert tuple(sample['inputs'].shape) == (3, 32, 32)


def test_class_absent_from_the_data_one_line(releases, tmp_path):
    root = str(tmp_path / 'WHU-RS19')
    shutil.copytree(releases['whu-rs19'], root)
    shutil.rmtree(osp.join(root, 'Pond'))
    shutil.rmtree(osp.join(root, 'River'))
    with pytest.raises(FewShotDataError) as err:
        FewShotSceneDataset(split='whu-rs19', subset='test', data_root=root)
    assert str(
        err.value) == (f"{root}: the test classes of split 'whu-rs19' (Table A2) include 'Pond', which has "
                       'no folder of images there (nor have 1 more)')
    assert isinstance(err.value, AnnotationError)  # tools/train.py and tools/test.py print it as one line
    FewShotSceneDataset(split='whu-rs19', subset='train', data_root=root)  # the base classes are all there


def test_split_or_classes_not_both(releases):
    with pytest.raises(ValueError, match='by split or by metainfo, not both'):
        FewShotSceneDataset(split='ucm', metainfo=dict(classes=('river', )), data_root=releases['ucm'])
    with pytest.raises(ValueError, match='give a split'):
        FewShotSceneDataset(data_root=releases['ucm'])
    custom = FewShotSceneDataset(metainfo=dict(classes=('Pond', 'Port')), data_root=releases['whu-rs19'])
    assert len(custom) == 6 and custom.get_data_info(5)['gt_label'] == 1
