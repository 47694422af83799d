"""FSDP auto-wrap policy for RingMoE: one FSDP unit per SwinV2 block (attention + RMoE layer)."""
import torch.nn as nn
from mmengine.registry import FUNCTIONS
from mmpretrain.models.backbones.swin_transformer_v2 import SwinBlockV2


# Registered in mmengine's FUNCTIONS (MMFullyShardedDataParallel looks the policy up there, by plain
# name, whatever the default scope): ``auto_wrap_policy=dict(type='ringmoe_block_wrap_policy')``.
@FUNCTIONS.register_module()
def ringmoe_block_wrap_policy(module: nn.Module, recurse: bool, nonwrapped_numel: int) -> bool:
    """Make every ``SwinBlockV2`` (with its RMoE layer) an FSDP unit; the rest stays in the root unit.

    A whole block is the unit, not each expert bank: FSDP gathers a unit's parameters in its
    ``forward``, and every rank must run the same units in the same order. A block's forward runs on every
    rank and every step, while an expert bank is entered through ``expert_forward`` (not ``forward``) and
    only for the modalities present in that rank's batch. Experts that receive no token inside a unit
    simply get zero gradient.

    Args:
        module: the module FSDP is visiting.
        recurse: True when FSDP asks whether to descend into ``module``'s children.
        nonwrapped_numel: parameters of ``module`` not yet wrapped (unused).
    """
    return True if recurse else isinstance(module, SwinBlockV2)
