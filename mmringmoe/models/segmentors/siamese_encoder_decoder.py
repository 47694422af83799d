"""A Siamese encoder-decoder for change detection: one backbone, both dates (paper App. B.5.6)."""
from typing import List, Tuple

import torch
from mmseg.models.segmentors import EncoderDecoder
from torch import Tensor

from mmringmoe.registry import MODELS
from .moe_encoder_decoder import MoEEncoderDecoder


@MODELS.register_module()
class SiameseEncoderDecoder(EncoderDecoder):
    """mmseg's ``EncoderDecoder`` whose input is a channel-stacked image pair and whose one backbone sees
    both images (shared weights, a Siamese encoder).

    Paper App. B.5.6: BIT with RingMoE-KC (Opt) "as the backbone for feature extraction" of both dates.
    The pipeline stacks date A's bands then date B's (:class:`~mmringmoe.datasets.transforms.LoadRasterPair`,
    so every geometric augmentation moves both dates and the label together); :meth:`extract_feat` splits
    the channels in half, runs the backbone once on the batch of both dates (``[A_1..A_N, B_1..B_N]``) and
    returns, per backbone scale, date A's and date B's maps stacked along channels (``2 x C_i``), which the
    head (:class:`~mmringmoe.models.heads.BITHead`) splits again.

    **Inference interface** (e.g. for a large-scene tool cutting two co-registered scenes into tiles):
    ``model.test_step(dict(inputs=[pair], data_samples=[SegDataSample(metainfo=...)]))``, where each
    ``pair`` is a ``(2C, H, W)`` tensor of raw values, date A's ``C`` bands then date B's (the data
    preprocessor normalises both with the config's per-band statistics), or
    ``model.predict(normalised_batch, data_samples)`` with a ``(N, 2C, H, W)`` batch. Either returns mmseg
    ``SegDataSample``s whose ``seg_logits`` are ``(num_classes, H, W)`` logits (class 1 = changed) and whose
    ``pred_sem_seg`` is the ``(1, H, W)`` change map (0 unchanged, 1 changed), resized to each sample's
    ``ori_shape``.

    Args: those of mmseg's ``EncoderDecoder``; the backbone takes one date's channels.
    """

    def split_dates(self, inputs: Tensor) -> Tuple[Tensor, Tensor]:
        """``(N, 2C, H, W)`` -> date A ``(N, C, H, W)``, date B ``(N, C, H, W)``."""
        if inputs.shape[1] % 2:
            raise ValueError(f'{type(self).__name__}: input has {inputs.shape[1]} channels; a pair stacks two '
                             f'dates of equal band count (date A then date B)')
        first, second = inputs.chunk(2, dim=1)
        return first, second

    def extract_feat(self, inputs: Tensor) -> List[Tensor]:
        """Both dates through the one backbone in one batch; per scale ``cat([A, B], dim=1)``."""
        first, second = self.split_dates(inputs)
        feats = self.backbone(torch.cat([first, second], dim=0))
        n = first.shape[0]
        x = [torch.cat([feat[:n], feat[n:]], dim=1) for feat in feats]
        if self.with_neck:
            x = self.neck(x)
        return x


@MODELS.register_module()
class MoESiameseEncoderDecoder(SiameseEncoderDecoder, MoEEncoderDecoder):
    """:class:`SiameseEncoderDecoder` for a sparse backbone (RingMoE-Opt, RingMoE-EP): the loss adds
    ``balance_loss_weight`` x the backbone's balance losses (Eq. 7), as :class:`MoEEncoderDecoder` does; the
    one backbone pass over both dates routes all their tokens, so the term covers both.

    Args:
        balance_loss_weight (float): alpha. Defaults to 0.01.
        **kwargs: the arguments of mmseg's ``EncoderDecoder``.
    """
