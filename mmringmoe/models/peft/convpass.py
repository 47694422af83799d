"""Convpass parameter-efficient fine-tuning (paper Sec. 4.3.2, Fig. 12.b; Jie & Deng, 2022)."""
from typing import Optional, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmpretrain.models.backbones.swin_transformer_v2 import SwinBlockV2
from torch.utils.checkpoint import checkpoint

from mmringmoe.registry import MODELS
from ..layers import RMoESwinBlockV2


class QuickGELU(nn.Module):
    """``x * sigmoid(1.702 x)``, Convpass's activation."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(1.702 * x)


class ConvpassAdapter(nn.Module):
    """A convolutional bypass: down-projection, 3x3 convolution over the token grid, up-projection.

    ``[B, h*w, d] -> [B, h*w, d]``. As in Convpass: the down-projection is Xavier-initialised, the 3x3
    convolution starts as the identity (its centre tap), the up-projection starts at zero, so a fresh
    adapter adds exactly nothing; QuickGELU after the down-projection and the convolution, dropout 0.1.

    Args:
        embed_dims (int): token width d.
        hidden_dims (int): bottleneck width. Defaults to 8.
        drop_rate (float): dropout before the up-projection. Defaults to 0.1.
    """

    def __init__(self, embed_dims: int, hidden_dims: int = 8, drop_rate: float = 0.1) -> None:
        super().__init__()
        self.down = nn.Linear(embed_dims, hidden_dims)
        self.conv = nn.Conv2d(hidden_dims, hidden_dims, 3, padding=1)
        self.up = nn.Linear(hidden_dims, embed_dims)
        self.act = QuickGELU()
        self.dropout = nn.Dropout(drop_rate)
        self.init_weights()

    def init_weights(self) -> None:
        nn.init.xavier_uniform_(self.down.weight)
        nn.init.zeros_(self.down.bias)
        with torch.no_grad():
            self.conv.weight.zero_()
            self.conv.weight[:, :, 1, 1] = torch.eye(self.conv.in_channels)
        nn.init.zeros_(self.conv.bias)
        nn.init.zeros_(self.up.weight)
        nn.init.zeros_(self.up.bias)

    def forward(self, x: torch.Tensor, hw_shape: Tuple[int, int]) -> torch.Tensor:
        batch, length, _ = x.shape
        height, width = hw_shape
        if length != height * width:
            raise ValueError(f'ConvpassAdapter: {length} tokens do not form the {height}x{width} grid')
        hidden = self.act(self.down(x))
        grid = hidden.transpose(1, 2).reshape(batch, -1, height, width)
        hidden = self.act(self.conv(grid)).flatten(2).transpose(1, 2)
        return self.up(self.dropout(hidden))


def convpass_block_forward(block: SwinBlockV2, x: torch.Tensor, hw_shape: Tuple[int, int]) -> torch.Tensor:
    """SwinV2's post-norm block with a scaled bypass beside the attention and beside the FFN.

    ``x + norm1(attn(x)) + s * adapter_attn(x)``, then the same for the FFN: Convpass's
    ``x + attn(x) + s * convpass(x)`` with SwinV2's residual post-normalisation left on its own branch (the
    bypass reads the sub-layer's input, which in a post-norm block has no norm in front).
    """
    adapters = block.convpass
    x = x + block.norm1(block.attn(x, hw_shape)) + adapters.scale * adapters.attn(x, hw_shape)
    x = x + block.norm2(block.ffn(x)) + adapters.scale * adapters.ffn(x, hw_shape)
    return block.norm3(x) if block.extra_norm else x


class ConvpassRMoESwinBlockV2(RMoESwinBlockV2):
    """A RingMoE block with Convpass bypasses; its ``with_cp`` keeps the balance losses in the graph."""
    block_forward = convpass_block_forward


class ConvpassSwinBlockV2(SwinBlockV2):
    """A dense SwinV2 block (RingMoE-KC) with Convpass bypasses.

    ``with_cp`` checkpoints non-reentrantly: with a frozen backbone the block input needs no gradient,
    which the reentrant mode of mmpretrain's block would take as a reason to give the adapters none.
    """

    def forward(self, x: torch.Tensor, hw_shape: Tuple[int, int]) -> torch.Tensor:
        if self.with_cp and torch.is_grad_enabled():
            return checkpoint(convpass_block_forward, self, x, hw_shape, use_reentrant=False)
        return convpass_block_forward(self, x, hw_shape)


class _BlockAdapters(nn.Module):
    """The two adapters of one block and their scale s."""

    def __init__(self, embed_dims: int, hidden_dims: int, drop_rate: float, scale: float) -> None:
        super().__init__()
        self.attn = ConvpassAdapter(embed_dims, hidden_dims, drop_rate)
        self.ffn = ConvpassAdapter(embed_dims, hidden_dims, drop_rate)
        self.scale = scale


@MODELS.register_module(name='Convpass')
class ConvpassBackbone(BaseModule):
    """A frozen SwinV2-family backbone (``RingMoE-KC``, ``RingMoE``, ``RingMoE-EP``) with Convpass adapters.

    Switch it on in a config by wrapping the backbone::

        model = dict(backbone=dict(type='mmringmoe.Convpass',
                                   backbone=dict(type='mmringmoe.RingMoE-KC', ...)))

    Every block of every stage gets two :class:`ConvpassAdapter` (beside its attention and its FFN) working
    on that stage's token grid; every parameter of the wrapped backbone (weights, routers, norms) is
    frozen at construction and its modules stay in eval mode (no dropout, drop path or routing noise), so
    only the adapters and the task head train (Sec. 4.3.2). Adapters start as zero: right after
    construction the output equals the frozen backbone's exactly. Forward arguments (``modality`` of a
    multi-modal RingMoE) and ``balance_losses`` pass through. The wrapped backbone's own ``init_cfg``
    loads its pretrained weights (the adapters are no part of its state dict); a checkpoint of the whole
    model holds them as ``backbone.adapters.<block>.{attn,ffn}``.

    Args:
        backbone (dict): the backbone config.
        hidden_dims (int): adapter bottleneck. Defaults to 8 (Convpass's).
        scale (float): s, the factor of each bypass. Defaults to 0.01.
        drop_rate (float): adapter dropout. Defaults to 0.1 (Convpass's).
        init_cfg (dict, optional): of this wrapper (the backbone keeps its own).
    """

    def __init__(self,
                 backbone: dict,
                 hidden_dims: int = 8,
                 scale: float = 0.01,
                 drop_rate: float = 0.1,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        stages = getattr(self.backbone, 'stages', None)
        if stages is None:
            raise TypeError(f'Convpass: {type(self.backbone).__name__} has no SwinV2 stages')
        for param in self.backbone.parameters():
            param.requires_grad = False
        self.adapters = nn.ModuleList()
        for stage in stages:
            for block in stage.blocks:
                if not isinstance(block, SwinBlockV2):
                    raise TypeError(f'Convpass: {type(block).__name__} is not a SwinV2 block')
                adapters = _BlockAdapters(stage.out_channels, hidden_dims, drop_rate, scale)
                self.adapters.append(adapters)
                # A plain reference, not a submodule: the backbone's state dict stays the pretrained one (its
                # checkpoints load unchanged), the adapters' parameters live here under ``adapters.<i>``.
                object.__setattr__(block, 'convpass', adapters)
                # The stages build their blocks by class; the subclasses add the bypasses to the forward.
                block.__class__ = (ConvpassRMoESwinBlockV2
                                   if isinstance(block, RMoESwinBlockV2) else ConvpassSwinBlockV2)

    def init_weights(self) -> None:
        """Load or initialise the backbone, then reset the adapters (zero output)."""
        self.backbone.init_weights()
        for adapters in self.adapters:
            adapters.attn.init_weights()
            adapters.ffn.init_weights()

    def train(self, mode: bool = True) -> 'ConvpassBackbone':
        """The backbone stays in eval mode; the adapters follow ``mode``."""
        super().train(mode)
        self.backbone.eval()
        return self

    def forward(self, *args, **kwargs):
        return self.backbone(*args, **kwargs)

    def balance_losses(self):
        """The wrapped backbone's balance losses (a sparse RingMoE's; none for a dense one)."""
        return getattr(self.backbone, 'balance_losses', dict)()
