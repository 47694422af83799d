"""UperNet on two RingMoE-KC backbones, optical and SAR, fused per scale (paper App. B.5.3)."""
from typing import List, Optional, Sequence

import torch
from mmseg.models.segmentors import EncoderDecoder
from torch import Tensor

from mmringmoe.registry import MODELS


@MODELS.register_module()
class DualModalityEncoderDecoder(EncoderDecoder):
    """mmseg's ``EncoderDecoder`` with a second backbone and a fusion module between backbones and head.

    Paper App. B.5.3: RingMoE-Opt and RingMoE-SAR_L2 extract features from the optical and the amplitude SAR
    image; the features are concatenated and fused by 3x3 and 1x1 convolutions (``fusion``, e.g.
    :class:`~mmringmoe.models.necks.ConcatConvFusion`) and decoded by UperNet. The pipeline stacks the two
    images channel-wise (:class:`~mmringmoe.datasets.transforms.LoadRasterPair`, so both get the same
    crop and flip); :meth:`extract_feat` splits the channels back: the first ``in_channels[0]`` go to
    ``backbone``, the next ``in_channels[1]`` to ``second_backbone``.

    Args:
        backbone (dict): the first modality's backbone, e.g. ``RingMoE-KC`` with ``modality='opt'``.
        second_backbone (dict): the second modality's, e.g. ``RingMoE-KC`` with ``modality='sar_l2'``.
        fusion (dict): takes the two feature pyramids and returns one.
        in_channels (Sequence[int]): input channels of the two backbones, in stacking order.
        decode_head (dict): the head, e.g. ``UPerHead``.
        neck (dict, optional): applied after the fusion.
        **kwargs: the other arguments of mmseg's ``EncoderDecoder``.
    """

    def __init__(self,
                 backbone: dict,
                 second_backbone: dict,
                 fusion: dict,
                 in_channels: Sequence[int],
                 decode_head: dict,
                 neck: Optional[dict] = None,
                 **kwargs) -> None:
        super().__init__(backbone=backbone, decode_head=decode_head, neck=neck, **kwargs)
        if len(in_channels) != 2:
            raise ValueError(f'DualModalityEncoderDecoder: in_channels gives the channels of the two '
                             f'backbones, got {in_channels}')
        self.in_channels = [int(c) for c in in_channels]
        self.second_backbone = MODELS.build(second_backbone)
        self.fusion = MODELS.build(fusion)

    def extract_feat(self, inputs: Tensor) -> List[Tensor]:
        """Split the stacked pair, run each backbone on its own modality, fuse per scale."""
        if inputs.shape[1] != sum(self.in_channels):
            raise ValueError(f'DualModalityEncoderDecoder: input has {inputs.shape[1]} channels, expected '
                             f'{self.in_channels[0]} + {self.in_channels[1]} (first + second image)')
        first, second = torch.split(inputs, self.in_channels, dim=1)
        x = self.fusion(self.backbone(first), self.second_backbone(second))
        if self.with_neck:
            x = self.neck(x)
        return x
