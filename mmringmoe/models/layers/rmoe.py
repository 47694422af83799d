"""The hierarchical modality-expert layer, RMoE (paper Sec. 3.2, Eq. 1-3; App. A Eq. 12-14)."""
from contextlib import contextmanager
from typing import Dict, Iterator, List, Optional, Sequence

import torch
import torch.nn as nn
from mmcv.cnn.bricks.drop import build_dropout
from mmcv.cnn.bricks.transformer import FFN
from mmengine.model import BaseModule

from .expert_bank import ExpertBank
from .router import NoisyTopKRouter, Routing, load_balance_loss


class RMoE(BaseModule):
    """RMoE layer: modal-specialized, collaborative and shared experts (Eq. 1-3).

    For a token x of modality m::

        y = sum_k G^S_{m,k}(x) E^S_{m,k}(x) + sum_k G^C_k(x) E^C_k(x) + E^Shared(x)

    - ``N_S`` specialized experts per modality behind that modality's own router, which sees only that
      modality's tokens;
    - ``N_C`` collaborative experts behind one router shared by all modalities;
    - one shared expert (an mmcv ``FFN``, the same module as a dense SwinV2 block's FFN) on every token.

    Routers are noisy top-K (Eq. 13-14). Every token is routed: there is no capacity and no token is
    dropped. Dispatch groups the (token, chosen expert) pairs by expert with one stable sort, runs each
    expert once on a contiguous block, and adds the outputs back weighted by their gates; no per-token
    Python and no ``[tokens x experts x capacity]`` one-hot tensors.

    After each forward, ``last_balance_losses`` holds one load-balance loss per router (Eq. 4, 8-10):
    ``'collaborative'`` and ``'specialized.<modality>'`` for the modalities present in the input. With
    ``record_expert_counts = True`` the layer accumulates, in ``expert_counts``, how many tokens of each
    modality each expert received (Eq. 15 numerators; used by expert pruning). A forward run again by
    gradient checkpointing (inside :meth:`recomputation`) changes neither: it only refills the graph.

    Args:
        embed_dims (int): token width d.
        feedforward_channels (int): hidden width of every expert.
        modalities (Sequence[str]): modality names; ``modality_index`` values index this list.
        num_specialized_experts (int): N_S per modality. Defaults to 4.
        num_collaborative_experts (int): N_C. Defaults to 4.
        with_shared_expert (bool): Defaults to True.
        top_k (int): experts per token for each router. Defaults to 1.
        noisy_gating (bool): Eq. 14's noise in training. Defaults to True.
        dropout_layer (dict, optional): applied to the layer output (SwinV2 uses DropPath here).
        init_cfg (dict, optional): mmengine initialisation config.
    """

    def __init__(self,
                 embed_dims: int,
                 feedforward_channels: int,
                 modalities: Sequence[str],
                 num_specialized_experts: int = 4,
                 num_collaborative_experts: int = 4,
                 with_shared_expert: bool = True,
                 top_k: int = 1,
                 noisy_gating: bool = True,
                 dropout_layer: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not modalities:
            raise ValueError('modalities must name at least one modality')
        if num_specialized_experts < 0 or num_collaborative_experts < 0:
            raise ValueError('expert counts must be >= 0')
        if not (num_specialized_experts or num_collaborative_experts or with_shared_expert):
            raise ValueError('an RMoE layer needs at least one expert')
        self.embed_dims = embed_dims
        self.feedforward_channels = feedforward_channels
        self.modalities = list(modalities)
        self.num_specialized_experts = num_specialized_experts
        self.num_collaborative_experts = num_collaborative_experts
        self.top_k = top_k

        if num_specialized_experts:
            self.specialized_experts = nn.ModuleDict({
                m: ExpertBank(num_specialized_experts, embed_dims, feedforward_channels)
                for m in self.modalities})
            self.specialized_routers = nn.ModuleDict({
                m: NoisyTopKRouter(embed_dims, num_specialized_experts, top_k, noisy_gating)
                for m in self.modalities})
        if num_collaborative_experts:
            self.collaborative_experts = ExpertBank(num_collaborative_experts, embed_dims,
                                                    feedforward_channels)
            self.collaborative_router = NoisyTopKRouter(embed_dims, num_collaborative_experts, top_k,
                                                        noisy_gating)
        self.shared_expert = FFN(
            embed_dims=embed_dims, feedforward_channels=feedforward_channels, num_fcs=2, ffn_drop=0.,
            dropout_layer=None, act_cfg=dict(type='GELU'), add_identity=False) if with_shared_expert else None
        self.dropout_layer = build_dropout(dropout_layer) if dropout_layer else nn.Identity()

        self.modality_index: Optional[torch.Tensor] = None  # set by the backbone before each forward
        self.last_balance_losses: Dict[str, torch.Tensor] = {}
        self.record_expert_counts = False
        self.expert_counts: Dict[str, torch.Tensor] = {}
        self.reset_expert_counts()
        self._recomputing = False

    @contextmanager
    def recomputation(self, active: bool = True) -> Iterator[None]:
        """Mark the forwards inside as gradient-checkpointing recomputations of a forward already seen.

        Such a forward neither records expert counts a second time nor replaces ``last_balance_losses``
        (the tensors of the real forward, whose graph the recomputation refills)."""
        previous, self._recomputing = self._recomputing, active
        try:
            yield
        finally:
            self._recomputing = previous

    # ----------------------------------------------------------------------------------------------
    def reset_expert_counts(self) -> None:
        """Zero the per-modality expert counts (``[num_modalities, N]`` each)."""
        num_modalities = len(self.modalities)
        self.expert_counts = {
            'specialized': torch.zeros(num_modalities, self.num_specialized_experts, dtype=torch.long),
            'collaborative': torch.zeros(num_modalities, self.num_collaborative_experts, dtype=torch.long),
        }

    def _token_modality(self, x: torch.Tensor, modality_index: Optional[torch.Tensor]) -> torch.Tensor:
        """Per-token modality ids from per-sample (``[B]`` for ``x [B, L, d]``) or per-token ids."""
        if modality_index is None:
            modality_index = self.modality_index
        num_tokens = x.numel() // x.shape[-1]
        if modality_index is None:
            if len(self.modalities) > 1:
                raise ValueError(f'modality_index is required: this layer has modalities {self.modalities}')
            return torch.zeros(num_tokens, dtype=torch.long, device=x.device)
        modality_index = modality_index.to(x.device).reshape(-1)
        if modality_index.numel() == num_tokens:
            return modality_index
        if x.dim() == 3 and modality_index.numel() == x.shape[0]:
            return modality_index.repeat_interleave(x.shape[1])
        raise ValueError(f'modality_index has {modality_index.numel()} entries; expected one per sample '
                         f'({x.shape[0]}) or one per token ({num_tokens})')

    def _record(self, kind: str, modality: torch.Tensor, routing: Routing, num_experts: int) -> None:
        index = modality.repeat_interleave(self.top_k) * num_experts + routing.expert_index.reshape(-1)
        counts = torch.bincount(index, minlength=len(self.modalities) * num_experts)
        self.expert_counts[kind] += counts.view(len(self.modalities), num_experts).cpu()

    def forward(self, x: torch.Tensor, modality_index: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Apply the layer to ``x`` of shape ``[B, L, d]`` (or ``[T, d]``).

        Args:
            x: tokens.
            modality_index: ids into ``self.modalities``, one per sample or one per token; defaults to
                ``self.modality_index`` (set by the backbone), or modality 0 for a single-modality layer.
        """
        token_modality = self._token_modality(x, modality_index)
        tokens = x.reshape(-1, x.shape[-1])
        out = self.shared_expert(tokens) if self.shared_expert is not None else torch.zeros_like(tokens)

        banks: List[ExpertBank] = []  # global expert ids number the experts of these banks in order
        slot_token, slot_expert, slot_gate = [], [], []
        losses: Dict[str, torch.Tensor] = {}

        def add_slots(token_ids: torch.Tensor, routing: Routing, bank: ExpertBank) -> None:
            offset = sum(b.num_experts for b in banks)
            slot_token.append(token_ids.repeat_interleave(self.top_k))
            slot_expert.append(routing.expert_index.reshape(-1) + offset)
            slot_gate.append(routing.gate.reshape(-1))
            banks.append(bank)

        if self.num_specialized_experts:
            for m, name in enumerate(self.modalities):
                token_ids = (token_modality == m).nonzero(as_tuple=True)[0]
                if token_ids.numel() == 0:
                    continue
                routing = self.specialized_routers[name](tokens[token_ids])
                losses[f'specialized.{name}'] = load_balance_loss(routing)
                if self.record_expert_counts and not self._recomputing:
                    self._record('specialized', token_modality[token_ids], routing,
                                 self.num_specialized_experts)
                add_slots(token_ids, routing, self.specialized_experts[name])
        if self.num_collaborative_experts:
            routing = self.collaborative_router(tokens)
            losses['collaborative'] = load_balance_loss(routing)
            if self.record_expert_counts and not self._recomputing:
                self._record('collaborative', token_modality, routing, self.num_collaborative_experts)
            add_slots(torch.arange(tokens.shape[0], device=tokens.device), routing, self.collaborative_experts)

        if slot_token:
            out = self._dispatch(out, tokens, torch.cat(slot_token), torch.cat(slot_expert),
                                 torch.cat(slot_gate), banks)
        if not self._recomputing:
            self.last_balance_losses = losses
        return self.dropout_layer(out.view_as(x))

    @staticmethod
    def _dispatch(out: torch.Tensor, tokens: torch.Tensor, slot_token: torch.Tensor, slot_expert: torch.Tensor,
                  slot_gate: torch.Tensor, banks: List[ExpertBank]) -> torch.Tensor:
        """Group (token, expert) slots by expert, run each expert once on its contiguous block, and add
        the outputs, weighted by their gates, to ``out``."""
        order = torch.argsort(slot_expert, stable=True)
        counts = torch.bincount(slot_expert, minlength=sum(b.num_experts for b in banks)).tolist()
        sorted_token = slot_token[order]
        blocks = tokens.index_select(0, sorted_token).split(counts)
        outputs, start = [], 0
        for bank in banks:
            outputs.extend(bank.forward_blocks(list(blocks[start:start + bank.num_experts])))
            start += bank.num_experts
        expert_out = torch.cat(outputs)  # bf16 under autocast, like ``out``; the gates are float32
        weighted = expert_out * slot_gate[order].unsqueeze(-1).to(expert_out.dtype)
        return out.index_add(0, sorted_token, weighted.to(out.dtype))
