"""A bank of N standard FFN experts stored as stacked weights."""
import math
from typing import List

import torch
import torch.nn as nn
import torch.nn.functional as F


class ExpertBank(nn.Module):
    """N standard FFNs ``d -> h -> d`` with GELU (the experts of Eq. 1-3).

    The weights are stacked along a leading expert axis (``fc1_weight [N, h, d]``, ``fc1_bias [N, h]``,
    ``fc2_weight [N, d, h]``, ``fc2_bias [N, d]``; each slice has ``nn.Linear``'s ``[out, in]`` layout),
    rather than N ``nn.Linear`` modules, so that pruning (keep experts = index the leading axis), merging
    (Eq. 17-20: sums, means and SVDs over the leading axis) and upcycling (repeat a dense FFN N times) are
    tensor operations on a checkpoint. Each expert is initialised like ``nn.Linear``.

    Args:
        num_experts (int): N.
        embed_dims (int): d.
        feedforward_channels (int): h (``d * mlp_ratio``).
    """

    def __init__(self, num_experts: int, embed_dims: int, feedforward_channels: int) -> None:
        super().__init__()
        self.num_experts = num_experts
        self.embed_dims = embed_dims
        self.feedforward_channels = feedforward_channels
        self.fc1_weight = nn.Parameter(torch.empty(num_experts, feedforward_channels, embed_dims))
        self.fc1_bias = nn.Parameter(torch.empty(num_experts, feedforward_channels))
        self.fc2_weight = nn.Parameter(torch.empty(num_experts, embed_dims, feedforward_channels))
        self.fc2_bias = nn.Parameter(torch.empty(num_experts, embed_dims))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """``nn.Linear``'s default initialisation, expert by expert."""
        for weight, bias in ((self.fc1_weight, self.fc1_bias), (self.fc2_weight, self.fc2_bias)):
            bound = 1 / math.sqrt(weight.shape[-1])
            for i in range(self.num_experts):
                nn.init.kaiming_uniform_(weight[i], a=math.sqrt(5))
            nn.init.uniform_(bias, -bound, bound)

    def expert_forward(self, index: int, x: torch.Tensor) -> torch.Tensor:
        """Run expert ``index`` on tokens ``x`` of shape ``[n, d]``."""
        hidden = F.gelu(F.linear(x, self.fc1_weight[index], self.fc1_bias[index]))
        return F.linear(hidden, self.fc2_weight[index], self.fc2_bias[index])

    def forward_blocks(self, blocks: List[torch.Tensor]) -> List[torch.Tensor]:
        """Run expert i on ``blocks[i]`` (``[n_i, d]``, possibly empty) for every expert.

        The weights are unbound once, so backward stacks one gradient per parameter; indexing the
        stacked parameter per expert would make autograd zero-fill a full ``[N, ...]`` gradient for each
        expert and add them up (measured: about 10% of an RMoE layer's forward+backward).
        """
        weights = zip(self.fc1_weight.unbind(0), self.fc1_bias.unbind(0), self.fc2_weight.unbind(0),
                      self.fc2_bias.unbind(0))
        return [F.linear(F.gelu(F.linear(x, w1, b1)), w2, b2) if x.shape[0] else x.new_zeros(0, self.embed_dims)
                for x, (w1, b1, w2, b2) in zip(blocks, weights)]

    def extra_repr(self) -> str:
        return (f'num_experts={self.num_experts}, embed_dims={self.embed_dims}, '
                f'feedforward_channels={self.feedforward_channels}')
