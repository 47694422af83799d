"""RingMoE's modal-specific light decoders: one SimMIM linear decoder per modality (paper Sec. 3.3)."""
from typing import Dict

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from mmringmoe.registry import MODELS


@MODELS.register_module()
class MultiModalLinearDecoder(BaseModule):
    """One SimMIM linear decoder ``g_φ`` per modality: 1x1 conv to ``stride^2 x C_m``, pixel shuffle.

    The paper's decoder "consists of a single linear projection layer" per modality (Sec. 3.3), SimMIM's
    design. mmpretrain's ``SimMIMLinearDecoder`` is that layer with 3 output channels fixed, so it cannot
    reconstruct MS (4), SAR-L2 (1) or the SAR-L1 power (1); this module builds the same two layers with each
    modality's target channel count.

    Args:
        in_channels (int): channels of the encoder's last feature map (``8 x embed_dims`` for SwinV2).
        encoder_stride (int): input pixels per feature-map pixel (32 for SwinV2's last stage).
        out_channels (dict): modality -> channels of its reconstruction target (e.g. ``opt`` 3, ``ms`` 4,
            ``sar_l1`` 1 for the power target of Eq. 5 or 8 for pixels, ``sar_l2`` 1).
        init_cfg (dict, optional): mmengine initialisation config.
    """

    def __init__(self, in_channels: int, encoder_stride: int, out_channels: Dict[str, int],
                 init_cfg: dict = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not out_channels:
            raise ValueError('MultiModalLinearDecoder: out_channels must name at least one modality')
        self.encoder_stride = encoder_stride
        self.out_channels = {str(m): int(c) for m, c in out_channels.items()}
        self.decoders = nn.ModuleDict({
            m: nn.Sequential(
                nn.Conv2d(in_channels, encoder_stride**2 * c, kernel_size=1), nn.PixelShuffle(encoder_stride))
            for m, c in self.out_channels.items()
        })

    def forward(self, x: torch.Tensor, modality: str) -> torch.Tensor:
        """``[B, C_m, h * stride, w * stride]`` from ``x`` ``[B, in_channels, h, w]`` of one modality."""
        if modality not in self.decoders:
            raise ValueError(f'MultiModalLinearDecoder has no decoder for modality {modality!r} '
                             f'(it has {list(self.decoders)})')
        return self.decoders[modality](x)
