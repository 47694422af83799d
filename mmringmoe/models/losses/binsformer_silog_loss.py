"""BinsFormer's scale-invariant log loss for height regression (paper App. B.5.7: BinsFormer on ISPRS).

BinsFormer (Li et al., 2022; its reference code ``depth/models/losses/sigloss.py`` in
zhyever/Monocular-Depth-Estimation-Toolbox, after AdaBins) computes, over the valid pixels of the whole
batch, ``g = log(pred) - log(target)`` and the loss ``loss_weight * sqrt(Var(g) + 0.15 * mean(g)^2)`` with
the unbiased variance and ``loss_weight = 10``. mmseg's ``SiLogLoss`` computes
``sqrt(mean(g^2) - 0.5 * mean(g)^2)`` per image, i.e. ``sqrt(Var(g) + 0.5 * mean(g)^2)`` with the biased
variance, then averages over the images: it weights a global scale error (``mean(g)``) more than three
times as much. We use BinsFormer's own weighting: the paper names BinsFormer as its algorithm.

Heights are not depths: an nDSM is 0 on the ground, where ``log`` has no value. The reference masks
``target > 0``, which would leave the ground (most of an nDSM) unsupervised. Here both sides are clamped
at ``floor`` metres before the log: a ground pixel asks for a prediction at or below ``floor`` and costs
``log(pred / floor)`` above it. The validity mask only removes pixels without a height: nodata and NaN, which
``LoadHeightAnnotation`` sets to NaN.
"""
import math

import torch
from torch import Tensor, nn

from mmringmoe.registry import MODELS


def binsformer_silog(pred: Tensor,
                     target: Tensor,
                     floor: float = 1.0,
                     variance_focus: float = 0.85) -> Tensor:
    """``sqrt(Var(g) + (1 - variance_focus) * mean(g)^2)`` over the pixels with a finite ``target``.

    ``g = log(max(pred, floor)) - log(max(target, floor))``; ``Var`` is unbiased, as ``torch.var`` in the
    reference. No valid pixel gives a zero loss that keeps the graph (never NaN); one valid pixel has no
    variance term. Inputs of any (equal) shape.
    """
    if pred.shape != target.shape:
        raise ValueError(f'binsformer_silog: prediction {tuple(pred.shape)} and target '
                         f'{tuple(target.shape)} differ in shape')
    if floor <= 0:
        raise ValueError(f'binsformer_silog: floor must be positive, got {floor}')
    valid = torch.isfinite(target)
    if not valid.any():
        return pred.sum() * 0.0
    log_floor = math.log(floor)
    g = torch.log(pred[valid].clamp(min=floor)) - torch.log(target[valid].clamp(min=floor))
    g = torch.where(torch.isfinite(g), g, g.new_tensor(-log_floor))  # pred NaN/inf: never propagated
    variance = g.var() if g.numel() > 1 else g.new_zeros(())
    squared = variance + (1.0 - variance_focus) * g.mean().pow(2)
    return torch.sqrt(squared.clamp(min=1e-12))  # sqrt'(0) is infinite: a perfect batch has a finite gradient


@MODELS.register_module()
class BinsFormerSiLogLoss(nn.Module):
    """``loss_weight * binsformer_silog(pred, target, floor)``; see the module docstring.

    Args:
        loss_weight (float): BinsFormer's 10. Defaults to 10.0.
        floor (float): heights below it (metres, or the label's unit) count as ``floor`` in the log.
            Defaults to 1.0.
        variance_focus (float): BinsFormer's 0.85 (``Var(g) + 0.15 mean(g)^2``); mmseg's is 0.5.
        loss_name (str): the name in the log. Defaults to ``'loss_silog'``.
    """

    def __init__(self, loss_weight: float = 10.0, floor: float = 1.0, variance_focus: float = 0.85,
                 loss_name: str = 'loss_silog') -> None:
        super().__init__()
        self.loss_weight = loss_weight
        self.floor = floor
        self.variance_focus = variance_focus
        self._loss_name = loss_name

    def forward(self, pred: Tensor, target: Tensor) -> Tensor:
        return self.loss_weight * binsformer_silog(pred, target, self.floor, self.variance_focus)

    @property
    def loss_name(self) -> str:
        return self._loss_name
