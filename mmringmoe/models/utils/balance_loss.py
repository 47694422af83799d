"""Eq. 7's load-balance term as entries of a model's loss dict."""
from typing import Dict

import torch
import torch.nn as nn


def weighted_balance_losses(backbone: nn.Module, alpha: float) -> Dict[str, torch.Tensor]:
    """``alpha`` times each router's load-balance loss of the backbone's last forward (Eq. 4, 7-10).

    Keys are ``loss_balance_collaborative`` and ``loss_balance_specialized_<modality>``; mmengine's
    ``parse_losses`` sums every ``loss`` key, so adding these to a loss dict adds ``alpha * L_balance``.
    A backbone without RMoE layers (the dense RingMoE-KC, a SwinV2) contributes nothing.
    """
    balance_losses = getattr(backbone, 'balance_losses', None)
    if balance_losses is None:
        return {}
    return {'loss_balance_' + key.replace('.', '_'): alpha * value.float()
            for key, value in balance_losses().items()}
