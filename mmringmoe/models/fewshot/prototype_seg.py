"""1-shot segmentation with prototypes of a frozen backbone's features (paper App. B.5.8, Table A5).

"We utilize RingMoE-KC to extract features from both the support and query images. Then, we apply the
foreground mask of the support image to perform the masked average pooling operation, obtaining both the
foreground and background prototypes. Finally, we calculate the similarity between the query features and
the support prototypes to achieve segmentation."
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample
from torch import Tensor, nn

from mmringmoe.registry import MODELS
from .frozen_feature_cache import FrozenFeatureCache

IGNORE_INDEX = 255


def masked_average_pooling(features: Tensor, weights: Tensor, eps: float = 1e-6) -> Tensor:
    """Prototypes ``[B, C]``: the average of ``features [B, C, h, w]`` weighted by ``weights [B, H, W]`` (a
    mask at image resolution), after area-averaging the weights onto the ``h x w`` feature grid, so that a
    feature cell counts with the fraction of its pixels the mask covers. An empty mask gives a zero vector."""
    cell_weights = F.adaptive_avg_pool2d(weights[:, None].to(features.dtype), features.shape[-2:])
    return (features * cell_weights).sum((2, 3)) / cell_weights.sum((2, 3)).clamp_min(eps)


def prototype_logits(query: Tensor, background: Tensor, foreground: Tensor, scale: Union[Tensor, float]) -> Tensor:
    """``[B, 2, h, w]``: ``scale`` x the cosine similarity of each query feature ``[B, C, h, w]`` to the
    background and to the foreground prototype ``[B, C]`` (channel 0 background, 1 foreground)."""
    prototypes = torch.stack([background, foreground], dim=1)[..., None, None]  # B, 2, C, 1, 1
    return scale * F.cosine_similarity(query[:, None], prototypes, dim=2)


@MODELS.register_module()
class PrototypeFewShotSegmentor(BaseModel):
    """Masked-average-pooling prototypes and cosine similarity on a frozen backbone (paper App. B.5.8).

    The input of an episode is the support and the query image stacked channel-wise (``[B, 2 C, H, W]``, see
    :class:`~mmringmoe.datasets.transforms.PackSegEpisode`), the support mask is ``support_sem_seg`` of
    each data sample (1 the class, 0 background, 255 ignored). Steps:

    1. the frozen ``backbone`` gives each image's stages ``in_index`` (resized to the first one's grid and
       concatenated when several); in ``'predict'`` mode through a :class:`FrozenFeatureCache` keyed by image
       path, so an image that appears in many episodes is forwarded once (the configs' test loop,
       ``mmringmoe.EpisodicSegTestLoop``, also loads it once and calls :meth:`segment` on its own cache);
    2. ``projection`` (a trained 1 x 1 convolution; ``channels=None`` skips it) maps them to the metric space;
    3. masked average pooling of the support features under the mask and under its complement gives the
       foreground and the background prototype;
    4. the cosine similarity of each query feature to both prototypes, times a scale, upsampled bilinearly
       to the input size, is the two-class prediction; training minimises its cross-entropy with the query
       mask (ignore index 255).

    The backbone never trains: its parameters do not require gradients and it stays in eval mode (no
    dropout, drop path or routing noise), as "its parameters [are] fixed during both the training and
    testing phases" (Sec. 4.1).

    Args:
        backbone (dict): the backbone, e.g. ``mmringmoe.RingMoE-KC`` with ``out_indices=(2, )``.
        in_channels (int): channels of the backbone features used (summed over ``in_index``).
        in_index (Sequence[int]): which of the backbone's outputs to use. Defaults to ``(0, )``.
        channels (int, optional): output channels of the projection; None for no projection.
        scale (float): the initial (or, with ``learn_scale=False``, fixed) similarity scale. Defaults to 10.
        learn_scale (bool): whether the scale is trained. Defaults to True.
        cache_batch_size (int): images forwarded at once by the test-time feature cache. Defaults to 16.
        cache_on_cpu (bool): keep the cached features in host memory instead of on the model's device (they
            are ``in_channels x H/16 x W/16`` floats per unique test image). Defaults to False.
        data_preprocessor (dict, optional): e.g. ``MultiBandSegDataPreProcessor`` with the statistics of
            one image written twice (support, then query).
        init_cfg (dict, optional): initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 in_channels: int,
                 in_index: Sequence[int] = (0, ),
                 channels: Optional[int] = None,
                 scale: float = 10.0,
                 learn_scale: bool = True,
                 cache_batch_size: int = 16,
                 cache_on_cpu: bool = False,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.backbone.requires_grad_(False)
        self.in_index = tuple(in_index)
        self.projection = nn.Conv2d(in_channels, channels, 1) if channels else nn.Identity()
        if learn_scale:
            self.scale = nn.Parameter(torch.tensor(float(scale)))
        else:
            self.register_buffer('scale', torch.tensor(float(scale)))
        self.feature_cache = FrozenFeatureCache(self.backbone, self.backbone_features, cache_batch_size,
                                                store=Tensor.cpu if cache_on_cpu else None)

    def train(self, mode: bool = True) -> 'PrototypeFewShotSegmentor':
        """Set the trained parts' mode; the backbone stays in eval mode."""
        super().train(mode)
        self.backbone.eval()
        return self

    def backbone_features(self, images: Tensor) -> Tensor:
        """The frozen backbone's stages ``in_index`` of ``images``, on the first one's grid, concatenated."""
        with torch.no_grad():
            outs = self.backbone(images)
        feats = [outs[i] for i in self.in_index]
        size = feats[0].shape[-2:]
        feats = [f if f.shape[-2:] == size else F.interpolate(f, size, mode='bilinear') for f in feats]
        return torch.cat(feats, dim=1)

    def forward(self,
                inputs: Tensor,
                data_samples: Optional[List[SegDataSample]] = None,
                mode: str = 'tensor') -> Union[Dict[str, Tensor], List[SegDataSample], Tensor]:
        """``'loss'``: ``dict(loss_ce=...)``; ``'predict'``: the data samples with ``pred_sem_seg`` (1 where
        the class is predicted) and ``seg_logits``; ``'tensor'``: the logits ``[B, 2, H, W]``."""
        if data_samples is None:
            raise ValueError('PrototypeFewShotSegmentor needs the data samples (support masks)')
        support, query = self._split(inputs)
        support_mask = torch.cat([s.support_sem_seg.data for s in data_samples]).to(inputs.device)
        if mode == 'predict':
            support_feats, query_feats = self._cached_features(support, query, data_samples)
        else:
            both = self.backbone_features(torch.cat([support, query]))
            support_feats, query_feats = both.split(len(support))
        logits = self.segment(support_feats, support_mask, query_feats, inputs.shape[-2:])
        if mode == 'loss':
            query_mask = torch.cat([s.gt_sem_seg.data for s in data_samples]).to(inputs.device)
            return dict(loss_ce=F.cross_entropy(logits, query_mask, ignore_index=IGNORE_INDEX))
        if mode == 'predict':
            foreground = self.foreground(logits)
            for sample, logit, pred in zip(data_samples, logits, foreground):
                sample.seg_logits = PixelData(data=logit)
                sample.pred_sem_seg = PixelData(data=pred)
            return data_samples
        if mode == 'tensor':
            return logits
        raise ValueError(f'PrototypeFewShotSegmentor: unknown mode {mode!r}')

    def segment(self, support_feats: Tensor, support_mask: Tensor, query_feats: Tensor,
                size: Tuple[int, int]) -> Tensor:
        """Steps 2-4: projection, prototypes, scaled cosine similarity upsampled to ``size``."""
        support_feats = self.projection(support_feats)
        query_feats = self.projection(query_feats)
        foreground = masked_average_pooling(support_feats, (support_mask == 1).float())
        background = masked_average_pooling(support_feats, (support_mask == 0).float())
        logits = prototype_logits(query_feats, background, foreground, self.scale)
        return F.interpolate(logits, size, mode='bilinear', align_corners=False)

    @staticmethod
    def foreground(logits: Tensor) -> Tensor:
        """The prediction ``[B, 1, H, W]`` (1 the class) of logits ``[B, 2, H, W]``: the argmax of the two
        channels (ties to background, as argmax), without torch's slow CPU reduction over a leading dimension
        of 2 (about 14 ms per 256 x 256 map)."""
        return (logits[:, 1:] > logits[:, :1]).long()

    def image_inputs(self, images: Sequence[Tensor]) -> Tensor:
        """Single images ``[C, H, W]`` (as loaded) -> the backbone's inputs ``[B, C, H, W]``, normalised as the
        data preprocessor normalises the support and the query of an episode: each image goes through it in
        the support's place (its statistics are an image's written twice, so both halves are the same)."""
        doubled = self.data_preprocessor(dict(inputs=[torch.cat([img, img]) for img in images]), False)['inputs']
        return self._split(doubled)[0]

    def _split(self, inputs: Tensor) -> Tuple[Tensor, Tensor]:
        if inputs.shape[1] % 2:
            raise ValueError(f'PrototypeFewShotSegmentor: inputs have {inputs.shape[1]} channels; expected the '
                             'support and the query image stacked channel-wise (an even count)')
        return inputs.chunk(2, dim=1)

    def _cached_features(self, support: Tensor, query: Tensor,
                         data_samples: List[SegDataSample]) -> Tuple[Tensor, Tensor]:
        """Backbone features of every support and query image through the cache, keyed by path."""
        images = {}
        for sample, support_img, query_img in zip(data_samples, support, query):
            images[sample.support_path] = support_img
            images[sample.img_path] = query_img
        keys = [s.support_path for s in data_samples] + [s.img_path for s in data_samples]
        feats = self.feature_cache.features(keys, lambda missing: torch.stack([images[k] for k in missing]))
        return feats.to(support.device).split(len(data_samples))
