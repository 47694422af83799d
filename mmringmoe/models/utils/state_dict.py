"""State-dict mappings between a dense SwinV2 and RingMoE (parity check, pretrained loading, upcycling)."""
import re
from collections import Counter
from typing import Dict, Iterable

import torch

_DENSE_FFN = re.compile(r'^(stages\.\d+\.blocks\.\d+\.ffn\.)(layers\..*)$')


def swinv2_to_ringmoe_state_dict(state: Dict[str, torch.Tensor], modality: str) -> Dict[str, torch.Tensor]:
    """Map an mmpretrain ``SwinTransformerV2`` state dict onto RingMoE's names.

    ``patch_embed.*`` becomes ``patch_embed.<modality>.*`` and each block's dense FFN
    (``ffn.layers.*``) becomes its RMoE layer's shared expert (``ffn.shared_expert.layers.*``); every
    other key (attention, norms, patch merging) is already the same. Experts and routers are untouched:
    a RingMoE with only the shared expert loaded this way *is* the SwinV2 (see ``test_parity``).
    """
    mapped = {}
    for key, value in state.items():
        if key.startswith('patch_embed.'):
            key = f'patch_embed.{modality}.' + key[len('patch_embed.'):]
        else:
            match = _DENSE_FFN.match(key)
            if match:
                key = match.group(1) + 'shared_expert.' + match.group(2)
        mapped[key] = value
    return mapped


def summarize_keys(keys: Iterable[str]) -> str:
    """Group state-dict keys by pattern (indices as ``*``) with counts, one pattern per line."""
    patterns = Counter(re.sub(r'\.\d+(?=\.|$)', '.*', key) for key in keys)
    return '\n'.join(f'  {pattern}  (x{count})' if count > 1 else f'  {pattern}'
                     for pattern, count in sorted(patterns.items()))
