"""Backbones: RingMoE (hierarchical MoE SwinV2), RingMoE-EP (pruned), RingMoE-KC (dense, merged)."""
from .ringmoe import RingMoE
from .ringmoe_ep import RingMoEEP
from .ringmoe_kc import RingMoEKC
from .simmim_ringmoe import SimMIMRingMoE

__all__ = ['RingMoE', 'RingMoEEP', 'RingMoEKC', 'SimMIMRingMoE']
