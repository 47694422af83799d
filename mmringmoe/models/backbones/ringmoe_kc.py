"""RingMoE-KC: the dense backbone that KS / KA / KC merging produces (paper Sec. 3.4, Eq. 17-20)."""
from typing import Optional

from mmpretrain.models.backbones import SwinTransformerV2

from mmringmoe.registry import MODELS
from ..utils.pretrained import load_pretrained
from .arch_zoo import DEFAULT_MODALITIES, RINGMOE_ARCH_ZOO


@MODELS.register_module(name='RingMoE-KC')
class RingMoEKC(SwinTransformerV2):
    """A plain SwinV2 (one FFN per block, no routers) with RingMoE's arch zoo and a modality name.

    Merging (``tools/prune``) collapses every RMoE layer into one FFN, so the result *is* mmpretrain's
    ``SwinTransformerV2``: state-dict keys are identical, and a merged checkpoint loads into either class.
    This subclass only adds the RingMoE sizes (``tiny``/``base``/``1b`` as well as mmpretrain's own) and
    picks the input channels from the modality, so downstream configs read
    ``dict(type='mmringmoe.RingMoE-KC', arch='1b', modality='sar_l1')``.

    Args:
        arch (str | dict): a name of ``RINGMOE_ARCH_ZOO`` or mmpretrain's SwinV2 zoo, or a dict.
        modality (str): one of ``opt``, ``ms``, ``sar_l1``, ``sar_l2`` (or any name when ``in_channels``
            is given); sets ``in_channels``. Defaults to ``'opt'``.
        in_channels (int, optional): overrides the modality's channel count.
        **kwargs: the arguments of mmpretrain's ``SwinTransformerV2``.
    """
    arch_zoo = {**SwinTransformerV2.arch_zoo, **RINGMOE_ARCH_ZOO}

    def __init__(self, arch='1b', modality: str = 'opt', in_channels: Optional[int] = None, **kwargs):
        if in_channels is None:
            if modality not in DEFAULT_MODALITIES:
                raise ValueError(f'modality {modality!r} has no default channel count '
                                 f'({sorted(DEFAULT_MODALITIES)}); pass in_channels')
            in_channels = DEFAULT_MODALITIES[modality]
        self.modality = modality
        super().__init__(arch=arch, in_channels=in_channels, **kwargs)
        # frozen_stages takes effect now, not only at the first train(): DDP and the optimizer see it.
        self._freeze_stages()

    def init_weights(self) -> None:
        """Initialise as mmpretrain's SwinV2, or load ``init_cfg=dict(type='Pretrained', checkpoint=...)``.

        Loading (:func:`~mmringmoe.models.utils.pretrained.load_pretrained`) takes a merged backbone file
        (``tools/prune/prune.py --to kc``'s, keys without a prefix) or a whole model (its ``backbone.`` keys),
        with or without ``prefix='backbone.'``, and requires every weight: a missing or misshapen key raises
        :class:`~mmringmoe.utils.checkpoint_files.CheckpointError` (one line with the likely cause).
        """
        if isinstance(self.init_cfg, dict) and self.init_cfg.get('type') == 'Pretrained':
            load_pretrained(self, self.init_cfg, require_all=True)
        else:
            super().init_weights()

    def train(self, mode: bool = True) -> 'RingMoEKC':
        """mmpretrain's ``SwinTransformerV2.train`` returns None; return ``self`` as ``nn.Module`` does."""
        super().train(mode)
        return self
