"""mmseg's EncoderDecoder for a sparse RingMoE backbone: the segmentation loss plus Eq. 7's balance term."""
from typing import Dict

from mmseg.models.segmentors import EncoderDecoder
from mmseg.utils import SampleList
from torch import Tensor

from mmringmoe.registry import MODELS
from ..utils import weighted_balance_losses


@MODELS.register_module()
class MoEEncoderDecoder(EncoderDecoder):
    """``EncoderDecoder`` whose training loss adds ``alpha`` times the backbone's load-balance losses.

    Fine-tuning a sparse variant (``mmringmoe.RingMoE`` restricted to one modality, i.e. RingMoE-Opt, or
    ``mmringmoe.RingMoE-EP``) keeps training its routers; without the balance term of Eq. 7 nothing keeps
    them from collapsing onto a few experts. The paper states no alpha for fine-tuning, so the default is
    the pretraining one (0.01). The terms are logged as ``loss_balance_<router>``. The dense RingMoE-KC
    has no routers and adds nothing (use plain ``EncoderDecoder`` with it).

    Args:
        balance_loss_weight (float): alpha. Defaults to 0.01.
        **kwargs: the arguments of mmseg's ``EncoderDecoder``.
    """

    def __init__(self, balance_loss_weight: float = 0.01, **kwargs) -> None:
        super().__init__(**kwargs)
        if balance_loss_weight < 0:
            raise ValueError(f'MoEEncoderDecoder: balance_loss_weight must be >= 0, got {balance_loss_weight}')
        self.balance_loss_weight = float(balance_loss_weight)

    def loss(self, inputs: Tensor, data_samples: SampleList) -> Dict[str, Tensor]:
        """The decode (and auxiliary) losses of ``EncoderDecoder`` and the weighted balance losses."""
        losses = super().loss(inputs, data_samples)
        losses.update(weighted_balance_losses(self.backbone, self.balance_loss_weight))
        return losses
