"""Gradient checkpointing of RingMoE's blocks keeps the balance losses trainable and the counts single."""
import pytest
import torch
from mmpretrain.models.backbones.swin_transformer_v2 import SwinBlockV2

from mmringmoe.models.backbones import RingMoE
from mmringmoe.models.layers import RMoESwinBlockV2

TINY = dict(arch='tiny', window_size=4, out_indices=(0, 1, 2, 3), pad_small_map=True, drop_path_rate=0.2)


def twins(**kwargs):
    """The same RingMoE without and with gradient checkpointing (same weights)."""
    plain = RingMoE(**TINY, **kwargs).train()
    checkpointed = RingMoE(**TINY, with_cp=True, **kwargs).train()
    checkpointed.load_state_dict(plain.state_dict(), strict=False)  # SwinV2 drops its index buffers
    return plain, checkpointed


def router_grads(model):
    return {name: p.grad.clone() for name, p in model.named_parameters() if 'router' in name and p.grad is not None}


def balance_only_backward(model, x, modality, seed=0):
    torch.manual_seed(seed)  # the same routing noise and drop path in both models
    model(x, modality=modality)
    losses = model.balance_losses()
    assert all(value.requires_grad for value in losses.values())
    sum(losses.values()).backward()
    return router_grads(model)


def test_every_block_is_the_checkpoint_safe_block():
    model = RingMoE(**TINY)
    blocks = [block for stage in model.stages for block in stage.blocks]
    assert all(type(block) is RMoESwinBlockV2 and isinstance(block, SwinBlockV2) for block in blocks)


def test_balance_loss_gradient_reaches_the_routers_under_with_cp():
    plain, checkpointed = twins()
    x = [torch.randn(3, 64, 64), torch.randn(8, 64, 64)]
    expected = balance_only_backward(plain, x, ['opt', 'sar_l1'])
    got = balance_only_backward(checkpointed, x, ['opt', 'sar_l1'])
    # every router (collaborative, and the specialized ones of the modalities present) of every block
    assert len(expected) == len(got) == 2 * len(plain.rmoe_layers) * 3
    assert any(g.abs().sum() > 0 for g in expected.values())
    for name in expected:
        torch.testing.assert_close(got[name], expected[name], rtol=1e-5, atol=1e-7)


def test_whole_loss_gradients_match_under_with_cp():
    plain, checkpointed = twins()
    x = torch.randn(2, 4, 64, 64)
    grads = []
    for model in (plain, checkpointed):
        torch.manual_seed(1)
        outs = model(x, modality='ms')
        (sum(o.square().mean() for o in outs) + sum(model.balance_losses().values())).backward()
        grads.append({n: p.grad for n, p in model.named_parameters() if p.grad is not None})
    assert grads[0].keys() == grads[1].keys()
    for name in grads[0]:
        torch.testing.assert_close(grads[1][name], grads[0][name], rtol=1e-4, atol=1e-6)


def test_expert_counts_are_recorded_once_under_recomputation():
    plain, checkpointed = twins(noisy_gating=False)
    x = torch.randn(2, 3, 64, 64)
    counts = []
    for model in (plain, checkpointed):
        for layer in model.rmoe_layers:
            layer.record_expert_counts = True
        torch.manual_seed(0)
        sum(o.sum() for o in model(x, modality='opt')).backward()  # backward recomputes the blocks
        counts.append([layer.expert_counts['collaborative'].clone() for layer in model.rmoe_layers])
    tokens = [2 * 16 * 16] * 2 + [2 * 8 * 8] * 2 + [2 * 4 * 4] * 2 + [2 * 2 * 2] * 2  # per block, 'opt' row
    assert [int(c[0].sum()) for c in counts[1]] == tokens
    for a, b in zip(*counts):
        assert torch.equal(a, b)


def test_detached_balance_losses_are_refused_in_training():
    """mmpretrain's own block (reentrant checkpoint, forward under no_grad) would train no router: refused."""
    model = RingMoE(**TINY, with_cp=True).train()
    for stage in model.stages:
        for block in stage.blocks:
            block.__class__ = SwinBlockV2
    x = torch.randn(1, 3, 64, 64, requires_grad=True)
    model(x, modality='opt')
    with pytest.raises(RuntimeError, match='carry no gradient'):
        model.balance_losses()
    model.eval()
    assert set(model.balance_losses()) == {'collaborative', 'specialized.opt'}  # evaluation: nothing to train
