"""The expert layout of a RingMoE checkpoint, and the backbones that hold it (built on ``meta``)."""
import re
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn

from mmringmoe.models.backbones import RingMoE, RingMoEKC
from mmringmoe.models.utils import meta_device
# SwinV2 re-creates its position buffers on load (its load hook drops them): not compared, copied if present.
from mmringmoe.utils.checkpoint_files import is_position_buffer
from .checkpoint_io import TensorSpec

_BLOCK = re.compile(r'^stages\.(\d+)\.blocks\.(\d+)\.')
_PATCH_EMBED = re.compile(r'^patch_embed\.([^.]+)\.projection\.weight$')
# RingMoE's arguments that a dense SwinV2 (RingMoE-KC) does not take.
MOE_ARGS = ('modalities', 'num_specialized_experts', 'num_collaborative_experts', 'with_shared_expert',
            'top_k', 'noisy_gating')


def rmoe_prefixes(keys: Sequence[str]) -> List[str]:
    """``stages.i.blocks.j.ffn.`` of every block in ``keys``, in block order."""
    blocks = sorted({tuple(int(g) for g in m.groups()) for m in map(_BLOCK.match, keys) if m})
    return [f'stages.{s}.blocks.{b}.ffn.' for s, b in blocks]


def layer_name(prefix: str) -> str:
    """``stages.i.blocks.j.ffn`` (the RMoE module's name) of a block prefix."""
    return prefix.rstrip('.')


def infer_layout(specs: Mapping[str, TensorSpec], source: str = 'checkpoint') -> dict:
    """The expert layout a RingMoE state dict holds.

    Returns:
        dict: ``modalities`` (name -> input channels, in state-dict order), ``num_specialized_experts``
        (int), ``num_collaborative_experts`` (one int per block, block order), ``with_shared_expert`` and
        ``layers`` (the block prefixes).

    Raises:
        ValueError: not a RingMoE state dict (a dense SwinV2 / RingMoE-KC has ``patch_embed.projection``),
            or blocks that disagree; the message starts with ``source``.
    """
    modalities = {m.group(1): specs[k].shape[1] for k, m in ((k, _PATCH_EMBED.match(k)) for k in specs) if m}
    if not modalities:
        dense = 'patch_embed.projection.weight' in specs
        raise ValueError(f'{source}: not a RingMoE checkpoint (no patch_embed.<modality>.projection.weight'
                         f'{"; it is a dense SwinV2 / RingMoE-KC checkpoint" if dense else ""})')
    layers = rmoe_prefixes(list(specs))
    if not layers:
        raise ValueError(f'{source}: no stages.*.blocks.* keys')
    specialized, collaborative, shared = set(), [], set()
    for prefix in layers:
        for m in modalities:
            key = f'{prefix}specialized_experts.{m}.fc1_weight'
            specialized.add(specs[key].shape[0] if key in specs else 0)
        key = f'{prefix}collaborative_experts.fc1_weight'
        collaborative.append(specs[key].shape[0] if key in specs else 0)
        shared.add(f'{prefix}shared_expert.layers.0.0.weight' in specs)
    if len(specialized) != 1 or len(shared) != 1:
        raise ValueError(f'{source}: blocks or modalities differ in their specialized/shared experts')
    if not any(
            k.startswith(f'{layers[0]}specialized_experts') or k.startswith(f'{layers[0]}collaborative')
            or k.startswith(f'{layers[0]}shared_expert') for k in specs):
        raise ValueError(f'{source}: block {layers[0]} has no RMoE experts (a dense SwinV2 checkpoint?)')
    return dict(modalities=modalities,
                num_specialized_experts=specialized.pop(),
                num_collaborative_experts=collaborative,
                with_shared_expert=shared.pop(),
                layers=layers)


def backbone_kwargs(backbone_cfg: Mapping) -> dict:
    """RingMoE keyword arguments from a config's ``model.backbone`` (``type`` and ``init_cfg`` removed).

    The pretraining backbone (``mmringmoe.SimMIMRingMoE``) takes RingMoE's arguments; the conversion tools
    build a plain ``RingMoE`` with them (the mask token is pretraining-only and is not kept).
    """
    kwargs = {k: v for k, v in dict(backbone_cfg).items() if k not in ('type', 'init_cfg')}
    return kwargs


def build_ringmoe(kwargs: Mapping,
                  layout: Mapping,
                  modalities: Optional[Sequence[str]] = None,
                  num_collaborative_experts: Union[None, int, Sequence[int]] = None,
                  source: str = 'config',
                  device: Optional[str] = None) -> RingMoE:
    """A RingMoE with ``kwargs`` (arch, windows...) and ``layout``'s experts, on ``meta`` by default.

    Args:
        kwargs: from :func:`backbone_kwargs`.
        layout: from :func:`infer_layout`.
        modalities: keep only these (decomposition); default all of ``layout``'s.
        num_collaborative_experts: per block (or one count for all); default ``layout``'s.
        device: None for ``meta`` (no memory), else where to allocate it (initialised like a new model).
    """
    names = list(layout['modalities']) if modalities is None else list(modalities)
    args = dict(kwargs)
    args.update(modalities={m: layout['modalities'][m]
                            for m in names},
                num_specialized_experts=layout['num_specialized_experts'],
                num_collaborative_experts=(num_collaborative_experts if isinstance(
                    num_collaborative_experts,
                    int) else list(layout['num_collaborative_experts'] if num_collaborative_experts is
                                   None else num_collaborative_experts)),
                with_shared_expert=layout['with_shared_expert'])
    try:
        if device is None:
            with meta_device():
                return RingMoE(**args)
        with torch.device(device):
            return RingMoE(**args)
    except (TypeError, ValueError, KeyError, AssertionError) as err:
        raise ValueError(f'{source}: cannot build a RingMoE from the backbone arguments {sorted(kwargs)}: '
                         f'{err}') from err


def build_dense(kwargs: Mapping, modality: str, in_channels: int, source: str = 'config') -> RingMoEKC:
    """A ``meta`` RingMoE-KC (dense SwinV2) with ``kwargs``' arch and windows for ``modality``."""
    args = {k: v for k, v in kwargs.items() if k not in MOE_ARGS}
    try:
        with meta_device():
            return RingMoEKC(modality=modality, in_channels=in_channels, **args)
    except (TypeError, ValueError, KeyError, AssertionError) as err:
        raise ValueError(f'{source}: cannot build a RingMoE-KC from the backbone arguments: {err}') from err


def model_specs(model: nn.Module) -> Dict[str, TensorSpec]:
    """``{key: TensorSpec}`` of a model's state dict (dtypes as built)."""
    return {k: TensorSpec(tuple(v.shape), v.dtype) for k, v in model.state_dict().items()}


def check_matches(specs: Mapping[str, TensorSpec], model: nn.Module, source: str,
                  what: str) -> Tuple[List[str], int]:
    """Check that ``specs`` hold every tensor of ``model`` with its shape.

    Returns:
        (keys of ``specs`` that ``model`` does not have, number of parameters of ``specs`` that ``model``
        has).

    Raises:
        ValueError: a missing tensor or a shape mismatch (a different arch or expert layout), naming
            ``source`` and ``what`` (e.g. ``"arch 'tiny' of configs/x.py"``).
    """
    expected = model_specs(model)
    missing = [k for k in expected if k not in specs and not is_position_buffer(k)]
    wrong = [(k, specs[k].shape, expected[k].shape) for k in expected
             if k in specs and not is_position_buffer(k) and specs[k].shape != expected[k].shape]
    if missing or wrong:
        detail = [f'{k}: {list(a)} in the checkpoint, {list(b)} expected' for k, a, b in wrong[:3]]
        detail += [f'{k}: missing' for k in missing[:3]]
        raise ValueError(f'{source} does not match {what} ({len(wrong)} shape mismatches, {len(missing)} '
                         f'missing tensors): ' + '; '.join(detail))
    params = {k for k, _ in model.named_parameters()}
    extra = [k for k in specs if k not in expected]
    return extra, sum(specs[k].numel for k in params)


def count_parameters_in(specs: Mapping[str, TensorSpec], model: nn.Module) -> int:
    """Parameters of ``model`` (meta) counted from ``specs``: buffers are not parameters."""
    return sum(specs[k].numel for k, _ in model.named_parameters() if k in specs)
