"""A SwinV2 block whose gradient checkpointing keeps the RMoE layer's balance losses in the graph."""
from typing import Tuple

import torch
from mmpretrain.models.backbones.swin_transformer_v2 import SwinBlockV2
from torch.utils.checkpoint import checkpoint



class RMoESwinBlockV2(SwinBlockV2):
    """mmpretrain's post-norm ``SwinBlockV2`` with an :class:`RMoE` FFN and side-effect-safe ``with_cp``.

    The RMoE layer computes its load-balance losses (Eq. 8-10) and, when asked, its expert counts
    (Eq. 15) as a side effect of its forward. mmpretrain's block checkpoints with
    ``torch.utils.checkpoint.checkpoint(fn, x)`` in its reentrant mode, which runs ``fn`` under
    ``no_grad``: the balance losses come out without a graph and Eq. 7's ``alpha * L_balance`` term
    trains nothing. This block instead uses the non-reentrant checkpoint: the forward runs with autograd
    on (only the saved activations are dropped), so the balance losses keep their graph, and backward
    recomputes the block once, with the same random state (routing noise, drop path), to refill them.
    The non-reentrant mode also works with DDP's ``find_unused_parameters`` and with inputs that need no
    gradient (frozen stages), which the reentrant one does not.

    The recomputation runs the RMoE layer a second time; ``RMoE.recomputation`` keeps that run from
    recording its expert counts again or replacing the losses of the real forward.

    The math of :meth:`block_forward` is mmpretrain's ``_inner_forward`` (post-norm residuals, the extra
    norm of the H/G sizes); ``test_parity_with_mmpretrain_swinv2`` holds the two equal.
    """

    def block_forward(self, x: torch.Tensor, hw_shape: Tuple[int, int]) -> torch.Tensor:
        """Attention and FFN with SwinV2's post-normalised residuals."""
        x = x + self.norm1(self.attn(x, hw_shape))
        x = x + self.norm2(self.ffn(x))
        return self.norm3(x) if self.extra_norm else x

    def forward(self, x: torch.Tensor, hw_shape: Tuple[int, int]) -> torch.Tensor:
        if not (self.with_cp and torch.is_grad_enabled()):
            return self.block_forward(x, hw_shape)
        runs = 0

        def run(tokens: torch.Tensor) -> torch.Tensor:
            nonlocal runs
            runs += 1
            with self.ffn.recomputation(runs > 1):
                return self.block_forward(tokens, hw_shape)

        return checkpoint(run, x, use_reentrant=False)
