"""Segmentation datasets: each reads its published encoding into the right class indices, and bad input
(missing dataset, label or pair partner, label values outside the classes, size or band-count mismatch)
stops with one error naming the file."""
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample
from seg_layouts import (AIR_POLSAR_COLOURS, LAYOUTS, REPO, SIZE, make_air_polsar_seg, make_dfc23,
                         make_dynamic_earthnet, make_isaid, make_potsdam, make_whu_opt_sar, write_png,
                         write_tif)
from torch.utils.data import DataLoader

from mmringmoe.datasets.transforms import CorruptFileError, InvalidRasterError
from mmringmoe.engine.runner_setup import one_line_errors
from mmringmoe.registry import DATASETS, MODELS


def build(name: str, root: str, split: str = 'train'):
    """The config's ``split`` dataset on ``root``, with its pipeline's loading transforms only."""
    init_default_scope('mmseg')
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'seg', name))
    dataset = cfg[f'{split}_dataloader'].dataset
    dataset.data_root = root
    dataset.pipeline = dataset.pipeline[:2]
    return DATASETS.build(dataset)


ISAID, POTSDAM, DYNA, SARSEG, AIR, WHU, DFC = list(LAYOUTS)  # the seven configs


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def test_whu_labels_decode_published_values(tmp_path, rng):
    make_whu_opt_sar(str(tmp_path), rng)
    label = np.kron(np.arange(0, 80, 10).reshape(2, 4), np.ones((32, 16), dtype=np.int64)).astype(np.uint8)
    write_tif(f'{tmp_path}/train/lbl/NH49E001013_0_0.tif', label[None])
    sample = build(WHU, str(tmp_path))[0]
    expected = np.where(label == 0, 255, label // 10 - 1)
    assert np.array_equal(sample['gt_seg_map'], expected)
    assert sample['img'].shape == (SIZE, SIZE, 4) and sample['pair_channels'] == (3, 1)


def test_dynamic_earthnet_onehot_labels_and_band_order(tmp_path, rng):
    make_dynamic_earthnet(str(tmp_path), rng)
    dataset = build(DYNA, str(tmp_path))
    info = dataset.get_data_info(0)
    assert info['img_path'].endswith('PF-SR/2018-01-01.tif')
    classes = np.kron(np.arange(8).reshape(2, 4) % 7, np.ones((32, 16), dtype=np.int64))
    onehot = np.stack([(classes == c) * 255 for c in range(7)]).astype(np.uint8)
    onehot[:, :4, :4] = 0  # no class claimed: ignored
    write_tif(info['seg_map_path'], onehot)
    image = np.stack([np.full((SIZE, SIZE), v, dtype=np.uint16) for v in (1, 2, 3, 4)])  # B, G, R, NIR
    write_tif(info['img_path'], image)
    sample = dataset[0]
    expected = np.where(classes == 6, 255, classes)  # snow & ice is not scored
    expected[:4, :4] = 255
    assert np.array_equal(sample['gt_seg_map'], expected)
    assert sample['img'][0, 0].tolist() == [1, 2, 3, 4]  # read as B, G, R, NIR, the canonical MS order


def test_air_polsar_palette_labels(tmp_path, rng):
    make_air_polsar_seg(str(tmp_path), rng)
    index = np.kron(np.arange(8).reshape(2, 4) % 7, np.ones((32, 16), dtype=np.int64))
    colours = np.asarray(AIR_POLSAR_COLOURS + [(0, 0, 0)], dtype=np.uint8)
    write_png(f'{tmp_path}/0_gt.png', colours[index])
    sample = build(AIR, str(tmp_path))[0]
    assert sample['img_path'].endswith('0_HH.tiff') and sample['img'].shape == (SIZE, SIZE, 1)
    assert np.array_equal(sample['gt_seg_map'], np.where(index == 6, 255, index))


def test_potsdam_drops_clutter_and_boundary(tmp_path, rng):
    make_potsdam(str(tmp_path), rng)
    dataset = build(POTSDAM, str(tmp_path))
    label = np.kron(np.arange(8).reshape(2, 4) % 7, np.ones((32, 16), dtype=np.int64)).astype(np.uint8)
    write_png(dataset.get_data_info(0)['seg_map_path'], label)
    # 0 boundary -> ignored, 1-5 -> 0-4, 6 clutter -> ignored (five classes, as in the paper)
    expected = np.where((label == 0) | (label == 6), 255, label.astype(np.int64) - 1)
    assert np.array_equal(dataset[0]['gt_seg_map'], expected)
    assert dataset.metainfo['classes'] == ('impervious_surface', 'building', 'low_vegetation', 'tree', 'car')


def test_missing_dataset_names_its_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    init_default_scope('mmseg')
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'seg', ISAID))
    with pytest.raises(FileNotFoundError, match='^dataset not found at data/iSAID: see docs/datasets.md$'):
        DATASETS.build(cfg.train_dataloader.dataset)


def test_missing_label_names_the_file(tmp_path, rng):
    make_isaid(str(tmp_path), rng)
    missing = f'{tmp_path}/ann_dir/train/P0001_0_{SIZE}_0_{SIZE}_instance_color_RGB.png'
    os.remove(missing)
    with pytest.raises(FileNotFoundError, match=f'seg_map_path not found: {missing}'):
        build(ISAID, str(tmp_path))


@pytest.mark.parametrize('name,folder', [(WHU, 'train/sar'), (DFC, 'train/sar')])
def test_missing_pair_partner_names_the_file(name, folder, tmp_path, rng):
    LAYOUTS[name](str(tmp_path), rng)
    partner = sorted(os.listdir(tmp_path / folder))[0]
    os.remove(tmp_path / folder / partner)
    with pytest.raises(FileNotFoundError, match=f'img_path2 not found: .*{folder}/{partner}'):
        build(name, str(tmp_path))


def test_label_value_outside_classes_names_the_file(tmp_path, rng):
    make_isaid(str(tmp_path), rng)
    dataset = build(ISAID, str(tmp_path))
    path = dataset.get_data_info(0)['seg_map_path']
    write_png(path, np.full((SIZE, SIZE), 16, dtype=np.uint8))  # 16 classes: 0-15
    with pytest.raises(ValueError, match=f'{path}: label values \\[16\\] are outside the 16 classes'):
        dataset[0]
    write_png(path, np.full((SIZE, SIZE), 255, dtype=np.uint8))  # the ignore index is allowed
    assert (dataset[0]['gt_seg_map'] == 255).all()


def cut_in_half(path: str) -> None:
    with open(path, 'rb') as f:
        data = f.read()
    with open(path, 'wb') as f:
        f.write(data[:len(data) // 2])


def test_truncated_label_is_reported_as_truncated_not_as_bad_values(tmp_path, rng):
    make_isaid(str(tmp_path), rng)
    dataset = build(ISAID, str(tmp_path))
    path = dataset.get_data_info(0)['seg_map_path']
    cut_in_half(path)
    with pytest.raises(CorruptFileError, match=f'^{path}: the file is truncated: the PNG ends after'):
        dataset[0]


def test_truncated_image_of_a_pair_is_named(tmp_path, rng):
    make_whu_opt_sar(str(tmp_path), rng)
    dataset = build(WHU, str(tmp_path))
    path = dataset.get_data_info(0)['img_path']
    cut_in_half(path)
    with pytest.raises(CorruptFileError, match=f'^{path}: the file is truncated: it ends after'):
        dataset[0]


def test_truncated_file_read_by_a_dataloader_worker_is_one_line(tmp_path, rng):
    """What train.py and test.py print: the error a worker process hands back to the main process."""
    make_potsdam(str(tmp_path), rng)
    dataset = build(POTSDAM, str(tmp_path))
    path = dataset.get_data_info(1)['img_path']
    cut_in_half(path)
    loader = DataLoader(dataset, batch_size=1, num_workers=1, collate_fn=lambda batch: batch)
    with pytest.raises(SystemExit) as info, one_line_errors('test.py'):
        list(loader)
    assert info.value.code == f'test.py: {path}: the file is truncated: the PNG ends after ' \
                              f'{os.path.getsize(path)} bytes, before its end chunk (IEND)'


def test_unknown_encoded_value_names_the_file(tmp_path, rng):
    make_whu_opt_sar(str(tmp_path), rng)
    path = f'{tmp_path}/train/lbl/NH49E001013_0_0.tif'
    write_tif(path, np.full((1, SIZE, SIZE), 15, dtype=np.uint8))
    with pytest.raises(ValueError, match=f'{path}: label values \\[15\\] are not in the dataset encoding'):
        build(WHU, str(tmp_path))[0]


def test_unknown_colour_names_the_file(tmp_path, rng):
    make_air_polsar_seg(str(tmp_path), rng)
    write_png(f'{tmp_path}/0_gt.png', np.full((SIZE, SIZE, 3), 7, dtype=np.uint8))
    with pytest.raises(ValueError, match=f'{tmp_path}/0_gt.png: colours \\[\\(7, 7, 7\\)\\] are not in'):
        build(AIR, str(tmp_path))[0]


def test_image_label_size_mismatch_names_both(tmp_path, rng):
    make_dfc23(str(tmp_path), rng)
    label = f'{tmp_path}/train/label/P_0000.png'
    write_png(label, np.zeros((SIZE, SIZE // 2), dtype=np.uint8))
    with pytest.raises(
            ValueError, match=f'{label}: label is {SIZE}x{SIZE // 2} but its image .*rgb/P_0000.tif'):
        build(DFC, str(tmp_path))[0]


def test_pair_size_mismatch_names_both(tmp_path, rng):
    make_whu_opt_sar(str(tmp_path), rng)
    sar = f'{tmp_path}/train/sar/NH49E001013_0_0.tif'
    write_tif(sar, np.zeros((1, SIZE, SIZE + 8), dtype=np.uint8))
    with pytest.raises(
            ValueError, match=f'pair size mismatch: .*NH49E001013_0_0.tif is {SIZE}x{SIZE} but {sar}'):
        build(WHU, str(tmp_path))[0]


def test_band_count_mismatch_names_the_file(tmp_path, rng):
    make_dynamic_earthnet(str(tmp_path), rng)
    dataset = build(DYNA, str(tmp_path))
    path = dataset.get_data_info(0)['img_path']
    write_tif(path, np.zeros((3, SIZE, SIZE), dtype=np.uint16))  # 3 bands where the config reads 4
    with pytest.raises(InvalidRasterError, match=path):
        dataset[0]


def test_data_preprocessor_rejects_band_count_not_in_config():
    init_default_scope('mmseg')
    preprocessor = MODELS.build(
        dict(type='mmringmoe.MultiBandSegDataPreProcessor', mean=[0.0] * 8, std=[1.0] * 8))
    sample = SegDataSample(metainfo=dict(img_path='scene_0_0.tif'))
    assert preprocessor(dict(inputs=[torch.zeros(8, 4, 4)],
                             data_samples=[sample]))['inputs'].shape == (1, 8, 4, 4)
    with pytest.raises(ValueError, match='scene_0_0.tif: image has 4 bands but the config normalises 8'):
        preprocessor(dict(inputs=[torch.zeros(4, 4, 4)], data_samples=[sample]))


@pytest.mark.parametrize('bands', [1, 4, 8])
def test_data_preprocessor_normalises_each_band_with_its_statistics(bands):
    init_default_scope('mmseg')
    mean, std = [10.0 * (b + 1) for b in range(bands)], [2.0 + b for b in range(bands)]
    preprocessor = MODELS.build(
        dict(type='mmringmoe.MultiBandSegDataPreProcessor', mean=mean, std=std, size=(8, 8), pad_val=0))
    image = torch.arange(bands * 6 * 6, dtype=torch.float32).reshape(bands, 6, 6)
    sample = SegDataSample(metainfo=dict(img_path='x.tif'))
    sample.gt_sem_seg = PixelData(data=torch.zeros(1, 6, 6, dtype=torch.long))
    out = preprocessor(dict(inputs=[image], data_samples=[sample]), training=True)['inputs'][0]
    expected = (image - torch.tensor(mean).view(-1, 1, 1)) / torch.tensor(std).view(-1, 1, 1)
    assert out.shape == (bands, 8, 8)  # padded to the crop
    torch.testing.assert_close(out[:, :6, :6], expected)
