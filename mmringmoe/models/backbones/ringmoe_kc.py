"""RingMoE-KC: the dense backbone that KS / KA / KC merging produces (paper Sec. 3.4, Eq. 17-20)."""
from typing import Optional

from mmpretrain.models.backbones import SwinTransformerV2

from mmringmoe.registry import MODELS
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

    def train(self, mode: bool = True) -> 'RingMoEKC':
        """mmpretrain's ``SwinTransformerV2.train`` returns None; return ``self`` as ``nn.Module`` does."""
        super().train(mode)
        return self
