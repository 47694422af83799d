"""Building blocks of RingMoE: experts, routers and the RMoE layer."""
from .expert_bank import ExpertBank
from .rmoe import RMoE
from .rmoe_block import RMoESwinBlockV2
from .router import NoisyTopKRouter, Routing, load_balance_loss

__all__ = ['ExpertBank', 'NoisyTopKRouter', 'RMoE', 'RMoESwinBlockV2', 'Routing', 'load_balance_loss']
