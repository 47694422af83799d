"""RelationNet's relation module (Sung et al., "Learning to Compare", CVPR 2018), the paper's few-shot
classification head on frozen RingMoE-KC features (App. B.5.8)."""
from typing import List, Optional, Tuple

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmringmoe.registry import MODELS


@MODELS.register_module()
class RelationModule(BaseModule):
    """``g_phi(C(f(x_i), f(x_j)))`` of Sung et al.: the relation score in (0, 1) of a class and a query.

    As in RelationNet, the class's and the query's feature maps are concatenated along channels (class
    first) and scored by two conv blocks (3x3 conv, BatchNorm, ReLU, 2x2 max pool), a fully connected layer
    with ReLU and a fully connected layer with a sigmoid. The convolutions are padded (``padding=1``) and the
    pools round up (``ceil_mode``), so the small maps of a backbone's last stage (8 x 8 at 256 px, 2 x 2 for
    the tests' 64 px) keep at least one cell; the first fully connected layer takes ``feat_size`` after the
    two pools.

    The first convolution is linear in its input: with its weight split by input channels,
    ``conv([p; q]) = conv_p(p) + conv_q(q) + b``. :meth:`project` applies ``conv_p`` and ``conv_q`` to feature
    maps once, :meth:`score` adds the projections of every (query, class) pair: the same numbers as convolving
    each concatenated pair (tested), at the cost of one convolution per map instead of one per pair. And as
    ``conv_p`` is linear, the projection of a mean of shots is the mean of their projections, so an evaluation
    can project each unique image once.

    Args:
        in_channels (int): channels of one feature map (the backbone stage's).
        feat_size (int): side of the feature maps (e.g. 8 for 256 px inputs and a stride-32 stage).
        mid_channels (int): channels of the conv blocks. Defaults to 64 (RelationNet's).
        hidden_dims (int): width of the first fully connected layer. Defaults to 8 (RelationNet's).
        init_cfg (dict, optional): mmengine's initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 feat_size: int,
                 mid_channels: int = 64,
                 hidden_dims: int = 8,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.in_channels = in_channels
        self.feat_size = feat_size
        self.conv1 = nn.Conv2d(2 * in_channels, mid_channels, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(mid_channels)
        self.conv2 = nn.Conv2d(mid_channels, mid_channels, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(mid_channels)
        pooled = -(-(-(-feat_size // 2)) // 2)  # two ceil-mode 2x2 pools
        self.fc1 = nn.Linear(mid_channels * pooled * pooled, hidden_dims)
        self.fc2 = nn.Linear(hidden_dims, 1)

    def forward(self, queries: Tensor, classes: Tensor) -> Tensor:
        """Relation scores ``[..., Q, N]`` of query maps ``[..., Q, C, h, w]`` and class maps
        ``[..., N, C, h, w]`` (leading dimensions: e.g. episodes)."""
        return self.score(self.project(queries)[1], self.project(classes)[0])

    def project(self, maps: Tensor) -> Tuple[Tensor, Tensor]:
        """``(conv_p(maps), conv_q(maps))``: the first convolution's class and query halves (no bias) of
        feature maps ``[..., C, h, w]``, each ``[..., mid, h, w]``."""
        if maps.dim() < 4 or maps.shape[-3] != self.in_channels or tuple(
                maps.shape[-2:]) != (self.feat_size, ) * 2:
            raise ValueError(
                f'RelationModule: features of shape {tuple(maps.shape)}, expected [..., '
                f'{self.in_channels}, {self.feat_size}, {self.feat_size}] (in_channels, feat_size of '
                'the config)')
        lead = maps.shape[:-3]
        flat = maps.reshape(-1, *maps.shape[-3:])
        weights = self.conv1.weight.split(self.in_channels, dim=1)
        return tuple(F.conv2d(flat, w, None, padding=1).view(*lead, -1, *maps.shape[-2:]) for w in weights)

    def score(self, query_part: Tensor, class_part: Tensor, window_major: bool = False) -> Tensor:
        """Scores ``[..., Q, N]`` of projected queries ``[..., Q, mid, h, w]`` and classes
        ``[..., N, mid, h, w]`` (with ``window_major``, both in :meth:`window_major` order; eval mode only).

        With running BatchNorm statistics (eval mode) the first BatchNorm, an affine map per channel, is
        applied to the two parts before they are added (``a (q + p + b) + c = a q + (a p + a b + c)``), and
        the first max pool is taken window position by window position (the maximum over the four positions
        of a 2x2 window of ``q + p``), so the ``Q x N`` pairs are only ever held at pooled size: the same
        numbers as :meth:`score_pairs` on the concatenated pairs (tested), several times faster.
        """
        bias = self.conv1.bias.view(-1, 1, 1)
        if self.bn1.training or not self.bn1.track_running_stats:
            if window_major:
                raise ValueError('RelationModule: window-major parts are scored in eval mode only')
            pairs = _pairs(query_part, class_part + bias)
            lead = pairs.shape[:-3]
            return self.score_pairs(pairs.reshape(-1, *pairs.shape[-3:])).view(lead)
        scale = (self.bn1.weight / torch.sqrt(self.bn1.running_var + self.bn1.eps)).view(-1, 1, 1)
        shift = self.bn1.bias.view(-1, 1, 1) - scale * self.bn1.running_mean.view(-1, 1, 1)
        windows = _window_major_windows if window_major else _windows
        query_windows = windows(scale * query_part)
        class_windows = windows(scale * (class_part + bias) + shift)
        pooled = None
        for query_window, class_window in zip(query_windows, class_windows):
            pairs = _pairs(query_window, class_window)
            pooled = pairs if pooled is None else torch.maximum(pooled, pairs)
        lead = pooled.shape[:-3]
        return self._after_pool1(pooled.reshape(-1, *pooled.shape[-3:])).view(lead)

    @staticmethod
    def window_major(part: Tensor) -> Tensor:
        """``[..., C, h, w]`` (even sides) with each channel's pixels reordered, the same shape: first the
        top-left pixel of every 2x2 pooling window, then the top-right ones, the bottom-left, the bottom-right
        (``[4, h / 2, w / 2]`` in memory). Per-channel maps (BatchNorm's affine map, a mean over shots) apply
        unchanged, and :meth:`score` then reads each window position as one contiguous block: what an
        evaluation keeps per image (several times fewer cache misses than strided reads)."""
        h, w = part.shape[-2:]
        if h % 2 or w % 2:
            raise ValueError(f'RelationModule.window_major: needs even map sides, got {h} x {w}')
        blocks = part.unflatten(-1, (w // 2, 2)).unflatten(-3, (h // 2, 2))  # [..., C, h/2, 2, w/2, 2]
        lead = blocks.dim() - 5
        return blocks.permute(*range(lead), *(lead + i for i in (0, 2, 4, 1, 3))).reshape(part.shape)

    def score_pairs(self, first_conv: Tensor) -> Tensor:
        """Everything after the first convolution: ``[P, mid, h, w]`` -> scores ``[P]``."""
        return self._after_pool1(_max_pool_2x2(self.bn1(first_conv)))

    def _after_pool1(self, x: Tensor) -> Tensor:
        # ReLU and max pooling commute (both monotone): pooling first leaves a quarter of the ReLU's work.
        # Channels-last maps take oneDNN's faster convolution on the CPU for the many small pair maps.
        x = F.relu(x).contiguous(memory_format=torch.channels_last)
        x = F.relu(_max_pool_2x2(self.bn2(self.conv2(x))))
        return torch.sigmoid(self.fc2(F.relu(self.fc1(x.flatten(1))))).squeeze(1)


def _pairs(query_part: Tensor, class_part: Tensor) -> Tensor:
    """``[..., Q, N, C, h, w]``: every query part plus every class part."""
    return query_part.unsqueeze(-4) + class_part.unsqueeze(-5)


def _windows(x: Tensor) -> List[Tensor]:
    """The four positions of the 2x2 pooling windows of ``[..., C, h, w]``, each a strided view ``[..., C,
    ceil(h / 2), ceil(w / 2)]`` (an odd side gets a ``-inf`` row or column, which ceil mode's last window
    ignores)."""
    h, w = x.shape[-2:]
    if h % 2 or w % 2:
        x = F.pad(x, (0, w % 2, 0, h % 2), value=float('-inf'))
    return [x[..., ::2, ::2], x[..., ::2, 1::2], x[..., 1::2, ::2], x[..., 1::2, 1::2]]


def _window_major_windows(x: Tensor) -> List[Tensor]:
    """:func:`_windows` of a map in :meth:`RelationModule.window_major` order: four contiguous blocks."""
    h, w = x.shape[-2:]
    blocks = x.reshape(*x.shape[:-2], 4, h // 2, w // 2)
    return [blocks[..., k, :, :] for k in range(4)]


def _max_pool_2x2(x: Tensor) -> Tensor:
    """``nn.MaxPool2d(2, ceil_mode=True)`` of ``[..., C, h, w]`` as the maximum of the four window positions:
    the same values, several times faster on the CPU than PyTorch's pooling kernel for many small maps."""
    top_left, top_right, bottom_left, bottom_right = _windows(x)
    return torch.maximum(torch.maximum(top_left, top_right), torch.maximum(bottom_left, bottom_right))
