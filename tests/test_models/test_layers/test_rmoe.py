import pytest
import torch

from mmringmoe.models.layers import RMoE

MODALITIES = ['opt', 'ms', 'sar_l1', 'sar_l2']


def _layer(**kwargs):
    cfg = dict(embed_dims=16, feedforward_channels=32, modalities=MODALITIES, num_specialized_experts=4,
               num_collaborative_experts=4)
    cfg.update(kwargs)
    return RMoE(**cfg).eval()


def _reference(layer, x, modality_index):
    """Eq. 1-3 token by token: shared + sum_k G^S E^S + sum_k G^C E^C."""
    tokens = x.reshape(-1, x.shape[-1])
    token_modality = modality_index.repeat_interleave(x.shape[1])
    out = []
    for token, m in zip(tokens, token_modality.tolist()):
        y = layer.shared_expert(token[None])[0]
        name = layer.modalities[m]
        for router, bank in ((layer.specialized_routers[name], layer.specialized_experts[name]),
                             (layer.collaborative_router, layer.collaborative_experts)):
            routing = router(token[None])
            for k in range(layer.top_k):
                e = routing.expert_index[0, k].item()
                y = y + routing.gate[0, k] * bank.expert_forward(e, token[None])[0]
        out.append(y)
    return torch.stack(out).view_as(x)


@pytest.mark.parametrize('top_k', [1, 2])
def test_output_matches_eq1_token_by_token(top_k):
    layer = _layer(top_k=top_k)
    x = torch.randn(4, 6, 16)
    modality_index = torch.tensor([0, 2, 2, 3])
    torch.testing.assert_close(layer(x, modality_index), _reference(layer, x, modality_index))


def test_every_token_is_routed_none_dropped():
    layer = _layer(with_shared_expert=False)
    layer.record_expert_counts = True
    x = torch.randn(3, 50, 16)
    y = layer(x, torch.tensor([0, 0, 1]))
    assert (y.abs().sum(-1) > 0).all()
    counts = layer.expert_counts
    assert counts['specialized'][0].sum() == 100 and counts['specialized'][1].sum() == 50
    assert counts['specialized'][2:].sum() == 0
    assert counts['collaborative'].sum(1).tolist() == [100, 50, 0, 0]


def test_balance_losses_per_router_for_present_modalities_only():
    layer = _layer()
    layer(torch.randn(2, 8, 16), torch.tensor([1, 3]))
    assert set(layer.last_balance_losses) == {'collaborative', 'specialized.ms', 'specialized.sar_l2'}
    assert all(torch.isfinite(v) for v in layer.last_balance_losses.values())


def test_specialized_experts_are_isolated_per_modality():
    """A gradient from an opt token never reaches an sar_l1 specialized expert or router."""
    layer = _layer().train()
    x = torch.randn(2, 12, 16)
    y = layer(x, torch.tensor([0, 2]))  # sample 0 opt, sample 1 sar_l1
    y[0].sum().backward()  # loss on the opt sample only
    for p in list(layer.specialized_experts['sar_l1'].parameters()) + \
            list(layer.specialized_routers['sar_l1'].parameters()):
        assert p.grad is None or p.grad.abs().sum() == 0
    assert layer.specialized_experts['opt'].fc1_weight.grad.abs().sum() > 0


def test_mixed_batch_equals_per_sample_forward():
    layer = _layer()
    x = torch.randn(3, 5, 16)
    modality_index = torch.tensor([1, 0, 1])
    joint = layer(x, modality_index)
    for i in range(3):
        torch.testing.assert_close(joint[i:i + 1], layer(x[i:i + 1], modality_index[i:i + 1]))


def test_shared_expert_only_is_a_dense_ffn():
    layer = _layer(num_specialized_experts=0, num_collaborative_experts=0)
    x = torch.randn(2, 7, 16)
    torch.testing.assert_close(layer(x, torch.tensor([0, 1])), layer.shared_expert(x))
    assert layer.last_balance_losses == {}


def test_single_modality_layer_needs_no_modality_index():
    layer = _layer(modalities=['opt'])
    x = torch.randn(2, 5, 16)
    torch.testing.assert_close(layer(x), layer(x, torch.tensor([0, 0])))


def test_bad_modality_index_length_is_a_clear_error():
    with pytest.raises(ValueError, match='modality_index'):
        _layer()(torch.randn(2, 5, 16), torch.tensor([0, 1, 2]))


def test_layer_needs_at_least_one_expert():
    with pytest.raises(ValueError, match='at least one expert'):
        _layer(num_specialized_experts=0, num_collaborative_experts=0, with_shared_expert=False)
