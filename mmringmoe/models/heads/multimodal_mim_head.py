"""Physics-informed reconstruction targets and the masked reconstruction loss (paper Eq. 5 and 6)."""
from typing import Dict, Optional

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmringmoe.registry import MODELS

TARGET_TYPES = ('pixel', 'power')
DEFAULT_POWER_NORM = dict(log=True, eps=1.0, mean=0.0, std=1.0)


def polarimetric_power(raw: torch.Tensor) -> torch.Tensor:
    """Total power of complex polarimetric channels (Eq. 5's ``Power``): ``sum_p |S_p|^2``.

    Args:
        raw: ``[B, 2P, H, W]``, the P complex channels as (real, imaginary) pairs: for SAR-L1
            ``HH_re, HH_im, HV_re, HV_im, VH_re, VH_im, VV_re, VV_im``, giving
            ``|HH|^2 + |HV|^2 + |VH|^2 + |VV|^2`` (the span, invariant under polarimetric decomposition).

    Returns:
        ``[B, 1, H, W]``.
    """
    if raw.dim() != 4 or raw.shape[1] % 2:
        raise ValueError(f'polarimetric_power expects [B, 2P, H, W] (real, imaginary) channel pairs, got '
                         f'{tuple(raw.shape)}')
    batch, channels, height, width = raw.shape
    pairs = raw.reshape(batch, channels // 2, 2, height, width)
    return (pairs[:, :, 0]**2 + pairs[:, :, 1]**2).sum(dim=1, keepdim=True)


@MODELS.register_module()
class MultiModalMIMHead(BaseModule):
    """Targets (Eq. 5) and masked reconstruction loss (Eq. 6) of each modality.

    Target ``t_m`` of a modality:

    - ``'pixel'``: the normalised input image, as SimMIM (Opt, MS, SAR-L2; SAR-L1 in the paper's
      Table A18 ablation);
    - ``'power'`` (SAR-L1): ``Power(I) = |HH|^2 + |HV|^2 + |VH|^2 + |VV|^2``, computed from the raw
      (un-normalised) real/imaginary channels, one channel, then normalised by ``power_norm``: with
      ``log=True`` (default) ``(log(Power + eps) - mean) / std``, otherwise ``(Power - mean) / std``.
      The paper does not say how the power target is scaled. Speckled SAR power is heavy-tailed (exponential
      under fully developed speckle, 40+ dB of dynamic range), so a squared error on linear power is
      dominated by a few bright scatterers; the log (dB up to a factor) makes it a relative error. ``mean``
      and ``std`` are statistics of the (log-)power of the training data.

    Loss (Eq. 6): squared error (``loss.criterion='L2'``) over the masked pixels only, averaged over
    those pixels and the target channels (``Ω`` counts elements). The loss module is mmpretrain's
    ``PixelReconstructionLoss``; the patch mask is upsampled to pixels and expanded to every target channel.

    Args:
        loss (dict): config of the pixel loss; ``mmpretrain.PixelReconstructionLoss`` with ``criterion``
            ``'L2'`` (Eq. 6) or ``'L1'`` (SimMIM's choice). Defaults to L2.
        targets (dict): modality -> ``'pixel'`` or ``'power'``; modalities not named use ``'pixel'``.
            Defaults to ``dict(sar_l1='power')`` (Eq. 5).
        power_norm (dict): modality -> ``dict(log, eps, mean, std)`` for the power targets; missing keys
            take ``log=True, eps=1.0, mean=0.0, std=1.0``.
        init_cfg (dict, optional): mmengine initialisation config.
    """

    def __init__(self,
                 loss: Optional[dict] = None,
                 targets: Optional[Dict[str, str]] = None,
                 power_norm: Optional[Dict[str, dict]] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        loss = dict(type='mmpretrain.PixelReconstructionLoss', criterion='L2') if loss is None else dict(loss)
        if loss.get('channel') not in (None, 1):
            raise ValueError('MultiModalMIMHead: leave loss.channel unset; the mask covers every target '
                             'channel, so the loss is already a mean over masked elements')
        self.loss_module = MODELS.build(loss)
        if targets is None:
            targets = dict(sar_l1='power')
        self.targets = {str(m): str(t) for m, t in targets.items()}
        bad = {m: t for m, t in self.targets.items() if t not in TARGET_TYPES}
        if bad:
            raise ValueError(f'MultiModalMIMHead: targets {bad}; each must be one of {TARGET_TYPES}')
        self.power_norm: Dict[str, dict] = {}
        for modality, norm in (power_norm or {}).items():
            unknown = sorted(set(norm) - set(DEFAULT_POWER_NORM))
            if unknown:
                raise ValueError(f'MultiModalMIMHead: power_norm[{modality!r}] has unknown keys {unknown} '
                                 f'(allowed: {sorted(DEFAULT_POWER_NORM)})')
            norm = {**DEFAULT_POWER_NORM, **norm}
            if not norm['std'] > 0 or (norm['log'] and not norm['eps'] > 0):
                raise ValueError(f'MultiModalMIMHead: power_norm[{modality!r}] needs std > 0 (and eps > 0 '
                                 f'with log), got {norm}')
            self.power_norm[str(modality)] = norm

    def target_type(self, modality: str) -> str:
        """``'pixel'`` or ``'power'``."""
        return self.targets.get(modality, 'pixel')

    def target_channels(self, modality: str, in_channels: int) -> int:
        """Channels of ``modality``'s target for an input of ``in_channels`` channels."""
        if self.target_type(modality) == 'power':
            if in_channels % 2:
                raise ValueError(f'MultiModalMIMHead: the power target of {modality!r} needs (real, '
                                 f'imaginary) channel pairs; the modality has {in_channels} channels')
            return 1
        return in_channels

    def target(self, modality: str, inputs: torch.Tensor, raw: Optional[torch.Tensor]) -> torch.Tensor:
        """Eq. 5's ``t_m`` for a batch of one modality.

        Args:
            modality: the modality of every image of the batch.
            inputs: ``[B, C, H, W]`` normalised images (the encoder's input before masking).
            raw: ``[B, C, H, W]`` the same images before normalisation (only power targets use it).
        """
        if self.target_type(modality) == 'pixel':
            return inputs
        if raw is None:
            raise ValueError(f'MultiModalMIMHead: the power target of {modality!r} needs the raw images')
        norm = self.power_norm.get(modality, DEFAULT_POWER_NORM)
        power = polarimetric_power(raw.float())
        if norm['log']:
            power = torch.log(power + norm['eps'])
        return (power - norm['mean']) / norm['std']

    def loss(self, pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Eq. 6 for one modality: the mean error over masked pixels and target channels.

        Args:
            pred: ``[B, C, H, W]`` reconstruction.
            target: ``[B, C, H, W]``.
            mask: ``[B, h, w]`` patch mask (1 = masked) with ``H`` and ``W`` multiples of ``h`` and ``w``.
        """
        if pred.shape != target.shape:
            raise ValueError(f'MultiModalMIMHead: reconstruction {tuple(pred.shape)} and target '
                             f'{tuple(target.shape)} differ (check the decoder\'s encoder_stride and '
                             f'out_channels)')
        pixel_mask = self.pixel_mask(mask, target)
        if not pixel_mask.any():
            return (pred * 0.).sum()  # nothing masked, nothing to reconstruct (keeps the graph for DDP)
        return self.loss_module(pred, target, pixel_mask)

    @staticmethod
    def pixel_mask(mask: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Eq. 6's ``Ω``: the patch mask upsampled to the target's pixels, on every target channel.

        Args:
            mask: ``[B, h, w]`` patch mask (1 = masked) with ``H`` and ``W`` multiples of ``h`` and ``w``.
            target: ``[B, C, H, W]``.

        Returns:
            ``[B, C, H, W]`` float, 1 at the masked pixels.
        """
        height, width = target.shape[-2:]
        mask_h, mask_w = mask.shape[-2:]
        if height % mask_h or width % mask_w or height // mask_h != width // mask_w:
            raise ValueError(f'MultiModalMIMHead: mask {tuple(mask.shape[-2:])} does not tile the '
                             f'{height}x{width} target')
        pixel_mask = F.interpolate(mask[:, None].float(), size=(height, width), mode='nearest')
        return pixel_mask.expand_as(target).contiguous()

