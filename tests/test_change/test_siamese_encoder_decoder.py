"""The Siamese segmentor (paper App. B.5.6): one backbone object sees both dates of the stacked pair, date A's
channels first; the features reach the head as (A, B) per scale; a sparse backbone adds its balance term."""
import os.path as osp

import pytest
import torch
from change_layouts import REPO
from mmengine.config import Config, ConfigDict
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmringmoe.registry import MODELS

TINY = dict(arch='tiny', img_size=32, window_size=4, out_indices=(0, 1, 2, 3), pad_small_map=True,
            drop_path_rate=0.0, modality='opt')


def siamese(model_type='mmringmoe.SiameseEncoderDecoder', backbone=None, **kwargs):
    init_default_scope('mmseg')
    return MODELS.build(
        dict(
            type=model_type,
            data_preprocessor=dict(type='mmringmoe.MultiBandSegDataPreProcessor', mean=[0.0] * 6, std=[1.0] * 6),
            backbone=backbone or dict(TINY, type='mmringmoe.RingMoE-KC'),
            decode_head=dict(type='mmringmoe.BITHead', in_channels=[32, 64, 128, 256], in_index=[0, 1, 2, 3],
                             channels=16, num_classes=2, out_channels=2, dec_depth=1, num_heads=2, head_dims=8,
                             norm_cfg=dict(type='BN')),
            test_cfg=ConfigDict(mode='whole'),
            **kwargs))


def samples(n, size=32):
    out = []
    for _ in range(n):
        sample = SegDataSample(metainfo=dict(img_shape=(size, size), ori_shape=(size, size), pad_shape=(size, size)))
        sample.gt_sem_seg = PixelData(data=torch.randint(0, 2, (1, size, size)))
        out.append(sample)
    return out


def test_one_backbone_sees_both_dates_in_one_batch():
    model = siamese().eval()
    assert [name for name, _ in model.named_children()].count('backbone') == 1
    assert not any(isinstance(m, type(model.backbone)) for m in model.decode_head.modules())
    seen = []
    model.backbone.register_forward_pre_hook(lambda module, args: seen.append(args[0]))
    first, second = torch.full((2, 3, 32, 32), 1.0), torch.full((2, 3, 32, 32), 2.0)
    feats = model.extract_feat(torch.cat([first, second], dim=1))
    assert len(seen) == 1 and seen[0].shape == (4, 3, 32, 32)  # A_1, A_2, B_1, B_2 through the same weights
    assert torch.equal(seen[0][:2], first) and torch.equal(seen[0][2:], second)
    own = model.backbone(first)
    assert [f.shape[1] for f in feats] == [64, 128, 256, 512]
    for stacked, alone in zip(feats, own):
        assert torch.allclose(stacked[:, :alone.shape[1]], alone, atol=1e-5)  # date A's half is A's features


def test_both_dates_train_the_one_backbone():
    model = siamese().train()
    inputs = torch.randn(2, 6, 32, 32, requires_grad=True)
    losses = model.loss(inputs, samples(2))
    losses['decode.loss_ce'].backward()
    grads = [p.grad for p in model.backbone.parameters() if p.requires_grad]
    assert grads and all(g is not None for g in grads)
    assert inputs.grad[:, :3].abs().sum() > 0 and inputs.grad[:, 3:].abs().sum() > 0  # through A and through B


def test_predict_returns_change_maps_as_seg_data_samples():
    model = siamese().eval()
    with torch.no_grad():
        out = model.predict(torch.randn(2, 6, 32, 32), samples(2))
    assert out[0].seg_logits.data.shape == (2, 32, 32)
    assert out[0].pred_sem_seg.data.shape == (1, 32, 32)
    assert set(out[0].pred_sem_seg.data.unique().tolist()) <= {0, 1}


def test_odd_channel_count_is_refused():
    with pytest.raises(ValueError, match='input has 5 channels; a pair stacks two dates'):
        siamese().extract_feat(torch.zeros(1, 5, 32, 32))


def test_the_configs_freeze_stage_one_only():
    """Paper App. B.5.6: the first stage frozen, stages 2-4 trained (mmpretrain's frozen_stages counts from 0)."""
    cfg = Config.fromfile(osp.join(REPO, 'configs/_base_/models/bit_ringmoe_kc.py'))
    model = siamese()
    model.backbone = MODELS.build(dict(TINY, type='mmringmoe.RingMoE-KC',
                                       frozen_stages=cfg.model.backbone.frozen_stages))
    backbone = model.train().backbone
    assert not any(p.requires_grad for p in [*backbone.patch_embed.parameters(), *backbone.stages[0].parameters()])
    for stage in backbone.stages[1:]:
        assert all(p.requires_grad for p in stage.parameters())


def test_sparse_backbone_adds_its_balance_loss():
    sparse = dict(TINY, type='mmringmoe.RingMoE', modalities=['opt'])
    del sparse['modality']
    model = siamese('mmringmoe.MoESiameseEncoderDecoder', sparse, balance_loss_weight=0.5).train()
    losses = model.loss(torch.randn(2, 6, 32, 32), samples(2))
    raw = model.backbone.balance_losses()
    assert {k for k in losses if k.startswith('loss_balance_')} == {
        'loss_balance_collaborative', 'loss_balance_specialized_opt'}
    torch.testing.assert_close(losses['loss_balance_collaborative'], 0.5 * raw['collaborative'])
