import math

import pytest
import torch

from mmringmoe.models.layers import NoisyTopKRouter, Routing, load_balance_loss


def _routing(probs, index):
    probs = torch.tensor(probs)
    index = torch.tensor(index).view(len(index), -1)
    return Routing(probs, index, probs.gather(1, index))


def test_balance_loss_perfectly_balanced_is_one():
    # 4 tokens, 4 experts, uniform probabilities, one token per expert: N * sum(1/4 * 1/4) = 1.
    routing = _routing([[0.25] * 4] * 4, [0, 1, 2, 3])
    assert load_balance_loss(routing).item() == pytest.approx(1.0)


def test_balance_loss_collapsed_router_is_n():
    # Every token sent to expert 0 with probability 1: f = (1, 0, 0, 0), P = (1, 0, 0, 0) -> N.
    routing = _routing([[1.0, 0.0, 0.0, 0.0]] * 3, [0, 0, 0])
    assert load_balance_loss(routing).item() == pytest.approx(4.0)


def test_balance_loss_hand_computed():
    # Eq. 8-10 by hand: f = (2/3, 1/3), P = ((0.9 + 0.6 + 0.2)/3, (0.1 + 0.4 + 0.8)/3).
    routing = _routing([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8]], [0, 0, 1])
    f = (2 / 3, 1 / 3)
    p = ((0.9 + 0.6 + 0.2) / 3, (0.1 + 0.4 + 0.8) / 3)
    assert load_balance_loss(routing).item() == pytest.approx(2 * (f[0] * p[0] + f[1] * p[1]))


def test_balance_loss_top2_counts_every_assignment():
    routing = _routing([[0.5, 0.3, 0.2]] * 2, [[0, 1], [0, 2]])
    f = (2 / 4, 1 / 4, 1 / 4)
    assert load_balance_loss(routing).item() == pytest.approx(3 * (f[0] * .5 + f[1] * .3 + f[2] * .2))


def test_balance_loss_of_empty_router_is_zero_and_differentiable():
    probs = torch.zeros(0, 4, requires_grad=True)
    loss = load_balance_loss(Routing(probs, torch.zeros(0, 1, dtype=torch.long), probs[:, :1]))
    loss.backward()
    assert loss.item() == 0.0 and not math.isnan(loss.item())


def test_balance_loss_gradient_flows_through_probabilities_only():
    router = NoisyTopKRouter(8, 4, noisy=False)
    loss = load_balance_loss(router(torch.randn(16, 8)))
    loss.backward()
    assert router.gate.weight.grad is not None and router.gate.weight.grad.abs().sum() > 0


def test_router_gate_is_softmax_probability_of_chosen_expert():
    router = NoisyTopKRouter(8, 4, top_k=2).eval()
    x = torch.randn(5, 8)
    routing = router(x)
    probs = torch.softmax(x @ router.gate.weight.t(), dim=-1)
    torch.testing.assert_close(routing.probs, probs)
    torch.testing.assert_close(routing.gate, probs.topk(2, dim=-1).values)
    assert routing.expert_index.shape == (5, 2)


def test_router_noise_only_in_training():
    router = NoisyTopKRouter(8, 4)
    x = torch.randn(64, 8)
    router.eval()
    torch.testing.assert_close(router(x).probs, router(x).probs)
    router.train()
    assert not torch.allclose(router(x).probs, router(x).probs)


@pytest.mark.parametrize('kwargs', [dict(num_experts=0), dict(num_experts=2, top_k=3), dict(num_experts=2, top_k=0)])
def test_router_rejects_bad_sizes(kwargs):
    with pytest.raises(ValueError):
        NoisyTopKRouter(8, **kwargs)
