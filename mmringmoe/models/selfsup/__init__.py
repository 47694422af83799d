"""Self-supervised algorithms: RingMoE's multi-modal SimMIM."""
from .ringmoe_simmim import RingMoESimMIM

__all__ = ['RingMoESimMIM']
