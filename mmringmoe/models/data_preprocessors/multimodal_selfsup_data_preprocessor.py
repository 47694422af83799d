"""Data preprocessor of RingMoE pretraining: mixed-modality batches, per-modality statistics, NaN guard."""
import logging
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmengine.logging import print_log
from mmengine.model import BaseDataPreprocessor

from mmringmoe.registry import MODELS


@MODELS.register_module()
class MultiModalSelfSupDataPreprocessor(BaseDataPreprocessor):
    """Normalise each image of a mixed-modality batch with its modality's statistics.

    mmpretrain's ``SelfSupDataPreprocessor`` stacks a batch and normalises it with one mean/std; a
    RingMoE pretraining batch mixes modalities with 3, 4, 8 and 1 channels (paper Sec. 3.1), so this one
    keeps the batch as a list and looks up each image's statistics by the ``modality`` of its data sample.

    Guard: an image whose modality is not configured, whose channel count differs from its modality's
    statistics, or which holds a NaN or Inf is dropped from the batch (the model never sees it), with a
    warning naming its file (``img_path``) and the running count :attr:`num_rejected`. The loading
    transform already skips such tiles (``LoadRasterImage``); this is the last line of defence.

    Output: ``inputs`` is the list of normalised ``[C_i, H, W]`` float32 images; each data sample keeps
    its ``mask`` and gains ``raw_img``, the un-normalised float32 image (the SAR-L1 power target of Eq. 5
    is computed from raw values).

    Args:
        mean (dict): modality -> per-channel means, in the channel order of the loaded image.
        std (dict): modality -> per-channel standard deviations; the same modalities as ``mean``.
        non_blocking (bool): as in mmengine's ``BaseDataPreprocessor``. Defaults to False.
    """

    def __init__(self, mean: Dict[str, Sequence[float]], std: Dict[str, Sequence[float]],
                 non_blocking: Optional[bool] = False) -> None:
        super().__init__(non_blocking)
        if not mean or set(mean) != set(std):
            raise ValueError(f'MultiModalSelfSupDataPreprocessor: mean and std must name the same '
                             f'modalities, got {sorted(mean or {})} and {sorted(std or {})}')
        self.modalities: List[str] = list(mean)
        for modality in self.modalities:
            m, s = [float(v) for v in mean[modality]], [float(v) for v in std[modality]]
            if len(m) != len(s) or not m or min(s) <= 0:
                raise ValueError(f'MultiModalSelfSupDataPreprocessor: {modality!r} needs as many means as '
                                 f'stds (one per channel), all stds > 0; got mean {mean[modality]}, '
                                 f'std {std[modality]}')
            self.register_buffer(f'mean_{modality}', torch.tensor(m).view(-1, 1, 1), persistent=False)
            self.register_buffer(f'std_{modality}', torch.tensor(s).view(-1, 1, 1), persistent=False)
        self.num_rejected = 0

    def channels(self, modality: str) -> int:
        """Input channels of ``modality`` (the length of its statistics)."""
        return getattr(self, f'mean_{modality}').shape[0]

    def _problem(self, img: torch.Tensor, modality: Optional[str]) -> Optional[str]:
        """Why ``img`` cannot be trained on, or None."""
        if modality not in self.modalities:
            return f'modality {modality!r} has no statistics in the data preprocessor ({self.modalities})'
        if img.dim() != 3 or img.shape[0] != self.channels(modality):
            return (f'{modality} image has shape {tuple(img.shape)}, expected {self.channels(modality)} '
                    f'channels as [C, H, W]')
        if not img.is_floating_point():
            return None
        bad = int((~torch.isfinite(img)).sum())
        return f'{bad} NaN/Inf values' if bad else None

    def forward(self, data: dict, training: bool = False) -> dict:
        """Move to the device, drop invalid images, normalise each image with its modality's statistics.

        Args:
            data: ``dict(inputs=list of [C_i, H, W] tensors (or [B, C, H, W]), data_samples=list)`` as
                ``pseudo_collate`` makes it; each data sample has a ``modality`` metainfo.
            training: unused; the same processing in training and test.

        Returns:
            ``dict(inputs=list of normalised [C_i, H, W] tensors, data_samples=kept data samples)``.
        """
        data = self.cast_data(data)
        inputs: Union[torch.Tensor, List[torch.Tensor]] = data['inputs']
        samples = data.get('data_samples')
        if samples is None:
            raise ValueError('MultiModalSelfSupDataPreprocessor: data_samples (with the modality of each '
                             'image) are required')
        if isinstance(inputs, torch.Tensor):
            inputs = list(inputs.unbind(0)) if inputs.dim() == 4 else [inputs]
        if len(inputs) != len(samples):
            raise ValueError(f'MultiModalSelfSupDataPreprocessor: {len(inputs)} images but {len(samples)} '
                             f'data samples')

        kept_inputs, kept_samples = [], []
        for index, (img, sample) in enumerate(zip(inputs, samples)):
            modality = sample.metainfo.get('modality')
            problem = self._problem(img, modality)
            if problem is not None:
                self.num_rejected += 1
                name = sample.metainfo.get('img_path', f'batch item {index}')
                print_log(f'MultiModalSelfSupDataPreprocessor: rejected {name}: {problem} '
                          f'({self.num_rejected} rejected so far)', logger='current', level=logging.WARNING)
                continue
            raw = img.float()
            sample.set_field(raw, 'raw_img')
            kept_inputs.append((raw - getattr(self, f'mean_{modality}')) / getattr(self, f'std_{modality}'))
            kept_samples.append(sample)
        sizes = sorted({tuple(img.shape[-2:]) for img in kept_inputs})
        if len(sizes) > 1:
            raise ValueError(f'MultiModalSelfSupDataPreprocessor: the images of a batch must share one size, '
                             f'got {sizes} (resize in the pipeline)')
        return dict(inputs=kept_inputs, data_samples=kept_samples)
