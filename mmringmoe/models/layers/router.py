"""Noisy top-K router and its load-balance loss (paper App. A Eq. 13-14; Sec. 3.2 Eq. 8-10)."""
from typing import NamedTuple

import torch
import torch.nn as nn
import torch.nn.functional as F


class Routing(NamedTuple):
    """What a router decided for T tokens.

    Attributes:
        probs: ``H(x)`` of Eq. 14, the softmax before top-K, ``[T, N]`` (float32).
        expert_index: the K chosen experts per token, ``[T, K]``, best first.
        gate: ``G(x)`` of Eq. 13 at the chosen experts, ``[T, K]``: the softmax probabilities themselves
            (the paper states no renormalisation over the K chosen ones).
    """
    probs: torch.Tensor
    expert_index: torch.Tensor
    gate: torch.Tensor


class NoisyTopKRouter(nn.Module):
    """Noisy top-K gating (Eq. 13-14): ``H(x) = Softmax(x W_g + N(0, 1) * Softplus(x W_noise))``.

    The noise term is added in training mode only. Routing is computed in float32 whatever the input
    dtype (AMP), so that ties and the balance loss do not depend on the precision of the experts.

    Args:
        in_features (int): token width d.
        num_experts (int): N, the number of experts this router chooses among.
        top_k (int): K experts per token. Defaults to 1 (the paper's Eq. 9 and 15 speak of "the" expert).
        noisy (bool): learn ``W_noise`` and add the noise in training. Defaults to True.
    """

    def __init__(self, in_features: int, num_experts: int, top_k: int = 1, noisy: bool = True) -> None:
        super().__init__()
        if num_experts < 1:
            raise ValueError(f'num_experts must be >= 1, got {num_experts}')
        if not 1 <= top_k <= num_experts:
            raise ValueError(f'top_k must be in [1, num_experts={num_experts}], got {top_k}')
        self.num_experts = num_experts
        self.top_k = top_k
        self.gate = nn.Linear(in_features, num_experts, bias=False)
        self.noise = nn.Linear(in_features, num_experts, bias=False) if noisy else None

    def forward(self, x: torch.Tensor) -> Routing:
        """Route tokens ``x`` of shape ``[T, d]``."""
        x = x.float()
        logits = F.linear(x, self.gate.weight.float())
        if self.training and self.noise is not None:
            noise_std = F.softplus(F.linear(x, self.noise.weight.float()))
            logits = logits + torch.randn_like(logits) * noise_std
        probs = logits.softmax(dim=-1)
        gate, expert_index = probs.topk(self.top_k, dim=-1)
        return Routing(probs, expert_index, gate)


def load_balance_loss(routing: Routing) -> torch.Tensor:
    """One router's balance loss, Eq. 8-10: ``N * sum_k f_k * P_k``.

    ``f_k`` (Eq. 9) is the fraction of this router's token-to-expert assignments that go to expert k (with
    K > 1 each token makes K assignments, so the f_k still sum to 1); ``P_k`` (Eq. 10) is the mean over the
    router's tokens of ``H_k``, the softmax before top-K. A perfectly balanced router gives 1. Gradients
    flow through ``P`` only (``f`` is a count). A router that saw no token contributes an exact zero that
    is still connected to the graph (no NaN from an empty mean).
    """
    probs, expert_index = routing.probs, routing.expert_index
    num_experts = probs.shape[-1]
    if probs.shape[0] == 0:
        return probs.sum() * 0.0
    counts = torch.bincount(expert_index.reshape(-1), minlength=num_experts).to(probs.dtype)
    fraction = counts / expert_index.numel()
    mean_prob = probs.mean(dim=0)
    return num_experts * torch.sum(fraction * mean_prob)
