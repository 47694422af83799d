"""mmpretrain's ImageClassifier for a sparse RingMoE: the classification loss plus Eq. 7's balance term."""
from typing import Dict, List

import torch
from mmpretrain.models.classifiers import ImageClassifier
from mmpretrain.structures import DataSample

from mmringmoe.registry import MODELS
from ..utils import weighted_balance_losses


@MODELS.register_module()
class MoEImageClassifier(ImageClassifier):
    """``ImageClassifier`` (backbone, neck, head) whose training loss adds ``alpha`` x the balance losses.

    Scene classification fine-tunes every variant (paper App. B.5.1, Table 2); for the sparse ones
    (``mmringmoe.RingMoE`` restricted to one modality, i.e. RingMoE-Opt, and ``mmringmoe.RingMoE-EP``) the
    routers keep training, and without Eq. 7's balance term nothing keeps them from collapsing onto a few
    experts. The paper states no alpha for fine-tuning: the default is the pretraining one (0.01), as in
    :class:`~mmringmoe.models.segmentors.MoEEncoderDecoder`. The terms are logged as
    ``loss_balance_<router>``. They are left out while the backbone's routers are frozen (frozen backbone,
    Convpass), where they would train nothing. Routing noise is a training-only term of the routers (off
    in eval mode), and the backbone records no expert counts unless a statistics tool asks for them.

    Args:
        balance_loss_weight (float): alpha. Defaults to 0.01.
        **kwargs: the arguments of mmpretrain's ``ImageClassifier``.
    """

    def __init__(self, balance_loss_weight: float = 0.01, **kwargs) -> None:
        super().__init__(**kwargs)
        if balance_loss_weight < 0:
            raise ValueError(
                f'MoEImageClassifier: balance_loss_weight must be >= 0, got {balance_loss_weight}')
        self.balance_loss_weight = float(balance_loss_weight)

    def _routers_train(self) -> bool:
        return any(p.requires_grad for name, p in self.backbone.named_parameters() if 'router' in name)

    def loss(self, inputs: torch.Tensor, data_samples: List[DataSample]) -> Dict[str, torch.Tensor]:
        """The head's loss and, while the routers train, the weighted balance losses of the same forward."""
        losses = super().loss(inputs, data_samples)
        if self._routers_train():
            losses.update(weighted_balance_losses(self.backbone, self.balance_loss_weight))
        return losses
