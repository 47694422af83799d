"""Building blocks of RingMoE: experts, routers and the RMoE layer."""
from .expert_bank import ExpertBank
from .rmoe import RMoE
from .router import NoisyTopKRouter, Routing, load_balance_loss

__all__ = ['ExpertBank', 'NoisyTopKRouter', 'RMoE', 'Routing', 'load_balance_loss']
