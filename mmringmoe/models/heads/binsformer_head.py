"""BinsFormer head for per-pixel height (paper App. B.5.7: "the Binsformer algorithm, utilizing RingMoE-Opt
(KC) as the backbone network"), on mmseg 1.x / mmdet 3.x / mmcv 2.x primitives.

BinsFormer (Li et al., 2022) regresses depth as a classification-regression over adaptive bins; its
reference code (zhyever/Monocular-Depth-Estimation-Toolbox, ``BinsFormerDecodeHead`` and
``PixelTransformerDecoder``) is written for mmcv 1.x. This head rebuilds it from maintained parts:

- pixel decoder: mmdet's ``MSDeformAttnPixelDecoder`` (Mask2Former's): a multi-scale deformable-attention
  encoder over the three coarsest backbone scales and an FPN up to the stride-4 scale, the reference's
  ``PureMSDEnTransformer`` + FPN (mmcv's ``MultiScaleDeformableAttention`` runs on the CPU too);
- transformer decoder: mmdet's ``Mask2FormerTransformerDecoder`` layers, whose order (cross-attention,
  self-attention, FFN, each followed by a norm) is the reference's ``('cross_attn', 'norm', 'self_attn',
  'norm', 'ffn', 'norm')``; without Mask2Former's attention masks, as the reference; decoder layer ``i``
  attends to scale ``i % 3`` (the reference's ``'%'``); ``num_bins`` learnable queries (the reference's 64);
- after every decoder layer (shared prediction heads, as the reference): the normalised queries give one
  width logit each (``Linear(C, 1)``) and a per-pixel embedding (3-layer MLP) whose dot product with the
  stride-4 pixel features gives per-pixel bin logits. :func:`bins_from_logits` and
  :func:`height_from_bins` turn them into a height map;
- losses: BinsFormer's SiLog (``mmringmoe.BinsFormerSiLogLoss``) on the last layer's map and, weighted, on
  the intermediate layers ``aux_indices`` (the reference's layers 2 and 5 of 9, weights 1/4 and 1/2).

Left out: the reference's scene-classification query and its cross-entropy loss, which need a scene label
per image (NYU's scene types); ISPRS tiles have none. Its bins chamfer loss is off in the reference's
configs and is left out too.

**Output.** ``predict`` (through mmseg's ``DepthEstimator``) gives ``pred_depth_map``: one channel of
heights in the label's unit (metres for the DSM and the converted nDSM of
``tools/dataset_converters/isprs_height.py``), always inside ``[min_height, max_height]``, resized to the
input image; nothing is normalised or scaled.
"""
from typing import Dict, List, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmdet.models.layers import (Mask2FormerTransformerDecoder, MSDeformAttnPixelDecoder,
                                 SinePositionalEncoding)
from mmengine.config import ConfigDict
from mmengine.model import BaseModule
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.utils import resize
from torch import Tensor, nn

from mmringmoe.registry import MODELS


def bins_from_logits(width_logits: Tensor, min_height: float, max_height: float) -> Tuple[Tensor, Tensor]:
    """Adaptive bins of BinsFormer: ``(edges (N, B + 1), centres (N, B))`` from ``(N, B)`` width logits.

    Widths are ``(max - min) * softmax(logits)`` (the reference's ``'softmax'`` normalisation), so they
    are positive and sum to the range; edges are ``min`` plus their cumulative sum, centres the midpoints
    of consecutive edges (strictly increasing).
    """
    widths = (max_height - min_height) * torch.softmax(width_logits, dim=1)
    edges = min_height + torch.cumsum(F.pad(widths, (1, 0)), dim=1)
    return edges, 0.5 * (edges[:, :-1] + edges[:, 1:])


def height_from_bins(pixel_logits: Tensor, centres: Tensor) -> Tensor:
    """``(N, 1, H, W)`` heights: per-pixel softmax over the ``B`` bins of ``(N, B, H, W)`` logits, times the
    ``(N, B)`` bin centres, summed; a convex combination, so always inside the bins' range."""
    return torch.einsum('nbhw,nb->nhw', pixel_logits.softmax(dim=1), centres).unsqueeze(1)


class QueryMLP(nn.Sequential):
    """The reference's 3-layer MLP (``Linear``-ReLU-``Linear``-ReLU-``Linear``) from query to pixel
    embedding."""

    def __init__(self, channels: int, num_layers: int = 3) -> None:
        layers: List[nn.Module] = []
        for i in range(num_layers):
            layers.append(nn.Linear(channels, channels))
            if i < num_layers - 1:
                layers.append(nn.ReLU(inplace=True))
        super().__init__(*layers)


@MODELS.register_module()
class BinsFormerHead(BaseDecodeHead):
    """BinsFormer's decode head for height estimation (see the module docstring).

    Args:
        in_channels (Sequence[int]): channels of the backbone's four scales (strides ``strides``).
        channels (int): width of the pixel decoder and the transformer decoder (the reference: 256; 512
            for its Swin-L). Defaults to 256.
        num_bins (int): bin queries. Defaults to 64 (the reference).
        min_height, max_height (float): the range the bins cover, in the label's unit.
        strides (Sequence[int]): the backbone's output strides. Defaults to (4, 8, 16, 32).
        pixel_decoder (dict): arguments of mmdet's ``MSDeformAttnPixelDecoder`` besides ``in_channels``,
            ``strides``, ``feat_channels`` and ``out_channels`` (which this head sets).
        transformer_decoder (dict): arguments of mmdet's ``Mask2FormerTransformerDecoder``.
        aux_indices (Sequence[int]): decoder layers (0-based) whose heights get an auxiliary loss.
        aux_weights (Sequence[float]): their weights.
        loss_decode (dict): the loss; BinsFormer's SiLog by default.
        align_corners (bool): of the bilinear resize to the label's size (the reference: True).
        init_cfg (dict, optional): mmengine's initialisation config.
    """

    num_classes = 1
    out_channels = 1

    def __init__(self,
                 in_channels: Sequence[int],
                 channels: int = 256,
                 num_bins: int = 64,
                 min_height: float = 0.0,
                 max_height: float = 50.0,
                 strides: Sequence[int] = (4, 8, 16, 32),
                 pixel_decoder: dict = dict(),
                 transformer_decoder: dict = dict(),
                 aux_indices: Sequence[int] = (2, 5),
                 aux_weights: Sequence[float] = (0.25, 0.5),
                 loss_decode: dict = dict(type='mmringmoe.BinsFormerSiLogLoss', loss_weight=10.0),
                 align_corners: bool = True,
                 init_cfg=None) -> None:
        # BaseDecodeHead's __init__ would add a classification conv (conv_seg) that this head never uses
        # (an unused parameter breaks DDP without find_unused_parameters); set its attributes here instead.
        BaseModule.__init__(self, init_cfg=init_cfg)
        if not max_height > min_height:
            raise ValueError(
                f'BinsFormerHead: max_height ({max_height}) must exceed min_height ({min_height})')
        if len(aux_indices) != len(aux_weights):
            raise ValueError(
                f'BinsFormerHead: {len(aux_indices)} aux_indices but {len(aux_weights)} aux_weights')
        self.in_channels = list(in_channels)
        self.channels = channels
        self.num_bins = num_bins
        self.min_height = float(min_height)
        self.max_height = float(max_height)
        self.align_corners = align_corners
        self.input_transform = 'multiple_select'
        self.in_index = list(range(len(in_channels)))
        self.loss_decode = MODELS.build(loss_decode)

        self.pixel_decoder = MSDeformAttnPixelDecoder(
            in_channels=self.in_channels,
            strides=list(strides),
            feat_channels=channels,
            out_channels=channels,
            **ConfigDict(pixel_decoder))  # mmdet reads its nested options as attributes
        self.num_levels = self.pixel_decoder.num_encoder_levels
        self.transformer_decoder = Mask2FormerTransformerDecoder(**ConfigDict(transformer_decoder))
        self.num_layers = self.transformer_decoder.num_layers
        if any(not 0 <= i < self.num_layers - 1 for i in aux_indices):
            raise ValueError(f'BinsFormerHead: aux_indices {list(aux_indices)} must be intermediate layers '
                             f'of the {self.num_layers}-layer decoder (0 to {self.num_layers - 2})')
        self.aux_indices = list(aux_indices)
        self.aux_weights = list(aux_weights)
        self.positional_encoding = SinePositionalEncoding(num_feats=channels // 2, normalize=True)
        self.level_embed = nn.Embedding(self.num_levels, channels)
        self.query_feat = nn.Embedding(num_bins, channels)
        self.query_embed = nn.Embedding(num_bins, channels)
        self.width_embed = nn.Linear(channels, 1)
        self.pixel_embed = QueryMLP(channels)

    def init_weights(self) -> None:
        """mmdet's Mask2Former initialisation of the pixel decoder and the transformer decoder."""
        super().init_weights()
        self.pixel_decoder.init_weights()
        for p in self.transformer_decoder.parameters():
            if p.dim() > 1:
                nn.init.xavier_normal_(p)

    def _heights(self, queries: Tensor, pixel_features: Tensor) -> Tensor:
        """The height map of one decoder layer's queries ``(N, B, C)`` over ``(N, C, H, W)`` features."""
        queries = self.transformer_decoder.post_norm(queries)
        _, centres = bins_from_logits(self.width_embed(queries).squeeze(-1), self.min_height, self.max_height)
        pixel_logits = torch.einsum('nbc,nchw->nbhw', self.pixel_embed(queries), pixel_features)
        return height_from_bins(pixel_logits, centres)

    def forward(self, inputs: Sequence[Tensor]) -> List[Tensor]:
        """The ``(N, 1, H/4, W/4)`` height map after each decoder layer, the last one being the output."""
        pixel_features, memories = self.pixel_decoder(list(inputs))
        batch = pixel_features.shape[0]
        keys, key_pos = [], []
        for level, memory in enumerate(memories):  # coarse to fine
            pad_mask = memory.new_zeros((batch, ) + memory.shape[-2:], dtype=torch.bool)
            # the level embedding joins the position encoding, as in the reference
            level_embed = self.level_embed.weight[level][None, :, None]
            pos = self.positional_encoding(pad_mask).flatten(2) + level_embed
            keys.append(memory.flatten(2).transpose(1, 2))
            key_pos.append(pos.transpose(1, 2))
        queries = self.query_feat.weight.unsqueeze(0).expand(batch, -1, -1)
        query_pos = self.query_embed.weight.unsqueeze(0).expand(batch, -1, -1)
        heights = []
        for i, layer in enumerate(self.transformer_decoder.layers):
            level = i % self.num_levels
            queries = layer(query=queries, key=keys[level], value=keys[level], query_pos=query_pos,
                            key_pos=key_pos[level])
            heights.append(self._heights(queries, pixel_features))
        return heights

    def predict(self, inputs: Sequence[Tensor], batch_img_metas: List[dict], test_cfg) -> Tensor:
        """The last layer's heights, resized to the input (mmseg's ``predict_by_feat``)."""
        return self.predict_by_feat(self.forward(inputs)[-1], batch_img_metas)

    def loss(self, inputs: Sequence[Tensor], batch_data_samples: list, train_cfg) -> Dict[str, Tensor]:
        return self.loss_by_feat(self.forward(inputs), batch_data_samples)

    def loss_by_feat(self, heights: List[Tensor], batch_data_samples: list) -> Dict[str, Tensor]:
        """The loss of the last layer and the weighted auxiliary losses, each on heights resized to the
        label (whose NaN pixels have no height and are left out by the loss)."""
        target = torch.stack([self._unpadded_label(sample) for sample in batch_data_samples])
        name = self.loss_decode.loss_name
        losses = {}
        for index, weight in zip(self.aux_indices, self.aux_weights):
            losses[f'{name}_aux{index}'] = weight * self.loss_decode(self._resize(heights[index], target),
                                                                     target)
        losses[name] = self.loss_decode(self._resize(heights[-1], target), target)
        return losses

    @staticmethod
    def _unpadded_label(sample) -> Tensor:
        """The sample's ``gt_depth_map`` with the data preprocessor's padding (``padding_size``: left, right,
        top, bottom, filled with ``seg_pad_val``) set to NaN: padding has no height."""
        label = sample.gt_depth_map.data.clone()
        left, right, top, bottom = sample.metainfo.get('padding_size', (0, 0, 0, 0))
        height, width = label.shape[-2:]
        keep = torch.zeros_like(label, dtype=torch.bool)
        keep[..., top:height - bottom, left:width - right] = True
        return label.masked_fill(~keep, float('nan'))

    def _resize(self, heights: Tensor, target: Tensor) -> Tensor:
        return resize(heights, size=target.shape[-2:], mode='bilinear', align_corners=self.align_corners)
