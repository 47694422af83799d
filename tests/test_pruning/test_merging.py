import importlib.util
import os.path as osp

import pytest
import torch
from mmpretrain.models.backbones import SwinTransformerV2

from mmringmoe.models.backbones import RingMoE, RingMoEKC
from mmringmoe.models.backbones.arch_zoo import RINGMOE_ARCH_ZOO
from mmringmoe.models.utils import count_parameters, meta_device
from mmringmoe.pruning import SourceCheckpoint, StateDictReader, plan_merging
from mmringmoe.pruning.merging import (default_rank, knowledge_average, knowledge_compress, knowledge_sum,
                                       low_rank_merge, merge_biases, rank_from_fraction, truncated_svd)

TOOL = osp.join(osp.dirname(__file__), '..', '..', 'tools', 'analysis_tools', 'count_params.py')
spec = importlib.util.spec_from_file_location('count_params', TOOL)
count_params = importlib.util.module_from_spec(spec)
spec.loader.exec_module(count_params)

TINY = dict(arch='tiny', window_size=[4, 4, 4, 2], img_size=64, drop_path_rate=0.)


def _experts(n, out=32, inp=8):
    return [torch.randn(out, inp, dtype=torch.float64) for _ in range(n)]


def test_eq17_sum_and_average():
    spec, collab, shared = _experts(4), _experts(4), torch.randn(32, 8, dtype=torch.float64)
    direct = torch.stack(spec).sum(0) + torch.stack(collab).sum(0) + shared
    torch.testing.assert_close(knowledge_sum(iter(spec + collab + [shared])), direct)
    torch.testing.assert_close(knowledge_average(iter(spec + collab + [shared])), direct / 9)
    assert all(torch.equal(a, b) for a, b in zip(spec, spec))  # inputs are not modified in place


def test_eq18_truncated_svd_keeps_the_top_singular_values():
    weight = torch.randn(32, 8, dtype=torch.float64)
    u, s, vh = truncated_svd(weight, 3)
    assert u.shape == (32, 3) and s.shape == (3, ) and vh.shape == (3, 8)
    torch.testing.assert_close(s, torch.linalg.svdvals(weight)[:3])
    assert truncated_svd(weight, 100)[1].shape == (8, )  # clamped to the number of singular values


def test_eq19_is_the_block_product_of_the_concatenated_factors():
    experts, rank = _experts(4), 3
    factors = [truncated_svd(w, rank) for w in experts]
    u_cat = torch.cat([u for u, _, _ in factors], dim=1)  # [U_1, ..., U_N]
    s_block = torch.block_diag(*[torch.diag(s) for _, s, _ in factors])  # blockdiag(S_1, ..., S_N)
    v_cat = torch.cat([vh for _, _, vh in factors], dim=0)  # [V_1^T; ...; V_N^T]
    torch.testing.assert_close(low_rank_merge(iter(experts), rank), u_cat @ s_block @ v_cat)


def test_eq20_kc_is_low_rank_merges_plus_the_shared_expert():
    spec, collab, shared = _experts(4), _experts(2), torch.randn(32, 8, dtype=torch.float64)
    expected = low_rank_merge(spec, 2) + low_rank_merge(collab, 5) + shared
    torch.testing.assert_close(knowledge_compress(iter(spec), iter(collab), shared, 2, 5), expected)
    torch.testing.assert_close(knowledge_compress(iter(spec), iter([]), None, 2, 5), low_rank_merge(spec, 2))


def test_kc_equals_ks_at_the_papers_rank_and_differs_below_it():
    """K = d2 / N with h = 4d and N = 4 is d: the full rank of a [4d, d] expert."""
    d = 8
    spec, collab, shared = _experts(4, 4 * d, d), _experts(4, 4 * d, d), torch.randn(4 * d,
                                                                                     d,
                                                                                     dtype=torch.float64)
    k = default_rank(4 * d, 4)
    assert k == d == min(spec[0].shape)
    ks = knowledge_sum(spec + collab + [shared])
    torch.testing.assert_close(knowledge_compress(spec, collab, shared, k, k), ks)
    low = knowledge_compress(spec, collab, shared, d // 2, d // 2)
    assert (low - ks).abs().max() > 0.1
    assert rank_from_fraction((4 * d, d), 0.5) == d // 2 and rank_from_fraction((4 * d, d), 1.0) == d


def test_biases_sum_for_ks_kc_and_average_for_ka():
    biases = [torch.randn(16) for _ in range(9)]
    total = torch.stack(biases).sum(0)
    torch.testing.assert_close(merge_biases(iter(biases), 'ks'), total)
    torch.testing.assert_close(merge_biases(iter(biases), 'kc'), total)
    torch.testing.assert_close(merge_biases(iter(biases), 'ka'), total / 9)


@pytest.fixture
def tiny():
    model = RingMoE(modalities=['opt', 'sar_l2'], **TINY).eval()
    return model, SourceCheckpoint(StateDictReader(model.state_dict()),
                                   dict(type='mmringmoe.SimMIMRingMoE', **TINY))


def test_merged_layers_against_direct_computation(tiny):
    model, source = tiny
    layer = model.rmoe_layers[5]  # stage 2, block 1
    prefix = 'stages.2.blocks.1.ffn.'
    spec, collab, shared = layer.specialized_experts['opt'], layer.collaborative_experts, layer.shared_expert
    merged = {m: plan_merging(source, 'opt', m).state_dict() for m in ('ks', 'ka', 'kc')}
    low = plan_merging(source, 'opt', 'kc', rank_fraction=0.25).state_dict()
    for fc, dense, shared_linear in (('fc1', 'layers.0.0', shared.layers[0][0]), ('fc2', 'layers.1',
                                                                                  shared.layers[1])):
        weights = torch.cat(
            [getattr(spec, f'{fc}_weight'),
             getattr(collab, f'{fc}_weight'), shared_linear.weight[None]]).detach()
        biases = torch.cat(
            [getattr(spec, f'{fc}_bias'),
             getattr(collab, f'{fc}_bias'), shared_linear.bias[None]]).detach()
        torch.testing.assert_close(merged['ks'][f'{prefix}{dense}.weight'], weights.sum(0))
        torch.testing.assert_close(merged['ka'][f'{prefix}{dense}.weight'], weights.mean(0))
        torch.testing.assert_close(merged['ks'][f'{prefix}{dense}.bias'], biases.sum(0))
        torch.testing.assert_close(merged['ka'][f'{prefix}{dense}.bias'], biases.mean(0))
        torch.testing.assert_close(merged['kc'][f'{prefix}{dense}.bias'], biases.sum(0))
        torch.testing.assert_close(merged['kc'][f'{prefix}{dense}.weight'],
                                   weights.sum(0),
                                   atol=1e-5,
                                   rtol=1e-4)
        # rank 0.25 * min(h, d) = 32: the experts' own rank-32 truncated SVDs (Eq. 18-20), computed here.
        truncated = []
        for w in weights[:-1]:
            u, s, vh = torch.linalg.svd(w, full_matrices=False)
            truncated.append(u[:, :32] @ torch.diag(s[:32]) @ vh[:32])
        torch.testing.assert_close(low[f'{prefix}{dense}.weight'],
                                   torch.stack(truncated).sum(0) + weights[-1],
                                   atol=1e-5,
                                   rtol=1e-4)
        assert (low[f'{prefix}{dense}.weight'] - weights.sum(0)).abs().max() > 1e-2
    assert torch.equal(merged['ks']['patch_embed.projection.weight'],
                       model.patch_embed['opt'].projection.weight)


def test_kc_info_states_when_the_rank_is_full(tiny):
    _, source = tiny
    assert plan_merging(source, 'opt', 'kc').info['full_rank'] is True
    info = plan_merging(source, 'opt', 'kc', rank_fraction=0.5).info
    assert info['full_rank'] is False and info['ranks'][0] == dict(
        layer='stages.0.blocks.0.ffn', full=32, specialized=16, collaborative=16)
    with pytest.raises(ValueError, match='knowledge compressing \\(kc\\) only'):
        plan_merging(source, 'opt', 'ks', rank_fraction=0.5)


@pytest.mark.parametrize('method', ['ks', 'ka', 'kc'])
def test_merged_checkpoint_loads_into_ringmoe_kc_and_mmpretrain_swinv2(tiny, tmp_path, method):
    _, source = tiny
    conversion = plan_merging(source, 'sar_l2', method)
    path = tmp_path / f'{method}.pth'
    conversion.write(str(path), progress=False)
    init = dict(type='Pretrained', checkpoint=str(path))
    kc = RingMoEKC(arch='tiny', modality='sar_l2', window_size=[4, 4, 4, 2], init_cfg=init)
    swin = SwinTransformerV2(arch=RINGMOE_ARCH_ZOO['tiny'],
                             in_channels=1,
                             window_size=[4, 4, 4, 2],
                             pretrained_window_sizes=[4, 4, 4, 2],
                             init_cfg=init)
    kc.init_weights()
    swin.init_weights()
    kc.eval()
    swin.eval()
    state = torch.load(path, weights_only=True)['state_dict']
    for model in (kc, swin):
        loaded = model.state_dict()
        assert all(torch.equal(loaded[k], v) for k, v in state.items() if 'relative_' not in k)
    x = torch.randn(2, 1, 64, 64)
    with torch.no_grad():
        assert torch.equal(kc(x)[0], swin(x)[0])


def test_1b_dense_count_is_the_dense_variant(tiny):
    with meta_device():
        full = RingMoE(arch='1b')
    source = SourceCheckpoint(StateDictReader(full.state_dict()), dict(arch='1b'))
    conversion = plan_merging(source, 'opt', 'kc')
    expected = count_parameters(count_params.build_variant('1b', 'dense', 'opt'))
    assert conversion.num_parameters == expected
    assert round(expected / 1e9) == 1  # the paper's "1B" (1.061B: count_params' test explains the 6%)
    assert conversion.info['full_rank'] is True  # the paper's 1b: KC == KS
