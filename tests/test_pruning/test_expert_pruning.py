import importlib.util
import os.path as osp

import pytest
import torch

from mmringmoe.models.backbones import RingMoE, RingMoEEP
from mmringmoe.models.utils import count_parameters, meta_device
from mmringmoe.pruning import SourceCheckpoint, StateDictReader, plan_expert_pruning
from mmringmoe.pruning.expert_pruning import kept_experts, percentile_threshold, select_collaborative_experts
from mmringmoe.registry import MODELS

TOOL = osp.join(osp.dirname(__file__), '..', '..', 'tools', 'analysis_tools', 'count_params.py')
spec = importlib.util.spec_from_file_location('count_params', TOOL)
count_params = importlib.util.module_from_spec(spec)
spec.loader.exec_module(count_params)

TINY = dict(arch='tiny', window_size=[4, 4, 4, 2], img_size=64, drop_path_rate=0.)
F = torch.tensor


def test_eq16_percentile_is_numpy_linear_interpolation():
    f = F([0.1, 0.4, 0.2, 0.3])
    assert percentile_threshold(f, 75.) == pytest.approx(
        0.3 + 0.25 * 0.1)  # sorted[2] + 0.25 (sorted[3] - sorted[2])
    assert percentile_threshold(f, 50.) == pytest.approx(0.25)


@pytest.mark.parametrize('policy, expected', [('top25', [1]), ('top50', [1, 3]), ('top75', [1, 2, 3]),
                                              ('fixed', [1, 2, 3])])
def test_policies_keep_the_top_fraction(policy, expected):
    assert kept_experts(F([0.05, 0.4, 0.2, 0.35]), policy, threshold=0.1) == expected


def test_at_or_above_the_percentile_keeps_ties_and_never_empties_a_layer():
    assert kept_experts(F([0.25, 0.25, 0.25, 0.25]), 'top25') == [0, 1, 2, 3]  # all equal the percentile
    assert kept_experts(F([0.0, 0.5, 0.0, 0.5]), 'top25') == [1, 3]
    assert kept_experts(F([0.3, 0.3, 0.2, 0.2]), 'fixed', threshold=0.5) == []  # a fixed phi may keep none
    with pytest.raises(ValueError, match='unknown pruning policy'):
        kept_experts(F([0.5, 0.5]), 'top10')


def test_union_over_modalities_per_layer():
    layers = [
        dict(opt=F([0.7, 0.1, 0.1, 0.1]), sar_l2=F([0.1, 0.1, 0.1, 0.7])),
        dict(opt=F([0.1, 0.6, 0.2, 0.1]), sar_l2=F([0.1, 0.5, 0.3, 0.1]))
    ]
    assert select_collaborative_experts(layers, ['opt', 'sar_l2']) == [[0, 3], [1]]
    assert select_collaborative_experts(layers, ['sar_l2']) == [[3], [1]]
    assert select_collaborative_experts(layers, ['opt', 'sar_l2'], 'top50') == [[0, 1, 2, 3], [1, 2]]


KEEP = [[1, 3], [0], [2], [0, 1, 2, 3], [3], [1, 2], [0, 3], [2]]


@pytest.fixture
def pruned():
    model = RingMoE(modalities=['opt', 'sar_l2'], **TINY).eval()
    source = SourceCheckpoint(StateDictReader(model.state_dict()), dict(type='mmringmoe.SimMIMRingMoE',
                                                                        **TINY))
    conversion = plan_expert_pruning(source, ['opt'], KEEP)
    ep = MODELS.build(conversion.backbone).eval()
    result = ep.load_state_dict(conversion.state_dict(), strict=False)
    assert not result.unexpected_keys and all('relative_' in k for k in result.missing_keys)
    return model, ep, conversion


def test_router_slicing_keeps_the_routing_among_kept_experts(pruned):
    model, ep, _ = pruned
    assert isinstance(ep, RingMoEEP) and ep.num_collaborative_experts == [len(k) for k in KEEP]
    for layer, kept, pruned_layer in zip(model.rmoe_layers, KEEP, ep.rmoe_layers):
        x = torch.randn(500, layer.embed_dims)
        with torch.no_grad():
            before = layer.collaborative_router(x)
            after = pruned_layer.collaborative_router(x)
        expected = torch.tensor(kept)[before.probs[:,
                                                   kept].argmax(dim=1)]  # best kept expert, original logits
        assert torch.equal(torch.tensor(kept)[after.expert_index[:, 0]], expected)
        chosen_kept = torch.isin(before.expert_index[:, 0], torch.tensor(kept))
        assert torch.equal(
            torch.tensor(kept)[after.expert_index[chosen_kept, 0]], before.expert_index[chosen_kept, 0])
        # The kept experts themselves, and the router rows, are the original ones.
        assert torch.equal(pruned_layer.collaborative_experts.fc1_weight,
                           layer.collaborative_experts.fc1_weight[kept])
        assert torch.equal(pruned_layer.collaborative_router.noise.weight,
                           layer.collaborative_router.noise.weight[kept])


def test_specialized_and_shared_experts_are_untouched(pruned):
    model, ep, _ = pruned
    for layer, pruned_layer in zip(model.rmoe_layers, ep.rmoe_layers):
        assert list(pruned_layer.specialized_experts) == ['opt']
        assert torch.equal(pruned_layer.specialized_experts['opt'].fc2_weight,
                           layer.specialized_experts['opt'].fc2_weight)
        assert torch.equal(pruned_layer.specialized_routers['opt'].gate.weight,
                           layer.specialized_routers['opt'].gate.weight)
        assert torch.equal(pruned_layer.shared_expert.layers[1].weight, layer.shared_expert.layers[1].weight)
    assert set(ep.patch_embed) == {'opt'}
    assert torch.equal(ep.patch_embed['opt'].projection.weight, model.patch_embed['opt'].projection.weight)


def test_pruned_model_runs_and_keeping_every_expert_changes_nothing():
    model = RingMoE(modalities=['opt'], **TINY).eval()
    source = SourceCheckpoint(StateDictReader(model.state_dict()), TINY)
    conversion = plan_expert_pruning(source, ['opt'], [[0, 1, 2, 3]] * 8)
    ep = MODELS.build(conversion.backbone).eval()
    ep.load_state_dict(conversion.state_dict(), strict=False)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        assert torch.equal(ep(x)[0], model(x)[0])


def test_bad_kept_lists_are_refused():
    model = RingMoE(modalities=['opt'], **TINY)
    source = SourceCheckpoint(StateDictReader(model.state_dict()), TINY)
    with pytest.raises(ValueError, match='7 kept-expert lists for the 8'):
        plan_expert_pruning(source, ['opt'], KEEP[:7])
    with pytest.raises(ValueError, match='in \\[0, 4\\)'):
        plan_expert_pruning(source, ['opt'], [[4]] + KEEP[1:])
    with pytest.raises(ValueError, match="no modality \\['ms'\\]"):
        plan_expert_pruning(source, ['ms'], KEEP)


@pytest.fixture(scope='module')
def source_1b():
    with meta_device():
        full = RingMoE(arch='1b')
    return SourceCheckpoint(StateDictReader(full.state_dict()), dict(arch='1b'))


@pytest.mark.parametrize('policy, paper', [('top25', 4.3), ('top50', 5.0), ('top75', 5.7)])
def test_pruned_1b_layouts_give_table_a1_parameter_counts(source_1b, policy, paper):
    """RingMoE-EP (Opt) from the 14.7B model: the paper's 4.3B (top 25%), 5.0B and 5.7B within 5%."""
    generator = torch.Generator().manual_seed(0)
    frequencies = [dict(opt=torch.rand(4, generator=generator).softmax(0)) for _ in range(24)]
    keep = select_collaborative_experts(frequencies, ['opt'], policy)
    conversion = plan_expert_pruning(source_1b, ['opt'], keep)
    count = conversion.num_parameters
    assert abs(count / 1e9 - paper) / paper < 0.05
    assert count == sum(conversion.specs[k].numel for k, _ in conversion.model.named_parameters())
    if policy == 'top25':
        assert count == count_parameters(count_params.build_variant('1b', 'ep', 'opt', keep_collaborative=1))


def test_ringmoe_ep_reads_its_layout_from_the_checkpoint(tmp_path, pruned):
    _, ep, conversion = pruned
    path = tmp_path / 'ep.pth'
    conversion.write(str(path), progress=False)
    cfg = {k: v for k, v in conversion.backbone.items() if k != 'num_collaborative_experts'}
    model = MODELS.build(dict(cfg, init_cfg=dict(type='Pretrained', checkpoint=str(path))))
    assert model.num_collaborative_experts == [len(k) for k in KEEP]
    model.init_weights()
    model.eval()
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        assert torch.equal(model(x)[0], ep(x)[0])
    with pytest.raises(ValueError, match='num_collaborative_experts'):
        MODELS.build(cfg)
