"""Sparse expert pruning, RingMoE-EP (paper Sec. 3.4.1, App. B.4.1, Eq. 15-16, Table A1).

Per RMoE layer and modality m, the collaborative experts that tokens of m choose often enough are kept;
a multi-modal model keeps the union over its modalities. Specialized and shared experts are untouched.
Pruning a layer is ``index_select`` on dim 0 of the collaborative expert bank and of the collaborative
router's ``gate`` / ``noise`` weights (one row per expert): the logits of the kept experts are unchanged,
so each token chooses, among the kept experts, the one it preferred before.
"""
from typing import Dict, List, Mapping, Sequence

import torch

# Table A1's strategies: keep the experts at or above the q-th percentile of the layer's frequencies.
PERCENTILE_POLICIES: Dict[str, float] = {'top25': 75., 'top50': 50., 'top75': 25.}
POLICIES = tuple(PERCENTILE_POLICIES) + ('fixed', )
DEFAULT_THRESHOLD = 0.1  # Table A1's fixed phi


def percentile_threshold(frequencies: torch.Tensor, percentile: float = 75.) -> float:
    """Eq. 16: ``phi = Percentile_75({f(E^C_k | x_m)}_{k=1..N_C})``.

    Linear interpolation between order statistics (numpy's and ``torch.quantile``'s default; the paper
    does not say which definition). With N_C = 4 the 75th percentile lies between the two largest
    frequencies, so only the largest is at or above it: "the top 25%".
    """
    if frequencies.numel() == 0:
        raise ValueError('percentile of an empty set of experts')
    return torch.quantile(frequencies.to(torch.float64), percentile / 100.).item()


def kept_experts(frequencies: torch.Tensor,
                 policy: str = 'top25',
                 threshold: float = DEFAULT_THRESHOLD) -> List[int]:
    """The experts one modality keeps in one layer (Eq. 8 with App. B.4.1's threshold).

    Args:
        frequencies: ``[N_C]``, Eq. 15 for this modality and layer.
        policy: ``top25`` (the paper's choice: ``phi`` = 75th percentile), ``top50``, ``top75`` (50th,
            25th percentile) or ``fixed`` (``phi = threshold``), as in Table A1.
        threshold: ``phi`` of the ``fixed`` policy.

    Returns:
        sorted expert indices with ``f >= phi``. App. B.4.1 prunes the experts with ``f < phi`` (Eq. 8 in
        Sec. 3.4.1 writes ``f > phi``, which with ties at the percentile could keep no expert at all); with
        a percentile policy the most frequent expert is therefore always kept, so are experts tied with it.
    """
    if policy in PERCENTILE_POLICIES:
        phi = percentile_threshold(frequencies, PERCENTILE_POLICIES[policy])
    elif policy == 'fixed':
        phi = threshold
    else:
        raise ValueError(f'unknown pruning policy {policy!r}; choose from {POLICIES}')
    # The percentile is interpolated in float64 from the same values: an expert equal to it compares equal.
    return [k for k, f in enumerate(frequencies.to(torch.float64).tolist()) if f >= phi]


def select_collaborative_experts(layer_frequencies: Sequence[Mapping[str, torch.Tensor]],
                                 modalities: Sequence[str],
                                 policy: str = 'top25',
                                 threshold: float = DEFAULT_THRESHOLD) -> List[List[int]]:
    """Kept collaborative experts of every layer: the union over ``modalities`` (App. B.4.1).

    Args:
        layer_frequencies: per layer, ``{modality: [N_C] frequencies}`` (``stats_frequencies``).
        modalities: the modalities of the pruned model.

    Returns:
        per layer, the sorted indices of the kept experts.
    """
    kept = []
    for frequencies in layer_frequencies:
        union = set()
        for m in modalities:
            union.update(kept_experts(frequencies[m], policy, threshold))
        kept.append(sorted(union))
    return kept


def collaborative_keys(prefix: str) -> List[str]:
    """The tensors of an RMoE layer (``prefix`` = ``stages.i.blocks.j.ffn.``) that pruning slices on dim 0."""
    bank = [
        f'{prefix}collaborative_experts.{name}'
        for name in ('fc1_weight', 'fc1_bias', 'fc2_weight', 'fc2_bias')
    ]
    return bank + [f'{prefix}collaborative_router.gate.weight', f'{prefix}collaborative_router.noise.weight']
