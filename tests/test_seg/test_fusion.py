"""Optical + SAR fusion (paper App. B.5.3): each backbone receives its own modality, the features are fused
per scale, and the pair pipeline gives both images and the label the same geometric augmentation."""
import numpy as np
import pytest
import torch
from mmcv.transforms import Compose
from mmengine.registry import init_default_scope
from seg_layouts import SIZE, TINY_DIMS, write_tif

from mmringmoe.registry import MODELS, TRANSFORMS

TINY = dict(
    type='mmringmoe.RingMoE-KC',
    arch='tiny',
    img_size=SIZE,
    window_size=4,
    out_indices=(0, 1, 2, 3),
    pad_small_map=True,
    drop_path_rate=0.0)


def fusion_model():
    init_default_scope('mmseg')
    return MODELS.build(
        dict(
            type='mmringmoe.DualModalityEncoderDecoder',
            data_preprocessor=dict(
                type='mmringmoe.MultiBandSegDataPreProcessor', mean=[0.0] * 4, std=[1.0] * 4),
            in_channels=(3, 1),
            backbone=dict(TINY, modality='opt'),
            second_backbone=dict(TINY, modality='sar_l2'),
            fusion=dict(type='mmringmoe.ConcatConvFusion', in_channels=[TINY_DIMS, TINY_DIMS]),
            decode_head=dict(
                type='UPerHead',
                in_channels=TINY_DIMS,
                in_index=[0, 1, 2, 3],
                channels=16,
                num_classes=7,
                norm_cfg=dict(type='BN'))))


def test_each_backbone_receives_its_own_modality():
    model = fusion_model().eval()
    assert (model.backbone.modality, model.second_backbone.modality) == ('opt', 'sar_l2')
    seen = {}
    model.backbone.register_forward_pre_hook(lambda m, args: seen.update(opt=args[0]))
    model.second_backbone.register_forward_pre_hook(lambda m, args: seen.update(sar=args[0]))
    stacked = torch.cat([torch.full((2, 3, SIZE, SIZE), 1.0), torch.full((2, 1, SIZE, SIZE), 2.0)], dim=1)
    feats = model.extract_feat(stacked)
    assert seen['opt'].shape == (2, 3, SIZE, SIZE) and bool((seen['opt'] == 1.0).all())
    assert seen['sar'].shape == (2, 1, SIZE, SIZE) and bool((seen['sar'] == 2.0).all())
    assert [f.shape[1] for f in feats] == TINY_DIMS


def test_fused_features_depend_on_both_modalities():
    model = fusion_model().eval()
    x = torch.randn(1, 4, SIZE, SIZE)
    base = model.extract_feat(x)
    for channel in (0, 3):  # an optical band, then the SAR band
        changed = x.clone()
        changed[:, channel] += 1.0
        assert not torch.allclose(model.extract_feat(changed)[0], base[0])


def test_wrong_channel_count_is_reported():
    with pytest.raises(ValueError, match='input has 3 channels, expected 3 \\+ 1'):
        fusion_model().extract_feat(torch.zeros(1, 3, SIZE, SIZE))


def test_pair_gets_the_same_geometric_augmentation(tmp_path):
    """SAR = the optical red band and label = red // 32: after resize, crop and flip they still agree."""
    rng = np.random.default_rng(0)
    red = np.kron(rng.integers(0, 8, (8, 8)), np.ones((8, 8), dtype=np.int64)).astype(np.uint8) * 32
    optical = np.stack([red, 255 - red, red // 2, red]).astype(np.uint8)
    write_tif(f'{tmp_path}/opt.tif', optical)
    write_tif(f'{tmp_path}/sar.tif', red[None])
    write_tif(f'{tmp_path}/lbl.tif', (red // 32 * 10)[None])
    init_default_scope('mmseg')
    pipeline = Compose([
        TRANSFORMS.build(t) for t in [
            dict(
                type='mmringmoe.LoadRasterPair',
                first=dict(modality='opt', bands=[1, 2, 3], expected_bands=3),
                second=dict(modality='sar_l2', expected_bands=1)),
            dict(type='mmringmoe.LoadSegAnnotations'),
            dict(
                type='RandomResize',
                scale=(SIZE, SIZE),
                ratio_range=(0.75, 2.0),  # the 64 px pair stays at least 48 px: the crop is always 40 x 40
                keep_ratio=True,
                resize_type='Resize',
                interpolation='nearest'),
            dict(type='RandomCrop', crop_size=(40, 40)),
            dict(type='RandomFlip', prob=1.0, direction='horizontal'),
        ]
    ])
    info = dict(
        img_path=f'{tmp_path}/opt.tif',
        img_path2=f'{tmp_path}/sar.tif',
        seg_map_path=f'{tmp_path}/lbl.tif',
        seg_value_map={v: v // 10
                       for v in range(0, 80, 10)},
        reduce_zero_label=False,
        seg_fields=[],
        num_classes=8)
    out = pipeline(info)
    img, label = out['img'], out['gt_seg_map']
    assert img.shape == (40, 40, 4) and out['flip']
    assert np.array_equal(img[..., 3], img[..., 0])  # SAR still on its optical pixel
    assert np.array_equal(label, (img[..., 0] // 32).astype(np.uint8))  # label too
    assert not np.array_equal(img[..., 0], red[:40, :40])  # and the geometry did change
