"""Sparse upcycling: a dense SwinV2 checkpoint -> a RingMoE checkpoint (beyond the paper).

Every expert (specialized of every modality, collaborative, shared) starts as a copy of the block's dense
FFN; routers start fresh (``nn.Linear`` initialisation); the dense patch embedding becomes the embedding
of one modality and the other modalities' embeddings start fresh. Right after upcycling an RMoE layer
returns ``(g_S + g_C + 1) * FFN(x)`` for each token (g = the token's gate values), and since SwinV2
layer-normalises the FFN output before the residual sum (post-norm), the backbone reproduces the dense
backbone's features for that modality up to LayerNorm's epsilon.
"""
import math
import re
from typing import Dict, Iterator, Sequence, Tuple, Union

import torch
from mmcv.cnn.bricks.transformer import PatchEmbed

from .state_dict import swinv2_to_ringmoe_state_dict

_FFN_FC = re.compile(r'^(stages\.\d+\.blocks\.\d+\.ffn\.)layers\.(0\.0|1)\.(weight|bias)$')


def _fresh_linear_weight(out_features: int, in_features: int, generator: torch.Generator) -> torch.Tensor:
    """``nn.Linear``'s default weight initialisation (kaiming-uniform, a=sqrt(5)), seeded."""
    bound = 1 / math.sqrt(in_features)
    return (torch.rand(out_features, in_features, generator=generator) * 2 - 1) * bound


def _dense_ffns(state: Dict[str, torch.Tensor]) -> Iterator[Tuple[str, Dict[str, torch.Tensor]]]:
    """Yield ``(block prefix 'stages.i.blocks.j.ffn.', {fc1_weight, fc1_bias, fc2_weight, fc2_bias})``."""
    ffns: Dict[str, Dict[str, torch.Tensor]] = {}
    names = {('0.0', 'weight'): 'fc1_weight', ('0.0', 'bias'): 'fc1_bias',
             ('1', 'weight'): 'fc2_weight', ('1', 'bias'): 'fc2_bias'}
    for key, value in state.items():
        match = _FFN_FC.match(key)
        if match:
            ffns.setdefault(match.group(1), {})[names[(match.group(2), match.group(3))]] = value
    for prefix, weights in ffns.items():
        if len(weights) != 4:
            raise ValueError(f'{prefix}: incomplete dense FFN in the checkpoint ({sorted(weights)})')
        yield prefix, weights


def upcycle_swinv2_state_dict(dense: Dict[str, torch.Tensor],
                              modalities: Dict[str, int],
                              dense_modality: str,
                              num_specialized_experts: int = 4,
                              num_collaborative_experts: Union[int, Sequence[int]] = 4,
                              noisy_gating: bool = True,
                              seed: int = 0) -> Dict[str, torch.Tensor]:
    """Build a RingMoE state dict from an mmpretrain ``SwinTransformerV2`` state dict.

    Args:
        dense: the SwinV2 backbone state dict (no ``backbone.`` prefix).
        modalities: RingMoE's modality -> input channels.
        dense_modality: the modality that takes the dense patch embedding (its channel count must match).
        num_specialized_experts / num_collaborative_experts: the target expert layout (an int, or one
            collaborative count per block in block order).
        noisy_gating: whether the target routers have a noise projection.
        seed: seed of the fresh routers and patch embeddings.
    """
    if dense_modality not in modalities:
        raise ValueError(f'dense_modality {dense_modality!r} is not one of {sorted(modalities)}')
    projection = dense.get('patch_embed.projection.weight')
    if projection is None:
        raise ValueError('not a SwinV2 backbone state dict: no patch_embed.projection.weight')
    embed_dims, in_channels, patch, _ = projection.shape
    if in_channels != modalities[dense_modality]:
        raise ValueError(f'the dense patch embedding takes {in_channels} channels but modality '
                         f'{dense_modality!r} has {modalities[dense_modality]}')
    generator = torch.Generator().manual_seed(seed)
    ffns = list(_dense_ffns(dense))
    counts = ([num_collaborative_experts] * len(ffns) if isinstance(num_collaborative_experts, int)
              else list(num_collaborative_experts))
    if len(counts) != len(ffns):
        raise ValueError(f'{len(counts)} collaborative counts for {len(ffns)} blocks')

    out = swinv2_to_ringmoe_state_dict(dense, dense_modality)
    for (prefix, weights), n_collab in zip(ffns, counts):
        width = weights['fc1_weight'].shape[1]
        banks = [f'specialized_experts.{m}.' for m in modalities] if num_specialized_experts else []
        sizes = [num_specialized_experts] * len(banks)
        if n_collab:
            banks.append('collaborative_experts.')
            sizes.append(n_collab)
        for bank, size in zip(banks, sizes):
            for name, value in weights.items():
                out[prefix + bank + name] = value.unsqueeze(0).repeat(size, *[1] * value.dim())
        routers = [f'specialized_routers.{m}.' for m in modalities] if num_specialized_experts else []
        routers += ['collaborative_router.'] if n_collab else []
        for router, size in zip(routers, [num_specialized_experts] * len(modalities) + [n_collab]):
            for proj in ('gate', 'noise') if noisy_gating else ('gate', ):
                out[f'{prefix}{router}{proj}.weight'] = _fresh_linear_weight(size, width, generator)
    torch.manual_seed(seed)
    for modality, channels in modalities.items():
        if modality != dense_modality:
            fresh = PatchEmbed(in_channels=channels, embed_dims=embed_dims, kernel_size=patch, stride=patch,
                               norm_cfg=dict(type='LN'))
            out.update({f'patch_embed.{modality}.{k}': v for k, v in fresh.state_dict().items()})
    return out
