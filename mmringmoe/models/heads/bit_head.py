"""The BIT change-detection head (Chen, Qi and Shi, "Remote sensing image change detection with transformers",
TGRS 2021), used on a Siamese RingMoE-KC in the paper's App. B.5.6."""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmcv.cnn.bricks.transformer import FFN
from mmengine.model import BaseModule
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.utils import resize
from torch import Tensor, nn

from mmringmoe.registry import MODELS


class TokenAttention(nn.Module):
    """Multi-head attention of ``query`` tokens over ``memory`` tokens whose inner width is
    ``num_heads x head_dims``, independent of the token width ``dims``.

    BIT lets 32-wide features attend through 8 heads of 64 (an inner width of 512); mmcv's and PyTorch's
    ``MultiheadAttention`` tie the inner width to the token width (8 heads of 4 here), so this replaces them.
    """

    def __init__(self, dims: int, num_heads: int, head_dims: int) -> None:
        super().__init__()
        self.num_heads, self.head_dims = num_heads, head_dims
        inner = num_heads * head_dims
        self.to_q = nn.Linear(dims, inner, bias=False)
        self.to_kv = nn.Linear(dims, 2 * inner, bias=False)
        self.proj = nn.Linear(inner, dims)

    def forward(self, query: Tensor, memory: Tensor) -> Tensor:
        """``(B, N, dims)`` queries attend to ``(B, M, dims)`` memory; returns ``(B, N, dims)``."""
        batch, n, _ = query.shape
        q = self.to_q(query).view(batch, n, self.num_heads, self.head_dims).transpose(1, 2)
        k, v = self.to_kv(memory).view(batch, memory.shape[1], 2, self.num_heads, self.head_dims).permute(
            2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(q, k, v)
        return self.proj(out.transpose(1, 2).reshape(batch, n, self.num_heads * self.head_dims))


class TokenTransformerLayer(BaseModule):
    """A pre-norm transformer layer: attention (over the tokens themselves, or over ``memory``) and an MLP,
    each added to its input. BIT's encoder layer (self-attention among the tokens of both dates) and
    decoder layer (each date's pixels, as queries, attend to that date's tokens) are this layer.

    Args:
        dims (int): token width.
        num_heads (int), head_dims (int): of :class:`TokenAttention`.
        mlp_ratio (int): MLP hidden width over ``dims`` (BIT: 2).
    """

    def __init__(self, dims: int, num_heads: int, head_dims: int, mlp_ratio: int) -> None:
        super().__init__()
        self.norm_query = nn.LayerNorm(dims)
        self.norm_memory = nn.LayerNorm(dims)
        self.attn = TokenAttention(dims, num_heads, head_dims)
        self.norm_ffn = nn.LayerNorm(dims)
        self.ffn = FFN(embed_dims=dims, feedforward_channels=mlp_ratio * dims, act_cfg=dict(type='GELU'),
                       add_identity=False)

    def forward(self, x: Tensor, memory: Optional[Tensor] = None) -> Tensor:
        """Self-attention when ``memory`` is None (the encoder), cross-attention to it otherwise (the
        decoder)."""
        query = self.norm_query(x)
        x = x + self.attn(query, query if memory is None else self.norm_memory(memory))
        return x + self.ffn(self.norm_ffn(x))


@MODELS.register_module()
class BITHead(BaseDecodeHead):
    """Bitemporal image transformer (BIT) head on the features of both dates.

    Input: the list of feature maps of :class:`~mmringmoe.models.segmentors.SiameseEncoderDecoder`, each
    the date-A map and the date-B map of one backbone scale stacked along channels (``2 x in_channels[i]``).
    Per date, the ``in_index`` scales are resized to the first one's size and concatenated (mmseg's
    ``resize_concat``); then, following Chen et al. 2021 (Sec. III, Fig. 2):

    1. a 3x3 convolution reduces them to ``channels`` (BIT: 32);
    2. the tokenizer: ``token_len`` spatial attention maps (a 1x1 convolution, softmax over the pixels)
       pool each date's map into ``token_len`` semantic tokens (BIT: 4);
    3. a learned position embedding is added and a transformer encoder (``enc_depth`` layers) runs over the
       ``2 x token_len`` tokens of both dates together;
    4. a transformer decoder (``dec_depth`` layers; BIT's LEVIR-CD model: 8): each date's pixels attend to
       that date's refined tokens;
    5. the absolute difference of the two refined maps is upsampled by ``upsample_scale`` (bilinear) and
       classified by a 3x3 convolution with BatchNorm and ReLU and a 3x3 convolution to ``num_classes``.

    The position embedding is one per token index, shared by the two dates (BIT learns one per token of
    either date): with it the whole head is symmetric in the dates, so swapping A and B swaps the two refined
    maps and leaves their absolute difference, hence the logits, unchanged (tested). LEVIR-CD and CDD label
    a change either way (a building built or demolished) the same.

    Args:
        token_len (int): semantic tokens per date. Defaults to 4.
        enc_depth (int): encoder layers. Defaults to 1.
        dec_depth (int): decoder layers. Defaults to 8.
        num_heads (int): attention heads. Defaults to 8.
        head_dims (int): width of each head. Defaults to 64.
        mlp_ratio (int): MLP width over ``channels``. Defaults to 2.
        upsample_scale (int): upsampling of the difference map before the classifier (4: from the stride-4
            features to the input size). Defaults to 4.
        **kwargs: mmseg's ``BaseDecodeHead`` arguments; ``in_channels`` and ``in_index`` are the per-date
            channels and indices of the scales used (``input_transform`` is ``'resize_concat'``).
    """

    def __init__(self,
                 token_len: int = 4,
                 enc_depth: int = 1,
                 dec_depth: int = 8,
                 num_heads: int = 8,
                 head_dims: int = 64,
                 mlp_ratio: int = 2,
                 upsample_scale: int = 4,
                 **kwargs) -> None:
        kwargs.setdefault('input_transform', 'resize_concat')
        super().__init__(**kwargs)
        if self.input_transform != 'resize_concat':
            raise ValueError(f'BITHead: input_transform must be resize_concat, got {self.input_transform!r}')
        self.date_channels: Sequence[int] = tuple(kwargs['in_channels'])
        dims = self.channels
        self.reduce = nn.Conv2d(self.in_channels, dims, kernel_size=3, padding=1)
        self.tokenizer = nn.Conv2d(dims, token_len, kernel_size=1, bias=False)
        self.pos_embed = nn.Parameter(torch.randn(1, token_len, dims))
        self.encoder = nn.ModuleList(
            [TokenTransformerLayer(dims, num_heads, head_dims, mlp_ratio) for _ in range(enc_depth)])
        self.decoder = nn.ModuleList(
            [TokenTransformerLayer(dims, num_heads, head_dims, mlp_ratio) for _ in range(dec_depth)])
        self.upsample_scale = upsample_scale
        self.classifier = ConvModule(dims, dims, 3, padding=1, norm_cfg=self.norm_cfg or dict(type='BN'),
                                     act_cfg=dict(type='ReLU'))
        # BIT's classifier ends in a 3x3 convolution, mmseg's conv_seg is 1x1
        self.conv_seg = nn.Conv2d(dims, self.out_channels, kernel_size=3, padding=1)

    def split_dates(self, inputs: List[Tensor]) -> Tuple[Tensor, Tensor]:
        """The date-A and date-B maps of the used scales, each resized and concatenated."""
        for index, channels in zip(self.in_index, self.date_channels):
            if inputs[index].shape[1] != 2 * channels:
                raise ValueError(f'BITHead: scale {index} has {inputs[index].shape[1]} channels, expected '
                                 f'2 x {channels} (date A then date B)')
        first = [feat[:, :feat.shape[1] // 2] for feat in inputs]
        second = [feat[:, feat.shape[1] // 2:] for feat in inputs]
        return self._transform_inputs(first), self._transform_inputs(second)

    def tokenize(self, x: Tensor) -> Tensor:
        """``(B, C, H, W)`` -> ``(B, token_len, C)``: each token a spatial-attention-weighted mean."""
        attention = self.tokenizer(x).flatten(2).softmax(dim=-1)
        return torch.einsum('bln,bcn->blc', attention, x.flatten(2))

    def decode(self, x: Tensor, tokens: Tensor) -> Tensor:
        """Each pixel of ``x`` attends to ``tokens`` through the decoder layers."""
        height, width = x.shape[2:]
        pixels = x.flatten(2).transpose(1, 2)
        for layer in self.decoder:
            pixels = layer(pixels, tokens)
        return pixels.transpose(1, 2).reshape(x.shape[0], -1, height, width)

    def forward(self, inputs: List[Tensor]) -> Tensor:
        """Steps 1-5 of the class docstring; returns the logits at ``upsample_scale`` x the first used
        scale's size."""
        first, second = (self.reduce(x) for x in self.split_dates(inputs))
        tokens = torch.cat([self.tokenize(first) + self.pos_embed, self.tokenize(second) + self.pos_embed], 1)
        for layer in self.encoder:
            tokens = layer(tokens)
        tokens_first, tokens_second = tokens.chunk(2, dim=1)
        difference = torch.abs(self.decode(first, tokens_first) - self.decode(second, tokens_second))
        difference = resize(difference, scale_factor=self.upsample_scale, mode='bilinear',
                            align_corners=self.align_corners)
        return self.cls_seg(self.classifier(difference))
