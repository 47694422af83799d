"""LEVIR-CD and CDD datasets on the converter's output: pairs and labels found and read; a raw 0/255 label,
a missing B or label file, and dates of different size or band count each stop with one line naming the file."""
import os

import numpy as np
import pytest
from change_layouts import load_tool, make_cdd, make_levir_cd, write_image
from mmcv.transforms import Compose
from mmengine.registry import init_default_scope

from mmringmoe.datasets import CDDDataset, LEVIRCDDataset
from mmringmoe.registry import TRANSFORMS

converter = load_tool('tools/dataset_converters/change_detection.py')
LOAD = [
    dict(type='mmringmoe.LoadRasterPair', first=dict(modality='opt', file_channels=('R', 'G', 'B'), expected_bands=3),
         second=dict(modality='opt', file_channels=('R', 'G', 'B'), expected_bands=3)),
    dict(type='mmringmoe.LoadSegAnnotations'),
]


def converted(tmp_path, dataset='levir-cd'):
    release, out = tmp_path / 'release', tmp_path / 'data'
    (make_levir_cd if dataset == 'levir-cd' else make_cdd)(str(release), np.random.default_rng(0))
    assert converter.main(['--dataset', dataset, str(release), '-o', str(out), '--patch', '32']) == 0
    return out


def build(cls, root, split='train'):
    init_default_scope('mmseg')
    return cls(data_root=str(root), data_prefix=dict(img_path=f'{split}/A', img_path2=f'{split}/B',
                                                     seg_map_path=f'{split}/label'), pipeline=LOAD)


@pytest.mark.parametrize('cls, dataset', [(LEVIRCDDataset, 'levir-cd'), (CDDDataset, 'cdd')])
def test_converted_pairs_load_as_six_channels_and_a_0_1_label(tmp_path, cls, dataset):
    data = build(cls, converted(tmp_path, dataset), 'test')
    assert len(data) == 8 and data.metainfo['classes'] == ('unchanged', 'changed')
    sample = data[0]
    assert sample['img'].shape == (32, 32, 6) and sample['pair_channels'] == (3, 3)
    assert set(np.unique(sample['gt_seg_map'])) <= {0, 1}
    changed = sample['gt_seg_map'] == 1  # the generated pairs brighten date B where changed
    assert changed.any() and sample['img'][..., 3:][changed].mean() > 200 > 130 > sample['img'][..., :3].mean()


def test_a_raw_0_255_label_is_refused_not_ignored(tmp_path):
    root = converted(tmp_path)
    label = tmp_path / 'data' / 'train' / 'label' / 'train_1_0_0.png'
    write_image(str(label), np.where(np.arange(32 * 32).reshape(32, 32) % 2, 255, 0))  # LEVIR-CD's encoding
    data = build(LEVIRCDDataset, root)
    index = next(i for i in range(len(data)) if data.get_data_info(i)['seg_map_path'] == str(label))
    with pytest.raises(ValueError, match=f'{label}: label values \\[255\\] are not in the dataset encoding'):
        data[index]


def test_a_missing_b_or_label_file_stops_the_build(tmp_path):
    root = converted(tmp_path)
    os.remove(root / 'train' / 'B' / 'train_2_0_32.png')
    with pytest.raises(FileNotFoundError, match='img_path2 not found: .*train/B/train_2_0_32.png'):
        build(LEVIRCDDataset, root)
    os.remove(root / 'val' / 'label' / 'val_1_32_0.png')
    with pytest.raises(FileNotFoundError, match='seg_map_path not found: .*val/label/val_1_32_0.png'):
        build(LEVIRCDDataset, root, 'val')


def test_dates_of_different_size_or_bands_are_named(tmp_path):
    root = converted(tmp_path)
    data = build(LEVIRCDDataset, root)
    second = data.get_data_info(0)['img_path2']
    write_image(second, np.zeros((32, 16, 3)))
    with pytest.raises(ValueError, match=f'pair size mismatch: .* is 32x32 but {second} is 32x16'):
        data[0]
    write_image(second, np.zeros((32, 32)))
    with pytest.raises(ValueError, match=second):
        data[0]
