import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmringmoe.models.backbones import RingMoE
from mmringmoe.pruning import (SourceCheckpoint, StateDictReader, open_source, plan_decomposition,
                               plan_expert_pruning, plan_merging)
from mmringmoe.pruning.layout import model_specs
from mmringmoe.registry import MODELS

CONFIG = osp.join(osp.dirname(__file__), '..', 'data', 'configs', 'ringmoe-mim_tiny_2mod_prune.py')


@pytest.fixture(scope='module')
def pretrained(tmp_path_factory):
    """A checkpoint of the tiny pretraining model, as mmengine's Runner saves it (backbone./neck. keys)."""
    torch.manual_seed(0)
    cfg = Config.fromfile(CONFIG)
    model = MODELS.build(cfg.model)
    path = tmp_path_factory.mktemp('ckpt') / 'pretrained.pth'
    torch.save({'meta': {'epoch': 1}, 'state_dict': model.state_dict()}, path)
    return str(path), cfg, model


def test_decomposition_keeps_exactly_the_sub_model(pretrained):
    path, cfg, model = pretrained
    source = open_source(path, cfg.model.backbone, CONFIG)
    assert source.modalities == ['opt', 'sar_l2'] and source.extra_keys == ['mask_token']
    assert source.reader.dropped_keys and all(k.startswith('neck.') for k in source.reader.dropped_keys)
    conversion = plan_decomposition(source, ['sar_l2'])
    state = conversion.state_dict()
    assert not any('.opt' in k or k.startswith('mask_token') for k in state)
    sub = MODELS.build(conversion.backbone)
    assert set(state) == set(sub.state_dict())
    backbone = model.backbone.state_dict()
    assert all(torch.equal(v, backbone[k]) for k, v in state.items())
    assert conversion.num_parameters < source.num_parameters
    assert conversion.name == 'RingMoE-SAR_L2'


@pytest.mark.parametrize('plan', [
    lambda s: plan_decomposition(s, ['opt']),
    lambda s: plan_expert_pruning(s, ['opt', 'sar_l2'], [[0, 2], [1], [3], [0], [1], [2], [0, 1, 2, 3], [3]]),
    lambda s: plan_merging(s, 'opt', 'kc', rank_fraction=0.5),
])
def test_streamed_file_equals_the_in_memory_conversion(pretrained, tmp_path, plan):
    path, cfg, _ = pretrained
    conversion = plan(open_source(path, cfg.model.backbone, CONFIG))
    out = tmp_path / 'out.pth'
    conversion.write(str(out), {'note': 'test'}, progress=False)
    written = torch.load(out, weights_only=True)
    expected = conversion.state_dict()
    assert written['meta'] == {'note': 'test'} and list(written['state_dict']) == list(expected)
    assert all(torch.equal(written['state_dict'][k], v) for k, v in expected.items())
    # A written sub-model / EP checkpoint is itself a valid source, with the planned layout.
    if conversion.backbone['type'] != 'mmringmoe.RingMoE-KC':
        again = open_source(str(out), cfg.model.backbone, CONFIG)
        counts = conversion.backbone['num_collaborative_experts']
        assert again.layout['num_collaborative_experts'] == (counts
                                                             if isinstance(counts, list) else [counts] * 8)
        assert again.num_parameters == conversion.num_parameters


def test_a_different_arch_or_expert_layout_is_refused(pretrained):
    path, cfg, _ = pretrained
    with pytest.raises(ValueError,
                       match=r'pretrained.pth does not match the backbone of c.py \(arch \'base\'\)'):
        open_source(path, dict(cfg.model.backbone, arch='base'), 'c.py')
    with pytest.raises(ValueError, match='8 RMoE layers in the checkpoint, 24 blocks in the arch'):
        open_source(path, dict(cfg.model.backbone, arch='base'), 'c.py')
    wider = dict(embed_dims=48, depths=[2, 2, 2, 2], num_heads=[1, 2, 4, 8], extra_norm_every_n_blocks=0)
    with pytest.raises(ValueError,
                       match=r'shape mismatches.*\[32, 3, 4, 4\] in the checkpoint, \[48, 3, 4, 4\]'):
        open_source(path, dict(cfg.model.backbone, arch=wider), 'c.py')
    other = RingMoE(arch='tiny', window_size=[4, 4, 4, 2], modalities=['opt'], num_specialized_experts=2)
    source = SourceCheckpoint(StateDictReader(other.state_dict()), cfg.model.backbone, 'other.pth')
    assert source.layout['num_specialized_experts'] == 2  # a layout is read from the checkpoint itself
    with pytest.raises(ValueError, match='cannot build a RingMoE'):
        open_source(path, dict(cfg.model.backbone, not_an_argument=1), 'c.py')


def test_a_dense_checkpoint_is_not_a_ringmoe_source(pretrained, tmp_path):
    path, cfg, _ = pretrained
    dense = plan_merging(open_source(path, cfg.model.backbone, CONFIG), 'opt', 'ks')
    out = tmp_path / 'dense.pth'
    dense.write(str(out), progress=False)
    with pytest.raises(ValueError, match='dense.pth: not a RingMoE checkpoint.*dense SwinV2'):
        open_source(str(out), cfg.model.backbone, CONFIG)


def test_a_missing_modality_is_refused(pretrained):
    path, cfg, _ = pretrained
    source = open_source(path, cfg.model.backbone, CONFIG)
    with pytest.raises(ValueError, match=r"pretrained.pth has no modality \['ms'\]"):
        plan_merging(source, 'ms', 'ka')
    with pytest.raises(ValueError, match='each modality once'):
        plan_decomposition(source, ['opt', 'opt'])


def test_specs_are_planned_without_reading_weights(pretrained):
    """The plan reads shapes only: a conversion of a RingMoE state of meta tensors has every spec."""
    path, cfg, model = pretrained
    from mmringmoe.models.utils import meta_device
    with meta_device():
        meta = RingMoE(arch='tiny', window_size=[4, 4, 4, 2], modalities=['opt', 'sar_l2'])
    conversion = plan_merging(SourceCheckpoint(StateDictReader(meta.state_dict()), cfg.model.backbone), 'opt',
                              'ka')
    assert {
        k: s.shape
        for k, s in conversion.specs.items()
    } == {
        k: s.shape
        for k, s in model_specs(conversion.model).items() if k in conversion.specs
    }
