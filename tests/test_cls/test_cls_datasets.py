"""Scene classification datasets and the split tool: official layouts, split files, stratification,
determinism, and one clear line for every kind of bad input."""
import os
import os.path as osp
import shutil
import subprocess
import sys

import pytest
from cls_layouts import REPO, load_tool, make_release, make_split

from mmringmoe.datasets import AIDDataset, InvalidRasterError, NWPURESISC45Dataset
from mmringmoe.registry import DATASETS

FIXTURE = '/work/shared/fixtures/resisc45/torchgeo'
SPLIT_TOOL = 'tools/dataset_converters/make_cls_split.py'
LOAD = dict(type='mmringmoe.LoadRasterImage', modality='opt', file_channels=('R', 'G', 'B'), expected_bands=3)


def _lines(path):
    with open(path) as f:
        return [line.rstrip('\n') for line in f]


def _images(lines):
    return [line for line in lines if not line.startswith('#')]


@pytest.fixture
def nwpu(tmp_path):
    """4 NWPU classes x 10 images."""
    return make_release(str(tmp_path / 'NWPU-RESISC45'), 'nwpu', classes=4, per_class=10)


def test_split_is_stratified_seeded_and_documented(nwpu):
    make_split(nwpu, 0.2, seed=3)
    train, test = _lines(osp.join(nwpu, 'train_20pct.txt')), _lines(osp.join(nwpu, 'test_80pct.txt'))
    assert 'seed 3' in train[0] and 'train ratio 0.2' in train[0] and 'NWPU-RESISC45 train' in train[0]
    assert 'seed 3' in test[0] and 'train ratio 0.2' in test[0]
    train, test = _images(train), _images(test)
    classes = NWPURESISC45Dataset.METAINFO['classes'][:4]
    for name in classes:  # 2 of 10 per class for training, the other 8 for testing
        assert sum(line.startswith(name + '/') for line in train) == 2
        assert sum(line.startswith(name + '/') for line in test) == 8
    assert not set(train) & set(test) and len(train) + len(test) == 40
    first = {n: open(osp.join(nwpu, n)).read() for n in ('train_20pct.txt', 'test_80pct.txt')}
    make_split(nwpu, 0.2, seed=3)
    assert {n: open(osp.join(nwpu, n)).read() for n in first} == first
    make_split(nwpu, 0.2, seed=4)
    assert open(osp.join(nwpu, 'train_20pct.txt')).read() != first['train_20pct.txt']


def test_split_tool_refuses_a_class_too_small_for_the_ratio(nwpu, capsys):
    folder = osp.join(nwpu, 'airport')
    for name in sorted(os.listdir(folder))[3:]:
        os.remove(osp.join(folder, name))
    tool = load_tool(SPLIT_TOOL)
    with pytest.raises(SystemExit) as err:
        tool.main([nwpu, '--train-ratio', '0.1'])
    message = str(err.value)
    assert message.startswith('make_cls_split.py: ') and "'airport' has 3 images" in message
    assert '\n' not in message
    assert not osp.exists(osp.join(nwpu, 'train_10pct.txt'))


def test_split_tool_says_where_it_found_no_image(tmp_path):
    (tmp_path / 'empty' / 'airplane').mkdir(parents=True)
    with pytest.raises(SystemExit) as err:
        load_tool(SPLIT_TOOL).main([str(tmp_path / 'empty'), '--train-ratio', '0.1'])
    assert str(
        err.value) == (f'make_cls_split.py: no image (.jpg, .jpeg, .png, .tif, .tiff) in any sub-folder of '
                       f'{tmp_path / "empty"}; expected DATA/<class>/<image>')


def test_split_tool_help():
    result = subprocess.run([sys.executable, osp.join(REPO, SPLIT_TOOL), '--help'],
                            capture_output=True,
                            text=True)
    assert result.returncode == 0 and '--train-ratio' in result.stdout and '--seed' in result.stdout


def _nwpu4(root, ann_file='', pipeline=()):
    return DATASETS.build(
        dict(type='mmringmoe.NWPURESISC45Dataset',
             data_root=root,
             ann_file=ann_file,
             metainfo=dict(classes=NWPURESISC45Dataset.METAINFO['classes'][:4]),
             pipeline=list(pipeline)))


def test_dataset_reads_the_split_files(nwpu):
    make_split(nwpu, 0.2)
    train, test = _nwpu4(nwpu, 'train_20pct.txt', [LOAD]), _nwpu4(nwpu, 'test_80pct.txt')
    assert (len(train), len(test)) == (8, 32)
    listed = _images(_lines(osp.join(nwpu, 'train_20pct.txt')))
    for i, line in enumerate(listed):
        info = train.get_data_info(i)
        assert info['img_path'] == osp.join(nwpu, line)
        assert train.metainfo['classes'][info['gt_label']] == line.split('/')[0]
    assert train[0]['img'].shape == (80, 80, 3)
    assert len(_nwpu4(nwpu)) == 40  # no split file: every image


def test_dataset_reads_torchgeo_split_files_of_the_real_release(tmp_path):
    """The fixture: the release's layout and torchgeo's lists of bare file names."""
    root = str(tmp_path / 'NWPU-RESISC45')
    shutil.copytree(osp.join(FIXTURE, 'NWPU-RESISC45'), root)
    shutil.copy(osp.join(FIXTURE, 'resisc45-train.txt'), root)
    dataset = DATASETS.build(
        dict(type='mmringmoe.NWPURESISC45Dataset',
             data_root=root,
             ann_file='resisc45-train.txt',
             metainfo=dict(classes=('airplane', 'airport', 'baseball_diamond')),
             pipeline=[LOAD, dict(type='mmpretrain.PackInputs')]))
    assert len(dataset) == 9
    assert [dataset.get_data_info(i)['gt_label'] for i in range(9)] == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert dataset.get_data_info(4)['img_path'] == osp.join(root, 'airport', 'airport_002.jpg')
    assert tuple(dataset[0]['inputs'].shape) == (3, 256, 256)


def test_aid_layout(tmp_path):
    root = make_release(str(tmp_path / 'AID'), 'aid', classes=30, per_class=5, size=32)
    assert sorted(os.listdir(osp.join(root, 'BareLand')))[:2] == ['bareland_1.jpg', 'bareland_2.jpg']
    make_split(root, 0.2)
    dataset = AIDDataset(data_root=root, ann_file='test_80pct.txt')
    assert len(dataset) == 120 and dataset.get_data_info(0)['gt_label'] == 0
    with open(osp.join(root, 'bare.txt'), 'w') as f:  # bare names: the class folder from the file name
        f.write('storagetanks_3.jpg\nbareland_1.jpg\n')
    dataset = AIDDataset(data_root=root,
                         ann_file='bare.txt',
                         metainfo=dict(classes=('BareLand', 'StorageTanks')))
    assert [dataset.get_data_info(i)['img_path'] for i in range(2)] == [
        osp.join(root, 'StorageTanks', 'storagetanks_3.jpg'),
        osp.join(root, 'BareLand', 'bareland_1.jpg')
    ]


def test_bad_input_is_named(nwpu, tmp_path):
    make_split(nwpu, 0.2)
    with pytest.raises(FileNotFoundError, match='dataset not found at .*missing: see docs/datasets.md'):
        _nwpu4(str(tmp_path / 'missing'), 'train_20pct.txt')
    with pytest.raises(FileNotFoundError,
                       match='split file not found: .*train_50pct.txt .*make_cls_split.py'):
        _nwpu4(nwpu, 'train_50pct.txt')
    # a split file naming a missing image
    os.remove(osp.join(nwpu, _images(_lines(osp.join(nwpu, 'train_20pct.txt')))[0]))
    with pytest.raises(FileNotFoundError,
                       match=r'train_20pct.txt names airplane/airplane_\d+.jpg, which is not in'):
        _nwpu4(nwpu, 'train_20pct.txt')
    # a class folder missing from a split file
    lines = [line for line in _lines(osp.join(nwpu, 'test_80pct.txt')) if not line.startswith('airport/')]
    with open(osp.join(nwpu, 'cut.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    with pytest.raises(ValueError, match="cut.txt: no image of class 'airport'; every one of the 4 classes"):
        _nwpu4(nwpu, 'cut.txt')
    # a class folder that is not a class of the dataset
    with open(osp.join(nwpu, 'foreign.txt'), 'w') as f:
        f.write('# header\nairplane/airplane_002.jpg\nvolcano/volcano_001.jpg\n')
    with pytest.raises(ValueError, match="foreign.txt, line 3: class folder 'volcano' is not a class"):
        _nwpu4(nwpu, 'foreign.txt')
    # without a split file: a class folder missing from the release
    shutil.rmtree(osp.join(nwpu, 'airport'))
    with pytest.raises(ValueError, match="no image of class 'airport'"):
        _nwpu4(nwpu)


def test_an_undecodable_image_stops_with_its_name(nwpu):
    dataset = _nwpu4(nwpu, pipeline=[LOAD])
    broken = dataset.get_data_info(3)['img_path']
    with open(broken, 'wb') as f:
        f.write(b'not a jpeg')
    with pytest.raises(InvalidRasterError, match=f'{broken}: cannot be read'):
        dataset[3]


def test_demo_data_follows_the_release_names(tmp_path):
    """The generated NWPU-RESISC45 layout names files as the real release does (the fixture's samples)."""
    root = make_release(str(tmp_path / 'NWPU-RESISC45'), 'nwpu', classes=3, per_class=3, size=16)
    for folder in os.listdir(osp.join(FIXTURE, 'NWPU-RESISC45')):
        assert sorted(os.listdir(osp.join(root, folder))) == sorted(
            os.listdir(osp.join(FIXTURE, 'NWPU-RESISC45', folder)))


@pytest.mark.parametrize('argv, message', [
    (['--classes', '46'], '--classes must lie in [2, 45] for nwpu, got 46'),
    (['--dataset', 'aid', '--classes', '31'], '--classes must lie in [2, 30] for aid, got 31'),
    (['--per-class', '1'], '--per-class must be at least 2, got 1'),
    (['--size', '8'], '--size must be at least 16, got 8'),
])
def test_demo_data_tool_bad_input(argv, message, tmp_path):
    with pytest.raises(SystemExit) as err:
        load_tool('tools/dataset_converters/make_demo_cls_data.py').main([str(tmp_path / 'out')] + argv)
    assert str(err.value) == f'make_demo_cls_data.py: {message}'
    assert not osp.exists(tmp_path / 'out')
