"""Dense expert integration: knowledge summing, averaging and compressing (paper Sec. 3.4.2, App. B.4.2).

Each RMoE layer of a single-modality RingMoE becomes one FFN (a plain SwinV2 block, ``mmringmoe.RingMoE-KC``)
whose two linear layers are built from the experts' (modality ``m``'s specialized experts, the
collaborative experts, the shared expert); the routers are dropped.

Weights here are in ``nn.Linear``'s ``[out, in]`` layout: ``fc1`` is ``[h, d]``, ``fc2`` is ``[d, h]``. The
paper writes ``x W`` with ``W_1 in R^{d1 x d2}`` (``d1 = d`` tokens, ``d2 = h`` hidden), the transpose of
``fc1``; transposition changes neither sums nor singular values, so every equation applies as written.

Expert matrices are taken from iterables, one at a time, so that a 1b layer is merged with one expert
matrix in memory; the arithmetic is done in float32 (float64 inputs stay float64).
"""
from typing import Iterable, Optional, Tuple

import torch

METHODS = ('ks', 'ka', 'kc')


def _compute_dtype(tensor: torch.Tensor) -> torch.dtype:
    return torch.float64 if tensor.dtype == torch.float64 else torch.float32


def knowledge_sum(weights: Iterable[torch.Tensor]) -> torch.Tensor:
    """Knowledge summing, Eq. 17: ``W = sum_k W^S_k + sum_k W^C_k + W^Shared``.

    Args:
        weights: every expert's matrix (or bias) of one linear layer, in any order.
    """
    total = None
    for weight in weights:
        weight = weight.to(_compute_dtype(weight))
        total = weight.clone() if total is None else total.add_(weight)
    if total is None:
        raise ValueError('knowledge_sum: no expert weights')
    return total


def knowledge_average(weights: Iterable[torch.Tensor]) -> torch.Tensor:
    """Knowledge averaging (Sec. 3.4.2, "similar to summing, we average"): Eq. 17 divided by the number
    of experts, ``(N_S + N_C + 1)`` with a shared expert."""
    count = 0

    def counted(items):
        nonlocal count
        for item in items:
            count += 1
            yield item

    total = knowledge_sum(counted(weights))
    return total.div_(count)


def truncated_svd(weight: torch.Tensor, rank: int) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Eq. 18: ``W = U S V^T ~ U_K S_K V_K^T``, the top-``rank`` singular triplets of ``weight``.

    ``rank`` is clamped to ``min(W.shape)``, the number of singular values there are.

    Returns:
        ``U_K [out, K]``, ``S_K [K]``, ``V_K^T [K, in]``.
    """
    if rank < 1:
        raise ValueError(f'rank must be >= 1, got {rank}')
    u, s, vh = torch.linalg.svd(weight.to(_compute_dtype(weight)), full_matrices=False)
    rank = min(rank, s.shape[0])
    return u[:, :rank], s[:rank], vh[:rank]


def low_rank_merge(weights: Iterable[torch.Tensor], rank: int) -> torch.Tensor:
    """Eq. 19: ``M = [U_1, ..., U_N] blockdiag(S_1, ..., S_N) [V_1^T; ...; V_N^T]``.

    The block product of the concatenated rank-``K`` factors (Eq. 18) of the ``N`` experts equals the sum
    of their truncated SVDs, ``sum_i U_i S_i V_i^T``, which is how it is computed: one expert at a time,
    without the ``[out, N K]`` concatenation. ``tests/test_pruning/test_merging.py`` checks the identity
    against the literal block product.

    Args:
        weights: the ``N`` expert matrices of one kind (specialized of one modality, or collaborative).
        rank: K, singular values kept per expert.
    """
    total = None
    for weight in weights:
        u, s, vh = truncated_svd(weight, rank)
        term = (u * s) @ vh
        total = term if total is None else total.add_(term)
    if total is None:
        raise ValueError('low_rank_merge: no expert weights')
    return total


def default_rank(hidden: int, num_experts: int) -> int:
    """The paper's ``K = d2 / N`` (App. B.4.2), ``d2 = h`` the hidden width of an expert.

    With ``mlp_ratio = 4`` and ``N = 4`` this is ``d = min(h, d)``: the full rank of an expert matrix, so
    knowledge compressing keeps every singular value and equals knowledge summing up to float error
    (documented in ``docs/pruning.md``, "KC equals KS in the paper's setting"; :func:`rank_from_fraction`
    gives real low-rank merging).
    """
    return max(1, hidden // max(1, num_experts))


def rank_from_fraction(weight_shape: Tuple[int, int], fraction: float) -> int:
    """``K = round(fraction * min(out, in))`` (at least 1): ``fraction = 1`` keeps the full rank."""
    if not 0. < fraction <= 1.:
        raise ValueError(f'rank fraction must lie in (0, 1], got {fraction}')
    return max(1, round(fraction * min(weight_shape)))


def knowledge_compress(specialized: Iterable[torch.Tensor], collaborative: Iterable[torch.Tensor],
                       shared: Optional[torch.Tensor], rank_specialized: int,
                       rank_collaborative: int) -> torch.Tensor:
    """Knowledge compressing, Eq. 20: ``W = M^S + M^C + W^Shared``.

    ``M^S`` and ``M^C`` are Eq. 19's low-rank merges of the specialized experts (rank ``K = d2 / N_S`` in
    the paper) and of the collaborative experts (``K = d2 / N_C``); the shared expert is added unchanged.
    An empty group (no specialized or collaborative experts, no shared expert) contributes nothing.
    """
    parts = []
    for weights, rank in ((specialized, rank_specialized), (collaborative, rank_collaborative)):
        weights = iter(weights)
        first = next(weights, None)
        if first is not None:
            parts.append(low_rank_merge(_chain(first, weights), rank))
    if shared is not None:
        parts.append(shared.to(_compute_dtype(shared)))
    if not parts:
        raise ValueError('knowledge_compress: no expert weights')
    return knowledge_sum(parts)


def merge_biases(biases: Iterable[torch.Tensor], method: str) -> torch.Tensor:
    """The merged FFN's bias (the paper is silent on biases).

    ``ks`` and ``kc`` sum the experts' biases, ``ka`` averages them: the bias is merged like the weight it
    belongs to in KS/KA, so that every expert that was summed (averaged) contributes its whole affine map;
    KC has no low-rank form of a vector, so the biases are summed as in KS, which keeps KC == KS at full rank
    exactly, biases included.
    """
    if method not in METHODS:
        raise ValueError(f'unknown merging method {method!r}; choose from {METHODS}')
    return knowledge_average(biases) if method == 'ka' else knowledge_sum(biases)


def _chain(first, rest):
    yield first
    yield from rest
