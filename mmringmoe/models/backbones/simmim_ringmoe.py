"""RingMoE with SimMIM's mask token, for masked-image-modelling pretraining (paper Sec. 3.1)."""
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model.weight_init import trunc_normal_

from mmringmoe.registry import MODELS
from .ringmoe import ModalityArg, RingMoE


@MODELS.register_module(name='SimMIMRingMoE')
class SimMIMRingMoE(RingMoE):
    """RingMoE encoder that replaces masked patch tokens by a learnable mask token (SimMIM).

    The counterpart of mmpretrain's ``SimMIMSwinTransformer``: after the modal patch embedding ``E_e``
    (:meth:`RingMoE.embed`), the tokens of masked patches are replaced by one learnable ``mask_token``
    shared by all modalities, and the shared encoder runs on the result (:meth:`RingMoE.encode`). This is
    the paper's ``x_m = M ⊙ Patch(I_m)`` then ``z_m = f_θ(E_e x_m + E_pos)`` (Sec. 3.1) with one
    difference, our choice: the paper adds a position embedding ``E_pos`` to the tokens, but builds on
    SwinV2 (App. B.2), which has none by default (``use_abs_pos_embed=False``, as in the SwinV2 paper):
    position enters through each attention layer's continuous relative position bias (log-spaced
    coordinates through a small MLP). We keep SwinV2 as it is, so that RingMoE stays exactly a SwinV2
    with RMoE layers (its parity test) and SwinV2 checkpoints load; ``use_abs_pos_embed=True`` adds an
    absolute ``E_pos`` after the patch embedding, as the paper's formula reads.

    The mask token is initialised as SimMIM's (truncated normal, std 0.02); every other weight keeps
    RingMoE's own initialisation (SimMIM's extra ``trunc_normal_`` of every ``nn.Linear`` would give the
    shared expert and attention another scale than the expert banks, which initialise like ``nn.Linear``).

    Args:
        **kwargs: the arguments of :class:`RingMoE` (``arch``, ``modalities``, expert counts,
            ``window_size``, ``img_size``, ``out_indices``, ``drop_path_rate``, ``with_cp``, ``init_cfg``...).
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, self.embed_dims))

    def init_weights(self) -> None:
        """RingMoE's initialisation (or checkpoint loading), then SimMIM's mask-token init."""
        super().init_weights()
        if isinstance(self.init_cfg, dict) and self.init_cfg.get('type') == 'Pretrained':
            return
        trunc_normal_(self.mask_token, mean=0., std=.02)

    def forward(self,
                x: Union[torch.Tensor, Sequence[torch.Tensor]],
                modality: ModalityArg = None,
                mask: Optional[torch.Tensor] = None) -> Tuple[torch.Tensor, ...]:
        """Multi-scale features of ``x``; with ``mask``, the masked tokens are the mask token.

        Args:
            x: ``[B, C, H, W]`` or a sequence of ``[C_i, H, W]`` images (see :meth:`RingMoE.embed`).
            modality: one name for the batch, one per sample, or None for a single-modality model.
            mask: ``[B, h, w]`` (1 = masked) on the token grid (``H / patch_size`` x ``W / patch_size``),
                as mmpretrain's ``SimMIMMaskGenerator`` makes it with ``model_patch_size = patch_size``;
                None gives the plain RingMoE forward.
        """
        tokens, hw_shape, modality_index = self.embed(x, modality)
        if mask is not None:
            batch, length, _ = tokens.shape
            if mask.shape != (batch, *hw_shape):
                raise ValueError(
                    f'mask has shape {tuple(mask.shape)}; the token grid of this batch is {batch} x '
                    f'{hw_shape[0]} x {hw_shape[1]} (set SimMIMMaskGenerator\'s input_size to the image size '
                    f'and model_patch_size to the backbone patch size, {self.patch_size})')
            weight = mask.flatten(1).unsqueeze(-1).type_as(tokens)
            tokens = tokens * (1. - weight) + self.mask_token.expand(batch, length, -1) * weight
        return self.encode(tokens, hw_shape, modality_index)
