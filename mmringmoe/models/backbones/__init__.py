"""Backbones: RingMoE (hierarchical MoE SwinV2), RingMoE-EP (pruned), RingMoE-KC (dense, merged)."""
from .ringmoe import RingMoE
from .ringmoe_kc import RingMoEKC

__all__ = ['RingMoE', 'RingMoEKC']
