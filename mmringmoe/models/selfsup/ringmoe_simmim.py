"""RingMoE's multi-modal SimMIM pretraining (paper Sec. 3.1, 3.3; Eq. 5-7)."""
import logging
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn
from mmengine.logging import print_log
from mmpretrain.models.selfsup import BaseSelfSupervisor
from mmpretrain.structures import DataSample

from mmringmoe.registry import MODELS
from ..utils import weighted_balance_losses


@MODELS.register_module()
class RingMoESimMIM(BaseSelfSupervisor):
    """Masked image modelling on unpaired multi-modal batches with modal-specific decoders.

    One step (paper Sec. 3.1):

    1. the batch (a list of images of different modalities and channel counts, normalised per modality
       by :class:`~mmringmoe.models.data_preprocessors.MultiModalSelfSupDataPreprocessor`) is
       patch-embedded by each modality's ``E_e``; the patches masked by mmpretrain's
       ``SimMIMMaskGenerator`` (the data sample's ``mask``) become the mask token
       (:class:`~mmringmoe.models.backbones.SimMIMRingMoE`); the RingMoE encoder runs on the whole batch;
    2. each modality's rows of the last feature map go through that modality's linear decoder ``g_φ``
       (:class:`~mmringmoe.models.necks.MultiModalLinearDecoder`);
    3. targets (Eq. 5) and the masked squared error (Eq. 6) come from
       :class:`~mmringmoe.models.heads.MultiModalMIMHead`: pixels for Opt, MS and SAR-L2, the
       polarimetric power for SAR-L1 (``head.targets``: ``'power'`` or, for the Table A18 ablation,
       ``'pixel'``).

    Losses returned (mmengine's ``parse_losses`` sums every key containing ``'loss'``, so the total is
    Eq. 7 exactly, ``L = L_recon + alpha * L_balance``):

    - ``loss_rec_<m>``: Eq. 6's term of modality m (mean over its masked pixels), for each modality
      present in the batch; a modality absent from the batch has no key and contributes nothing;
    - ``loss_balance_collaborative`` and ``loss_balance_specialized_<m>``: ``alpha`` times each router's
      load-balance loss (Eq. 4, 8-10; the backbone's ``balance_losses()``, averaged over layers), so that
      their sum is ``alpha * L_balance``. Divide by ``alpha`` for the raw terms.

    Args:
        backbone (dict): a :class:`SimMIMRingMoE` config.
        neck (dict): a :class:`MultiModalLinearDecoder` config; ``out_channels`` may be left out: each
            modality then gets its head target's channel count (so changing ``head.targets`` alone switches
            the SAR-L1 decoder between 1 power channel and 8 pixel channels).
        head (dict): a :class:`MultiModalMIMHead` config.
        alpha (float): the weight of the load-balance loss in Eq. 7. The paper does not give it; 0.01 is
            Switch Transformer's. Defaults to 0.01.
        data_preprocessor (dict): a :class:`MultiModalSelfSupDataPreprocessor` config (the type may be
            left out); its statistics must cover the backbone's modalities with their channel counts.
        init_cfg (dict, optional): mmengine initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 alpha: float = 0.01,
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if alpha < 0:
            raise ValueError(f'RingMoESimMIM: alpha must be >= 0, got {alpha}')
        if data_preprocessor is None:
            raise ValueError('RingMoESimMIM: data_preprocessor (per-modality mean and std) is required')
        if isinstance(data_preprocessor, dict):
            data_preprocessor = dict(data_preprocessor)
            data_preprocessor.setdefault('type', 'mmringmoe.MultiModalSelfSupDataPreprocessor')
        backbone = MODELS.build(backbone) if isinstance(backbone, dict) else backbone
        head = MODELS.build(head) if isinstance(head, dict) else head
        if isinstance(neck, dict) and 'out_channels' not in neck:
            neck = dict(neck, out_channels={
                m: head.target_channels(m, c) for m, c in backbone.modality_channels.items()})
        neck = MODELS.build(neck) if isinstance(neck, dict) else neck
        super().__init__(backbone=backbone, neck=neck, head=head, data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.alpha = float(alpha)
        self._check_components()

    def _check_components(self) -> None:
        """Fail at build time, naming the setting, when backbone, decoders, head and statistics disagree."""
        channels = self.backbone.modality_channels
        for modality, in_channels in channels.items():
            expected = self.head.target_channels(modality, in_channels)
            got = self.neck.out_channels.get(modality)
            if got != expected:
                raise ValueError(f'RingMoESimMIM: the decoder of {modality!r} has out_channels {got}, its '
                                 f'{self.head.target_type(modality)!r} target has {expected} channels')
        stats = getattr(self.data_preprocessor, 'channels', None)
        if stats is not None:
            for modality, in_channels in channels.items():
                if modality not in self.data_preprocessor.modalities:
                    raise ValueError(f'RingMoESimMIM: data_preprocessor has no mean/std for {modality!r}')
                if stats(modality) != in_channels:
                    raise ValueError(f'RingMoESimMIM: data_preprocessor normalises {stats(modality)} '
                                     f'channels of {modality!r}; the backbone embeds {in_channels}')

    def forward(self,
                inputs: Union[torch.Tensor, List[torch.Tensor]],
                data_samples: Optional[List[DataSample]] = None,
                mode: str = 'tensor'):
        """``'tensor'``: unmasked features (the modalities come from ``data_samples``); ``'loss'``: losses."""
        if mode == 'tensor':
            return self.extract_feat(inputs, data_samples)
        return super().forward(inputs, data_samples, mode)

    def extract_feat(self, inputs: Union[torch.Tensor, Sequence[torch.Tensor]],
                     data_samples: Optional[List[DataSample]] = None):
        """Multi-scale RingMoE features of unmasked images."""
        modalities = None if data_samples is None else [s.metainfo['modality'] for s in data_samples]
        return self.backbone(inputs, modalities, mask=None)

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """Eq. 6 per modality and the weighted balance terms of Eq. 7 (see the class docstring).

        Args:
            inputs: normalised ``[C_i, H, W]`` images (one size, any modality mix).
            data_samples: one per image, with ``mask`` ``[h, w]`` on the token grid, the ``modality``
                metainfo and ``raw_img`` (the un-normalised image; needed by power targets).
        """
        if not inputs:
            # Every image of this batch was rejected by the data preprocessor. A zero loss that touches
            # every trainable parameter keeps DDP/FSDP ranks in step (all must run backward).
            print_log('RingMoESimMIM: empty batch (every image rejected), zero loss', logger='current',
                      level=logging.WARNING)
            return dict(loss_rec=sum((p * 0.).sum() for p in self.parameters() if p.requires_grad))
        modalities = [s.metainfo['modality'] for s in data_samples]
        mask = torch.stack([s.mask for s in data_samples])
        latent = self.backbone(inputs, modalities, mask=mask)[-1]

        losses = {}
        for modality in self.backbone.modalities:
            rows = [i for i, name in enumerate(modalities) if name == modality]
            if not rows:
                continue
            index = torch.tensor(rows, device=latent.device)
            pred = self.neck(latent.index_select(0, index), modality)
            normalised = torch.stack([inputs[i] for i in rows])
            raw = None
            if self.head.target_type(modality) == 'power':
                if not all('raw_img' in data_samples[i] for i in rows):
                    raise ValueError(f'RingMoESimMIM: the power target of {modality!r} needs the raw images '
                                     '(data samples without raw_img; use MultiModalSelfSupDataPreprocessor)')
                raw = torch.stack([data_samples[i].raw_img for i in rows])
            target = self.head.target(modality, normalised, raw)
            losses[f'loss_rec_{modality}'] = self.head.loss(pred, target, mask.index_select(0, index))
        losses.update(weighted_balance_losses(self.backbone, self.alpha))
        return losses
