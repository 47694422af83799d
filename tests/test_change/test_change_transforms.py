"""Pair augmentation (paper App. B.5.6): geometric transforms move both dates and the label alike, photometric
ones draw anew for each date; the Gaussian blur keeps dtype and shape."""
import numpy as np
import pytest
from mmcv.transforms import Compose
from mmengine.registry import init_default_scope

from mmringmoe.registry import TRANSFORMS


def pipeline(transforms):
    init_default_scope('mmseg')
    return Compose([TRANSFORMS.build(t) for t in transforms])


def photometric():
    return dict(type='mmringmoe.PerDatePhotometric', transforms=[
        dict(type='PhotoMetricDistortion'), dict(type='mmringmoe.RandomGaussianBlur', prob=1.0)])


def test_each_date_gets_its_own_photometric_draw():
    date = np.random.default_rng(0).integers(30, 220, (32, 32, 3)).astype(np.uint8)
    out = pipeline([photometric()])(dict(img=np.concatenate([date, date], axis=2), pair_channels=(3, 3)))
    img = out['img']
    assert img.shape == (32, 32, 6) and img.dtype == np.uint8
    assert not np.array_equal(img[..., :3], img[..., 3:])  # identical dates, different draws
    assert not np.array_equal(img[..., :3], date)


def test_geometry_moves_both_dates_and_the_label_together():
    rng = np.random.default_rng(1)
    date = rng.integers(0, 256, (48, 48, 3)).astype(np.uint8)
    label = (date[..., 0] > 127).astype(np.uint8)
    out = pipeline([
        dict(type='RandomResize', scale=(48, 48), ratio_range=(1.0, 1.2), keep_ratio=True, interpolation='nearest'),
        dict(type='RandomCrop', crop_size=(40, 40)),
        dict(type='RandomFlip', prob=1.0, direction='horizontal'),
        dict(type='RandomFlip', prob=1.0, direction='vertical'),
    ])(dict(img=np.concatenate([date, date], axis=2), gt_seg_map=label, seg_fields=['gt_seg_map']))
    img = out['img']
    assert img.shape == (40, 40, 6)
    assert np.array_equal(img[..., :3], img[..., 3:])  # the same geometry on both dates
    assert np.array_equal(out['gt_seg_map'], (img[..., 0] > 127).astype(np.uint8))  # and on the label


def test_channel_count_must_match_the_pair():
    with pytest.raises(ValueError, match='a.png has 5 channels but its pair has 3 \\+ 3'):
        pipeline([photometric()])(dict(img=np.zeros((8, 8, 5), np.uint8), pair_channels=(3, 3), img_path='a.png'))


@pytest.mark.parametrize('dtype', [np.uint8, np.uint16, np.float32])
def test_blur_keeps_dtype_and_shape_and_smooths(dtype):
    img = np.zeros((16, 16, 1), dtype)
    img[8, 8] = 200
    out = pipeline([dict(type='mmringmoe.RandomGaussianBlur', sigma_range=(0.9, 1.0), prob=1.0)])(dict(img=img))
    assert out['img'].dtype == dtype and out['img'].shape == (16, 16, 1)
    assert 0 < out['img'][8, 8, 0] < 200 and out['img'][8, 9, 0] > 0
