"""Checkpoint conversions of sec. 3.4: decomposition, expert pruning, dense merging, planned then streamed.

A :class:`Conversion` is the target backbone (built on ``meta``: its keys, shapes and parameter count) and
one :class:`Recipe` per target tensor, which computes that tensor from the source checkpoint when asked
(reading only the source tensors it needs, one expert at a time for merging). :meth:`Conversion.write`
streams the recipes into a :class:`~.checkpoint_io.CheckpointWriter`, so converting holds one output
tensor (plus, for merging, an expert matrix and its SVD) in memory; :meth:`Conversion.state_dict` runs them
in memory (tests, and ``meta`` sources for parameter counts).

- Decomposition (Sec. 3.4, App. Fig. A3a): the sub-model of some modalities keeps their patch
  embeddings and specialized experts and routers, every collaborative expert, the shared expert and all
  of the attention / norm / patch-merging weights; other modalities, the SimMIM mask token and the
  decoders (``neck.`` / ``head.``) are dropped.
- Expert pruning (RingMoE-EP, Eq. 15-16): decomposition, and per layer only the kept collaborative experts
  (:mod:`.expert_pruning`).
- Merging (RingMoE-KS / -KA / -KC, Eq. 17-20): the single-modality sub-model with every RMoE layer merged
  into one FFN (:mod:`.merging`): a dense SwinV2, ``mmringmoe.RingMoE-KC``.
"""
from itertools import chain
from typing import Callable, Dict, Iterator, List, Mapping, NamedTuple, Optional, Sequence, Tuple

import torch
from tqdm import tqdm

from mmringmoe.models.backbones.arch_zoo import DEFAULT_MODALITIES
from mmringmoe.models.utils import count_parameters
from .checkpoint_io import CheckpointReader, CheckpointWriter, StateDictReader, TensorSpec, iter_experts
from .expert_pruning import collaborative_keys
from .layout import (MOE_ARGS, backbone_kwargs, build_dense, build_ringmoe, check_matches, infer_layout,
                     is_position_buffer, model_specs)
from .merging import (METHODS, default_rank, knowledge_average, knowledge_compress, knowledge_sum,
                      merge_biases, rank_from_fraction)

# Backbone arguments that belong to a training run, not to the weights: left out of the config snippets.
_RUN_ONLY = ('type', 'init_cfg', 'drop_path_rate', 'drop_rate', 'with_cp', 'frozen_stages', 'out_indices',
             'norm_eval', 'modalities', 'num_specialized_experts', 'num_collaborative_experts',
             'with_shared_expert')


class Recipe(NamedTuple):
    """How to compute one target tensor: its spec and a function that returns it."""
    spec: TensorSpec
    build: Callable[[], torch.Tensor]


class Conversion:
    """A planned conversion: target backbone (meta), recipes (in state-dict order), config and notes.

    Attributes:
        name (str): ``RingMoE-Opt``-style sub-model name, ``RingMoE-EP``, ``RingMoE-KS`` ...
        model (nn.Module): the target backbone on ``meta``.
        recipes (dict): target key -> :class:`Recipe`.
        backbone (dict): the target's backbone config (``type='mmringmoe....'``, no ``init_cfg``).
        info (dict): plain data describing the conversion (kept experts, ranks...), stored in ``meta``.
    """

    def __init__(self, name: str, model, recipes: Dict[str, Recipe], backbone: dict, info: dict) -> None:
        self.name = name
        self.model = model
        self.recipes = recipes
        self.backbone = backbone
        self.info = info

    @property
    def specs(self) -> Dict[str, TensorSpec]:
        return {k: r.spec for k, r in self.recipes.items()}

    @property
    def num_parameters(self) -> int:
        """Parameters of the target backbone."""
        return count_parameters(self.model)

    def tensors(self, progress: bool = False) -> Iterator[Tuple[str, torch.Tensor]]:
        """Compute the target tensors one by one, checking each against its spec."""
        for key, recipe in tqdm(self.recipes.items(), desc=self.name, unit='tensor', disable=not progress):
            tensor = recipe.build()
            if tuple(tensor.shape) != recipe.spec.shape:
                raise RuntimeError(f'{key}: computed {tuple(tensor.shape)}, planned {recipe.spec.shape}')
            yield key, tensor.to(recipe.spec.dtype)

    def state_dict(self) -> Dict[str, torch.Tensor]:
        """All target tensors in memory."""
        return dict(self.tensors())

    def write(self, path: str, meta: Optional[dict] = None, progress: bool = True) -> None:
        """Stream the target tensors into the checkpoint ``path`` (must not exist; written atomically)."""
        with CheckpointWriter(path, self.specs, meta) as writer:
            for key, tensor in self.tensors(progress):
                writer.write(key, tensor)
                del tensor


class SourceCheckpoint:
    """A RingMoE checkpoint to convert, checked against the backbone of its config.

    Args:
        reader: a :class:`CheckpointReader` (or :class:`StateDictReader`) of the backbone state.
        backbone_cfg (dict): the config's ``model.backbone`` (a RingMoE / SimMIMRingMoE).
        source (str): the checkpoint's name for messages.
        config (str): the config's name for messages.

    Raises:
        ValueError: not a RingMoE checkpoint, or a different arch / expert layout than the config's
            backbone (every expected tensor must be present with its shape); the message names both.
    """

    def __init__(self,
                 reader: StateDictReader,
                 backbone_cfg: Mapping,
                 source: str = 'checkpoint',
                 config: str = 'config') -> None:
        self.reader = reader
        self.source = source
        self.specs = {k: reader.spec(k) for k in reader.keys()}
        self.layout = infer_layout(self.specs, source)
        self.kwargs = backbone_kwargs(backbone_cfg)
        what = f'the backbone of {config} (arch {self.kwargs.get("arch", "1b")!r})'
        probe = build_ringmoe(self.kwargs, self.layout, num_collaborative_experts=1, source=config)
        blocks = [
            f'stages.{s}.blocks.{b}.ffn.' for s, stage in enumerate(probe.stages)
            for b in range(len(stage.blocks))
        ]
        if blocks != self.layout['layers']:
            raise ValueError(
                f'{source} does not match {what}: {len(self.layout["layers"])} RMoE layers in the '
                f'checkpoint, {len(blocks)} blocks in the arch')
        model = build_ringmoe(self.kwargs, self.layout, source=config)
        self.extra_keys, self.num_parameters = check_matches(self.specs, model, source, what)
        self.window_sizes = list(model.window_sizes)

    @property
    def modalities(self) -> List[str]:
        return list(self.layout['modalities'])

    def check_modalities(self, modalities: Sequence[str]) -> None:
        """Raise ``ValueError`` if the checkpoint lacks one of ``modalities``."""
        missing = [m for m in modalities if m not in self.layout['modalities']]
        if missing:
            raise ValueError(f'{self.source} has no modality {missing} (it has {self.modalities})')
        if len(set(modalities)) != len(modalities) or not modalities:
            raise ValueError(f'modalities {list(modalities)}: give each modality once, at least one')

    def snippet_kwargs(self) -> dict:
        """The backbone arguments that travel with the weights (arch, windows...), for config snippets.

        ``pretrained_window_sizes`` is set to the pretraining windows, so that a downstream config that
        changes ``window_size`` rescales SwinV2's continuous position bias correctly.
        """
        kwargs = {k: v for k, v in self.kwargs.items() if k not in _RUN_ONLY}
        if not kwargs.get('use_abs_pos_embed'):
            kwargs.pop('img_size', None)  # only sizes the absolute position embedding
        pretrained = kwargs.get('pretrained_window_sizes')
        if not pretrained or not any(pretrained):
            kwargs['pretrained_window_sizes'] = list(self.window_sizes)
        return kwargs

    def modalities_arg(self, modalities: Sequence[str]):
        """``modalities`` as a list of names when the channels are the defaults, else a dict."""
        channels = {m: self.layout['modalities'][m] for m in modalities}
        if all(DEFAULT_MODALITIES.get(m) == c for m, c in channels.items()):
            return list(modalities)
        return channels


def _copy(reader: StateDictReader,
          key: str,
          spec: TensorSpec,
          source_key: Optional[str] = None,
          rows: Optional[Sequence[int]] = None) -> Recipe:
    source_key = source_key or key
    rows = None if rows is None else list(rows)
    # Position buffers are copied as they are (their shape follows the window they were made for).
    shape = reader.spec(source_key).shape if is_position_buffer(key) else spec.shape
    return Recipe(TensorSpec(shape,
                             reader.spec(source_key).dtype), lambda: reader.read(source_key, rows=rows))


def _sub_model_recipes(source: SourceCheckpoint,
                       model,
                       rows: Mapping[str, Sequence[int]] = None) -> Dict[str, Recipe]:
    """Copy every tensor of ``model`` from the source (``rows``: keys read on some dim-0 rows only)."""
    rows = rows or {}
    recipes = {}
    for key, spec in model_specs(model).items():
        if key not in source.specs:
            if is_position_buffer(key):
                continue  # SwinV2 re-creates them on load
            raise ValueError(f'{source.source}: {key} missing')
        recipes[key] = _copy(source.reader, key, spec, rows=rows.get(key))
    return recipes


def sub_model_name(modalities: Sequence[str]) -> str:
    """``RingMoE-Opt``, ``RingMoE-SAR_L1``, ``RingMoE-Opt+SAR_L2`` (the paper's names)."""
    names = {'opt': 'Opt', 'ms': 'MS', 'sar_l1': 'SAR_L1', 'sar_l2': 'SAR_L2'}
    return 'RingMoE-' + '+'.join(names.get(m, m) for m in modalities)


def plan_decomposition(source: SourceCheckpoint, modalities: Sequence[str]) -> Conversion:
    """The sub-model of ``modalities`` (RingMoE-Opt, -MS, -SAR_L1, -SAR_L2, or several; Sec. 3.4)."""
    source.check_modalities(modalities)
    model = build_ringmoe(source.kwargs, source.layout, modalities)
    layout = source.layout
    collab = layout['num_collaborative_experts']
    backbone = dict(type='mmringmoe.RingMoE',
                    **source.snippet_kwargs(),
                    modalities=source.modalities_arg(modalities),
                    num_specialized_experts=layout['num_specialized_experts'],
                    num_collaborative_experts=collab[0] if len(set(collab)) == 1 else list(collab),
                    with_shared_expert=layout['with_shared_expert'])
    return Conversion(sub_model_name(modalities), model, _sub_model_recipes(source, model), backbone,
                      dict(variant='decomposition', modalities=list(modalities)))


def plan_expert_pruning(source: SourceCheckpoint, modalities: Sequence[str],
                        keep: Sequence[Sequence[int]]) -> Conversion:
    """RingMoE-EP: the sub-model of ``modalities`` keeping collaborative experts ``keep[layer]`` (Eq. 16).

    Args:
        keep: per RMoE layer (block order), the kept collaborative expert indices, e.g. from
            :func:`~.expert_pruning.select_collaborative_experts`.
    """
    source.check_modalities(modalities)
    layers = source.layout['layers']
    if len(keep) != len(layers):
        raise ValueError(
            f'{len(keep)} kept-expert lists for the {len(layers)} RMoE layers of {source.source}')
    for prefix, kept, total in zip(layers, keep, source.layout['num_collaborative_experts']):
        if sorted(set(kept)) != list(kept) or any(not 0 <= k < total for k in kept):
            raise ValueError(f'{prefix}: kept experts {list(kept)} must be sorted, distinct, in [0, {total})')
    counts = [len(k) for k in keep]
    model = build_ringmoe(source.kwargs, source.layout, modalities, counts)
    rows = {key: kept for prefix, kept in zip(layers, keep) for key in collaborative_keys(prefix)}
    backbone = dict(type='mmringmoe.RingMoE-EP',
                    **source.snippet_kwargs(),
                    modalities=source.modalities_arg(modalities),
                    num_specialized_experts=source.layout['num_specialized_experts'],
                    num_collaborative_experts=counts,
                    with_shared_expert=source.layout['with_shared_expert'])
    return Conversion(
        'RingMoE-EP', model, _sub_model_recipes(source, model, rows), backbone,
        dict(variant='expert_pruning',
             modalities=list(modalities),
             kept_collaborative_experts=[list(k) for k in keep]))


def plan_merging(source: SourceCheckpoint,
                 modality: str,
                 method: str,
                 rank_fraction: Optional[float] = None) -> Conversion:
    """RingMoE-KS / -KA / -KC: ``modality``'s sub-model with each RMoE layer merged into one FFN.

    Args:
        method: ``ks`` (Eq. 17), ``ka`` (Eq. 17 averaged) or ``kc`` (Eq. 18-20).
        rank_fraction: KC only. None: the paper's ``K = d2 / N`` per expert group (at mlp_ratio 4 and
            N = 4 the full rank: KC == KS); else ``K = round(rank_fraction * min(h, d))`` for every expert.
    """
    if method not in METHODS:
        raise ValueError(f'unknown merging method {method!r}; choose from {METHODS}')
    if rank_fraction is not None and method != 'kc':
        raise ValueError('a rank applies to knowledge compressing (kc) only')
    source.check_modalities([modality])
    channels = source.layout['modalities'][modality]
    model = build_dense(source.kwargs, modality, channels)
    reader, layout = source.reader, source.layout
    n_spec = layout['num_specialized_experts']
    recipes, ranks = {}, []
    layer_collab = dict(zip(layout['layers'], layout['num_collaborative_experts']))
    for key, spec in model_specs(model).items():
        prefix, _, leaf = key.partition('.ffn.')
        prefix += '.ffn.'
        if prefix in layer_collab:
            which = 'fc1' if leaf.startswith('layers.0.0.') else 'fc2'
            part = leaf.rsplit('.', 1)[-1]
            groups = dict(
                specialized=f'{prefix}specialized_experts.{modality}.{which}_{part}' if n_spec else None,
                collaborative=f'{prefix}collaborative_experts.{which}_{part}'
                if layer_collab[prefix] else None,
                shared=(f'{prefix}shared_expert.{leaf}' if layout['with_shared_expert'] else None))
            dtype = reader.spec(next(k for k in groups.values() if k)).dtype
            if method == 'kc' and part == 'weight':
                hidden, full = spec.shape[0 if which == 'fc1' else 1], min(spec.shape)  # h of [h, d] / [d, h]
                rank_s, rank_c = ((rank_from_fraction(spec.shape, rank_fraction), ) * 2 if rank_fraction else
                                  (default_rank(hidden, n_spec), default_rank(hidden, layer_collab[prefix])))
                if which == 'fc1':
                    ranks.append(
                        dict(layer=prefix.rstrip('.'),
                             full=full,
                             specialized=min(rank_s, full) if n_spec else None,
                             collaborative=min(rank_c, full) if layer_collab[prefix] else None))
                build = _compress_recipe(reader, groups, rank_s, rank_c)
            else:
                build = _sum_recipe(reader, groups, method, part)
            recipes[key] = Recipe(TensorSpec(spec.shape, dtype), build)
            continue
        source_key = key.replace('patch_embed.', f'patch_embed.{modality}.',
                                 1) if key.startswith('patch_embed.') else key
        if source_key not in source.specs:
            if is_position_buffer(key):
                continue
            raise ValueError(f'{source.source}: {source_key} missing')
        recipes[key] = _copy(reader, key, spec, source_key)
    names = {'ks': 'RingMoE-KS', 'ka': 'RingMoE-KA', 'kc': 'RingMoE-KC'}
    dense_kwargs = {k: v for k, v in source.snippet_kwargs().items() if k not in MOE_ARGS}
    backbone = dict(type='mmringmoe.RingMoE-KC', **dense_kwargs, modality=modality)
    if DEFAULT_MODALITIES.get(modality) != channels:
        backbone['in_channels'] = channels
    info = dict(variant='merging', method=method, modality=modality)
    if method == 'kc':
        info.update(rank_fraction=rank_fraction,
                    ranks=ranks,
                    full_rank=all(r[g] in (None, r['full']) for r in ranks
                                  for g in ('specialized', 'collaborative')))
    return Conversion(names[method], model, recipes, backbone, info)


def _experts(reader: StateDictReader, key: Optional[str]) -> Iterator[torch.Tensor]:
    return iter_experts(reader, key) if key else iter(())


def _sum_recipe(reader, groups: Mapping[str, Optional[str]], method: str, part: str) -> Callable:

    def build():
        shared = [reader.read(groups['shared'])] if groups['shared'] else []
        items = chain(_experts(reader, groups['specialized']), _experts(reader, groups['collaborative']),
                      shared)
        if part == 'bias':
            return merge_biases(items, method)
        return knowledge_average(items) if method == 'ka' else knowledge_sum(items)

    return build


def _compress_recipe(reader, groups: Mapping[str, Optional[str]], rank_s: int, rank_c: int) -> Callable:

    def build():
        shared = reader.read(groups['shared']) if groups['shared'] else None
        return knowledge_compress(_experts(reader, groups['specialized']),
                                  _experts(reader, groups['collaborative']), shared, rank_s, rank_c)

    return build


def load_sub_model(source: SourceCheckpoint,
                   modalities: Sequence[str],
                   device: str = 'cpu',
                   progress: bool = True):
    """A real RingMoE of ``modalities``' sub-model with the source's weights (for routing statistics).

    For the tokens of its modalities, the sub-model routes exactly as the whole model: an RMoE layer sends
    a modality-m token only to m's specialized experts, the collaborative experts and the shared expert,
    all of which the sub-model keeps. Memory: the sub-model, then one source tensor at a time.
    """
    conversion = plan_decomposition(source, modalities)
    model = build_ringmoe(source.kwargs, source.layout, modalities, device=device)
    target = model.state_dict(keep_vars=True)
    with torch.no_grad():
        for key, tensor in conversion.tensors(progress):
            if not is_position_buffer(key):  # the model's own, as SwinV2's load hook does
                target[key].copy_(tensor)
    return model


def open_source(checkpoint: str, backbone_cfg: Mapping, config: str = 'config') -> SourceCheckpoint:
    """:class:`SourceCheckpoint` of a checkpoint file (read lazily with :class:`CheckpointReader`)."""
    return SourceCheckpoint(CheckpointReader(checkpoint), backbone_cfg, checkpoint, config)
