"""RingMoE: Swin Transformer V2 whose every FFN is an RMoE layer (paper Sec. 3.2, App. B.2)."""
from collections import defaultdict
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmcv.cnn.bricks.transformer import PatchEmbed
from mmpretrain.models.backbones import SwinTransformerV2
from mmpretrain.models.utils import resize_pos_embed

from mmringmoe.registry import MODELS
from ..layers import RMoE, RMoESwinBlockV2
from ..utils import swinv2_to_ringmoe_state_dict
from ..utils.pretrained import load_pretrained
from .arch_zoo import DEFAULT_MODALITIES, RINGMOE_ARCH_ZOO

ModalityArg = Union[None, str, Sequence[str]]


@MODELS.register_module(name='RingMoE')
class RingMoE(SwinTransformerV2):
    """RingMoE encoder: mmpretrain's SwinV2 with modal patch embeddings and RMoE FFNs.

    Everything but the FFNs and the patch embedding is mmpretrain's ``SwinTransformerV2`` (post-norm
    blocks, scaled cosine window attention, log-spaced continuous position bias, patch merging). Each
    block's FFN is replaced by an :class:`RMoE` layer (Eq. 1-3) that keeps the block's drop path. Each
    modality has its own linear patch embedding ``E_e`` (``patch_embed.<modality>``).

    With ``num_specialized_experts=0, num_collaborative_experts=0`` (shared expert only) this is exactly
    a SwinV2: :func:`mmringmoe.models.utils.swinv2_to_ringmoe_state_dict` maps a SwinV2 checkpoint onto it.

    Args:
        arch (str | dict): ``tiny`` (tests), ``base`` (Swin-B, the paper's RingMoE@Swin-88M), ``1b``
            (the paper's model), any mmpretrain SwinV2 name, or a dict with ``embed_dims``, ``depths``,
            ``num_heads``, ``extra_norm_every_n_blocks``. Defaults to ``'1b'``.
        modalities (dict | Sequence[str]): modality name -> input channels; a list of names takes the
            default channels (``opt`` 3, ``ms`` 4, ``sar_l1`` 8, ``sar_l2`` 1). Defaults to all four.
        num_specialized_experts (int): N_S per modality. Defaults to 4.
        num_collaborative_experts (int | Sequence[int]): N_C, or one count per block (in block order)
            for expert-pruned layouts (RingMoE-EP). Defaults to 4.
        with_shared_expert (bool): Defaults to True.
        top_k (int): experts chosen per token by each router. Defaults to 1.
        noisy_gating (bool): Eq. 14's trainable noise in training. Defaults to True.
        window_size (int | Sequence[int]): attention window per stage. Defaults to 12 (192 px input).
        **kwargs: the other arguments of mmpretrain's ``SwinTransformerV2`` (``img_size``,
            ``out_indices``, ``drop_path_rate``, ``with_cp``, ``frozen_stages``, ``pad_small_map``,
            ``pretrained_window_sizes``, ``init_cfg`` ...).

    ``forward(x, modality)`` returns the multi-scale features of ``out_indices``; the balance losses of
    that forward are then available from :meth:`balance_losses`.
    """
    arch_zoo = {**SwinTransformerV2.arch_zoo, **RINGMOE_ARCH_ZOO}

    def __init__(self,
                 arch: Union[str, dict] = '1b',
                 modalities: Union[Dict[str, int], Sequence[str]] = tuple(DEFAULT_MODALITIES),
                 num_specialized_experts: int = 4,
                 num_collaborative_experts: Union[int, Sequence[int]] = 4,
                 with_shared_expert: bool = True,
                 top_k: int = 1,
                 noisy_gating: bool = True,
                 window_size: Union[int, Sequence[int]] = 12,
                 **kwargs) -> None:
        self.modality_channels = self._parse_modalities(modalities)
        self.modalities = list(self.modality_channels)
        first_channels = next(iter(self.modality_channels.values()))
        super().__init__(arch=arch, in_channels=first_channels, window_size=window_size, **kwargs)

        patch_cfg = dict(input_size=kwargs.get('img_size', 256), embed_dims=self.embed_dims,
                         conv_type='Conv2d', kernel_size=kwargs.get('patch_size', 4),
                         stride=kwargs.get('patch_size', 4), norm_cfg=dict(type='LN'))
        patch_cfg.update(kwargs.get('patch_cfg', {}))
        # One linear patch embedding E_e per modality (Sec. 3.1); replaces SwinV2's single one.
        self.patch_embed = nn.ModuleDict({
            m: PatchEmbed(in_channels=c, **patch_cfg) for m, c in self.modality_channels.items()})
        self.patch_size = patch_cfg['stride']

        blocks = [block for stage in self.stages for block in stage.blocks]
        if isinstance(num_collaborative_experts, int):
            num_collaborative_experts = [num_collaborative_experts] * len(blocks)
        if len(num_collaborative_experts) != len(blocks):
            raise ValueError(f'num_collaborative_experts has {len(num_collaborative_experts)} entries, '
                             f'the arch has {len(blocks)} blocks')
        self.rmoe_layers: List[RMoE] = []
        for block, n_collab in zip(blocks, num_collaborative_experts):
            dense = block.ffn
            drop_prob = getattr(dense.dropout_layer, 'drop_prob', 0.)
            block.ffn = RMoE(
                embed_dims=dense.embed_dims, feedforward_channels=dense.feedforward_channels,
                modalities=self.modalities, num_specialized_experts=num_specialized_experts,
                num_collaborative_experts=n_collab, with_shared_expert=with_shared_expert, top_k=top_k,
                noisy_gating=noisy_gating,
                dropout_layer=dict(type='DropPath', drop_prob=drop_prob) if drop_prob > 0 else None)
            self.rmoe_layers.append(block.ffn)
            # mmpretrain's stages build SwinBlockV2 by class, with no option for another block type;
            # the subclass adds no state, only a with_cp that keeps the balance losses in the graph.
            block.__class__ = RMoESwinBlockV2
        self.num_specialized_experts = num_specialized_experts
        self.num_collaborative_experts = list(num_collaborative_experts)
        self.with_shared_expert = with_shared_expert
        # frozen_stages takes effect now, not only at the first train(): DDP and the optimizer see it.
        self._freeze_stages()

    @staticmethod
    def _parse_modalities(modalities) -> Dict[str, int]:
        if isinstance(modalities, str):
            modalities = [modalities]
        if isinstance(modalities, dict):
            parsed = {str(m): int(c) for m, c in modalities.items()}
        else:
            unknown = [m for m in modalities if m not in DEFAULT_MODALITIES]
            if unknown:
                raise ValueError(f'modalities {unknown} have no default channel count; pass a dict '
                                 f'name -> channels (defaults: {DEFAULT_MODALITIES})')
            parsed = {m: DEFAULT_MODALITIES[m] for m in modalities}
        if not parsed:
            raise ValueError('modalities must name at least one modality')
        return parsed

    # ----------------------------------------------------------------------------------------------
    def _modality_list(self, modality: ModalityArg, batch_size: int) -> List[str]:
        """Validate ``modality`` and return one name per sample."""
        if modality is None:
            if len(self.modalities) != 1:
                raise ValueError(f'modality is required: this RingMoE has modalities {self.modalities}')
            modality = self.modalities[0]
        names = [modality] * batch_size if isinstance(modality, str) else list(modality)
        if len(names) != batch_size:
            raise ValueError(f'modality has {len(names)} entries for a batch of {batch_size} images')
        unknown = sorted(set(names) - set(self.modalities))
        if unknown:
            raise ValueError(f'modality {unknown} unknown; this RingMoE has {self.modalities}')
        return names

    def _check_image(self, image: torch.Tensor, name: str, index: int) -> None:
        expected = self.modality_channels[name]
        if image.dim() != 3 or image.shape[0] != expected:
            raise ValueError(f'x[{index}] has shape {tuple(image.shape)}; modality {name!r} expects '
                             f'{expected} channels as [C, H, W]')
        height, width = image.shape[-2:]
        for stage, window in enumerate(self.window_sizes):
            side = min(height, width) // (self.patch_size * 2**stage)
            if side < window and not self.stages[stage].blocks[0].attn.pad_small_map:
                raise ValueError(
                    f'x[{index}] is {height}x{width}: stage {stage} sees {side} tokens per side, less than '
                    f'its window ({window}). Use images of at least '
                    f'{window * self.patch_size * 2**stage} px, a smaller window_size, or pad_small_map=True')

    def embed(self, x: Union[torch.Tensor, Sequence[torch.Tensor]],
              modality: ModalityArg = None) -> Tuple[torch.Tensor, Tuple[int, int], torch.Tensor]:
        """Patch-embed each sample with its modality's ``E_e``.

        Args:
            x: ``[B, C, H, W]``, or a sequence of ``[C_i, H, W]`` images (modalities with different
                channel counts in one batch; all of one spatial size).
            modality: one name for the batch, one per sample, or None for a single-modality model.

        Returns:
            tokens ``[B, L, d]`` in input order, the token grid ``(h, w)``, modality ids ``[B]``.
        """
        if isinstance(x, torch.Tensor):
            if x.dim() != 4:
                raise ValueError(f'x must be [B, C, H, W] or a list of [C, H, W] images, got {tuple(x.shape)}')
            images = list(x.unbind(0))
        else:
            images = list(x)
        if not images:
            raise ValueError('x is an empty batch')
        names = self._modality_list(modality, len(images))
        for i, (image, name) in enumerate(zip(images, names)):
            self._check_image(image, name, i)
        if len({tuple(image.shape[-2:]) for image in images}) != 1:
            raise ValueError('all images of a batch must have one spatial size')

        tokens: List[Optional[torch.Tensor]] = [None] * len(images)
        hw_shape = None
        for name in dict.fromkeys(names):
            rows = [i for i, n in enumerate(names) if n == name]
            group = x[rows] if isinstance(x, torch.Tensor) else torch.stack([images[i] for i in rows])
            embedded, hw_shape = self.patch_embed[name](group)
            for row, sample in zip(rows, embedded):
                tokens[row] = sample
        modality_index = torch.tensor([self.modalities.index(n) for n in names], device=images[0].device)
        return torch.stack(tokens), hw_shape, modality_index

    def encode(self, tokens: torch.Tensor, hw_shape: Tuple[int, int],
               modality_index: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Run the SwinV2 stages on embedded tokens; RMoE layers route by ``modality_index``."""
        if self.use_abs_pos_embed:
            tokens = tokens + resize_pos_embed(self.absolute_pos_embed, self.patch_resolution, hw_shape,
                                               self.interpolate_mode, self.num_extra_tokens)
        x = self.drop_after_pos(tokens)
        # The ids stay set after the forward: with_cp recomputes the blocks during backward.
        for layer in self.rmoe_layers:
            layer.modality_index = modality_index
        outs = []
        for i, stage in enumerate(self.stages):
            x, hw_shape = stage(x, hw_shape)
            if i in self.out_indices:
                out = getattr(self, f'norm{i}')(x)
                outs.append(out.view(-1, *hw_shape, stage.out_channels).permute(0, 3, 1, 2).contiguous())
        return tuple(outs)

    def forward(self, x: Union[torch.Tensor, Sequence[torch.Tensor]],
                modality: ModalityArg = None) -> Tuple[torch.Tensor, ...]:
        """Multi-scale features of ``x`` (see :meth:`embed` for the accepted inputs)."""
        tokens, hw_shape, modality_index = self.embed(x, modality)
        return self.encode(tokens, hw_shape, modality_index)

    def train(self, mode: bool = True) -> 'RingMoE':
        """mmpretrain's ``SwinTransformerV2.train`` returns None; return ``self`` as ``nn.Module`` does."""
        super().train(mode)
        return self

    def balance_losses(self) -> Dict[str, torch.Tensor]:
        """The last forward's load-balance losses (Eq. 4, 8-10), averaged over RMoE layers.

        Keys ``'collaborative'`` and ``'specialized.<modality>'`` (modalities present in that batch);
        their sum is Eq. 4's ``L_balance``. Averaging over layers (the paper is silent) keeps alpha's
        scale independent of depth: a perfectly balanced router contributes 1 per key.
        """
        per_key = defaultdict(list)
        for layer in self.rmoe_layers:
            for key, value in layer.last_balance_losses.items():
                per_key[key].append(value)
        losses = {key: torch.stack(values).mean() for key, values in per_key.items()}
        self._check_balance_graph(losses)
        return losses

    def _check_balance_graph(self, losses: Dict[str, torch.Tensor]) -> None:
        """Refuse balance losses that would train nothing while the routers are being trained.

        A forward run under ``no_grad`` (e.g. by a wrapper's reentrant gradient checkpointing) leaves
        the losses without a graph; added to the training loss they would silently drop Eq. 7's
        ``alpha * L_balance`` term."""
        if not (self.training and torch.is_grad_enabled()):
            return
        detached = sorted(key for key, value in losses.items() if not value.requires_grad)
        trainable = any(p.requires_grad for layer in self.rmoe_layers for name, p in layer.named_parameters()
                        if 'router' in name)
        if detached and trainable:
            raise RuntimeError(f'RingMoE: the balance losses {detached} of the last forward carry no gradient '
                               '(the forward ran without autograd, e.g. under reentrant gradient '
                               'checkpointing); use with_cp=True of RingMoE, which checkpoints without '
                               'dropping them')

    def init_weights(self) -> None:
        """Initialise, or load ``init_cfg=dict(type='Pretrained', checkpoint=...)`` with a key report.

        Loading (:func:`~mmringmoe.models.utils.pretrained.load_pretrained`) accepts a RingMoE checkpoint, a
        whole-model checkpoint (its ``backbone.`` keys), or a dense mmpretrain SwinV2 checkpoint (mapped onto
        the shared experts and the first modality's patch embedding; use
        ``tools/model_converters/upcycle_swinv2.py`` to upcycle every expert). Missing and unexpected keys are
        logged grouped by pattern; a file that is not a checkpoint, no key that fits or a key of another
        shape raises :class:`~mmringmoe.utils.checkpoint_files.CheckpointError` (one line).
        """
        if not (isinstance(self.init_cfg, dict) and self.init_cfg.get('type') == 'Pretrained'):
            super().init_weights()
            return

        def convert(state):
            if any(k.startswith('patch_embed.projection') for k in state):  # a dense SwinV2
                return swinv2_to_ringmoe_state_dict(state, self.modalities[0])
            return state

        load_pretrained(self, self.init_cfg, convert)
