"""Optical + SAR feature fusion of the paper's multi-modal segmentation (App. B.5.3)."""
from typing import List, Optional, Sequence

import torch
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmringmoe.registry import MODELS


@MODELS.register_module()
class ConcatConvFusion(BaseModule):
    """Fuse two backbones' feature pyramids scale by scale: concatenate, 3x3 conv, 1x1 conv.

    Paper App. B.5.3: "After extracting features from both modalities, we concatenate them and apply
    3x3 and 1x1 convolutional layers for straightforward feature fusion", before the UperNet head. At scale
    ``i``: ``cat(f1_i, f2_i)`` (``C1_i + C2_i`` channels) -> 3x3 ConvModule -> 1x1 ConvModule, to
    ``out_channels[i]``. Normalisation and activation are not stated in the paper; they follow mmseg's
    ConvModule habit (``norm_cfg`` after each conv, ReLU after the 3x3 only, so the fused features enter
    the head linearly as a backbone's would).

    Args:
        in_channels (Sequence[Sequence[int]]): per stream, its channels at each scale, e.g.
            ``[[448, 896, 1792, 3584], [448, 896, 1792, 3584]]``.
        out_channels (Sequence[int], optional): channels of each fused scale; defaults to the first
            stream's, so the head's ``in_channels`` stay those of a single backbone.
        norm_cfg (dict): normalisation after each conv. Defaults to ``dict(type='BN')``.
        act_cfg (dict): activation after the 3x3 conv. Defaults to ``dict(type='ReLU')``.
        init_cfg (dict, optional): initialisation config.
    """

    def __init__(self,
                 in_channels: Sequence[Sequence[int]],
                 out_channels: Optional[Sequence[int]] = None,
                 norm_cfg: dict = dict(type='BN', requires_grad=True),
                 act_cfg: dict = dict(type='ReLU'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if len(in_channels) != 2 or len(in_channels[0]) != len(in_channels[1]):
            raise ValueError(f'ConcatConvFusion: in_channels needs two streams with the same number of '
                             f'scales, got {in_channels}')
        out_channels = list(out_channels) if out_channels is not None else list(in_channels[0])
        if len(out_channels) != len(in_channels[0]):
            raise ValueError(f'ConcatConvFusion: {len(in_channels[0])} scales but out_channels '
                             f'{out_channels}')
        self.in_channels = [list(c) for c in in_channels]
        self.out_channels = out_channels
        self.fusions = nn.ModuleList()
        for c1, c2, out in zip(*self.in_channels, out_channels):
            self.fusions.append(
                nn.Sequential(
                    ConvModule(c1 + c2, out, 3, padding=1, norm_cfg=norm_cfg, act_cfg=act_cfg),
                    ConvModule(out, out, 1, norm_cfg=norm_cfg, act_cfg=None)))

    def forward(self, first: Sequence[Tensor], second: Sequence[Tensor]) -> List[Tensor]:
        """Fused features, one per scale, from the two streams' features (same spatial size per scale)."""
        if len(first) != len(self.fusions) or len(second) != len(self.fusions):
            raise ValueError(f'ConcatConvFusion: expected {len(self.fusions)} scales per stream, got '
                             f'{len(first)} and {len(second)}')
        return [fuse(torch.cat([f1, f2], dim=1)) for fuse, f1, f2 in zip(self.fusions, first, second)]
