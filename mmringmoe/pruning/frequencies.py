"""Routing statistics: how often tokens of each modality choose each expert (paper App. B.4.1, Eq. 15).

The statistics file (JSON) that ``tools/prune/collect_expert_stats.py`` writes and expert pruning reads::

    {"format": "mmringmoe.expert_stats", "version": 1, "top_k": 1,
     "modalities": ["opt", ...], "images": {"opt": 512, ...},
     "layers": [{"name": "stages.0.blocks.0.ffn", "stage": 0, "block": 0,
                 "tokens": {"opt": 1179648, ...},
                 "collaborative": {"counts": {"opt": [n_1, ..., n_NC]}, "frequency": {"opt": [f_1, ...]}},
                 "specialized": {"counts": {"opt": [...]}, "frequency": {"opt": [...]}}}, ...],
     ...provenance (config, checkpoint)}

``counts`` are token counts (the numerators of Eq. 15), ``tokens`` the ``N_m`` of each layer, ``frequency``
Eq. 15. ``specialized`` lists modality m's own specialized experts (only m's tokens reach them).
"""
import json
import math
import os.path as osp
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import torch

from mmringmoe.utils.atomic_io import atomic_output, atomic_write_text, output_errors

STATS_FORMAT = 'mmringmoe.expert_stats'
STATS_VERSION = 1
KINDS = ('collaborative', 'specialized')


def expert_frequencies(counts: torch.Tensor, top_k: int = 1) -> torch.Tensor:
    """Eq. 15: ``f(E_k | x_m) = 1 / N_m * sum_i I[G(x_{m;i}) = E_k]``, row by row.

    Args:
        counts: ``[M, N]``, tokens of modality m that chose expert k (``RMoE.expert_counts``).
        top_k: experts each token chose. A token counts once for each of its ``top_k`` experts, so
            ``N_m = counts[m].sum() / top_k`` and a row of frequencies sums to ``top_k`` (to 1 with the
            paper's K = 1).

    Returns:
        ``[M, N]`` float64 frequencies; a modality without tokens has a row of zeros.
    """
    counts = counts.to(torch.float64)
    tokens = counts.sum(dim=-1, keepdim=True) / top_k
    return torch.where(tokens > 0, counts / tokens.clamp(min=1), torch.zeros_like(counts))


@torch.no_grad()
def collect_expert_counts(model, batches: Iterable[Tuple[torch.Tensor,
                                                         str]]) -> List[Dict[str, torch.Tensor]]:
    """Run ``batches`` through a RingMoE in eval mode (no router noise) and count expert choices.

    Args:
        model (RingMoE): the backbone.
        batches: ``(images [B, C, H, W], modality)`` pairs.

    Returns:
        one dict per RMoE layer (``model.rmoe_layers`` order): ``{'collaborative': [M, N_C],
        'specialized': [M, N_S]}`` token counts, rows in ``model.modalities`` order.
    """
    was_training = model.training
    model.eval()
    for layer in model.rmoe_layers:
        layer.reset_expert_counts()
        layer.record_expert_counts = True
    try:
        for images, modality in batches:
            model(images, modality)
    finally:
        for layer in model.rmoe_layers:
            layer.record_expert_counts = False
        model.train(was_training)
    return [{kind: layer.expert_counts[kind].clone() for kind in KINDS} for layer in model.rmoe_layers]


def layer_names(model) -> List[Tuple[str, int, int]]:
    """``(name, stage, block)`` of each RMoE layer of a RingMoE, in ``rmoe_layers`` order."""
    return [(f'stages.{s}.blocks.{b}.ffn', s, b) for s, stage in enumerate(model.stages)
            for b in range(len(stage.blocks))]


def build_expert_stats(names: Sequence[Tuple[str, int, int]], counts: Sequence[Mapping[str, torch.Tensor]],
                       modalities: Sequence[str], model_modalities: Sequence[str], top_k: int,
                       images: Mapping[str, int], **provenance) -> dict:
    """The statistics document (module docstring) of ``counts`` (from :func:`collect_expert_counts`).

    Args:
        names: from :func:`layer_names`.
        counts: per layer; rows in ``model_modalities`` order.
        modalities: the modalities that were run (their rows are written).
        top_k: the routers' K.
        images: images run per modality.
        **provenance: written as is (config, checkpoint, data folders...).
    """
    rows = [list(model_modalities).index(m) for m in modalities]
    layers = []
    for (name, stage, block), layer in zip(names, counts):
        entry = dict(name=name, stage=stage, block=block)
        tokens = None
        for kind in KINDS:
            table = layer[kind]
            freq = expert_frequencies(table, top_k)
            entry[kind] = dict(counts={
                m: table[r].tolist()
                for m, r in zip(modalities, rows)
            },
                               frequency={
                                   m: freq[r].tolist()
                                   for m, r in zip(modalities, rows)
                               })
            if table.shape[1] and tokens is None:
                tokens = {m: int(table[r].sum()) // top_k for m, r in zip(modalities, rows)}
        entry['tokens'] = tokens or {m: 0 for m in modalities}
        layers.append(entry)
    return dict(format=STATS_FORMAT,
                version=STATS_VERSION,
                top_k=top_k,
                modalities=list(modalities),
                images=dict(images),
                layers=layers,
                **provenance)


def save_expert_stats(stats: dict, path: str) -> None:
    """Write ``stats`` as JSON (temporary file, then rename); raises
    :class:`~mmringmoe.utils.atomic_io.OutputWriteError`."""
    with output_errors(osp.dirname(osp.abspath(path))):
        atomic_write_text(path, json.dumps(stats, indent=1))


def load_expert_stats(path: str) -> dict:
    """Read and validate a statistics file.

    Raises:
        ValueError: not a statistics file of this format, or inconsistent; the message names ``path``.
    """
    try:
        with open(path) as f:
            stats = json.load(f)
    except (OSError, json.JSONDecodeError) as err:
        raise ValueError(f'{path}: cannot read expert statistics ({err})') from err
    if not isinstance(stats, dict) or stats.get('format') != STATS_FORMAT:
        raise ValueError(f'{path}: not an expert statistics file (format {STATS_FORMAT!r} expected)')
    if stats.get('version') != STATS_VERSION:
        raise ValueError(f'{path}: statistics version {stats.get("version")}, this mmringmoe reads '
                         f'{STATS_VERSION}')
    modalities = stats.get('modalities')
    layers = stats.get('layers')
    if not modalities or not isinstance(layers, list) or not layers:
        raise ValueError(f'{path}: no modalities or no layers')
    for layer in layers:
        for kind in KINDS:
            table = layer.get(kind, {}).get('frequency', {})
            if set(table) != set(modalities):
                raise ValueError(f'{path}: layer {layer.get("name")} {kind} frequencies are given for '
                                 f'{sorted(table)}, the file lists modalities {modalities}')
            for m, values in table.items():
                if not all(isinstance(v, (int, float)) and math.isfinite(v) and v >= 0 for v in values):
                    raise ValueError(f'{path}: layer {layer.get("name")} {kind} frequencies of {m} are not '
                                     f'finite non-negative numbers')
    return stats


def stats_frequencies(stats: dict, kind: str = 'collaborative') -> List[Dict[str, torch.Tensor]]:
    """Per layer, ``{modality: frequencies [N]}`` of ``kind`` experts."""
    return [{
        m: torch.tensor(v, dtype=torch.float64)
        for m, v in layer[kind]['frequency'].items()
    } for layer in stats['layers']]


def check_stats_layers(stats: dict, layout: Mapping, source: str, checkpoint: str) -> None:
    """Raise ``ValueError`` unless ``stats`` describe exactly the RMoE layers of ``layout``.

    Same layer names in the same order, and the same number of collaborative experts in each.
    """
    names = [layer['name'] for layer in stats['layers']]
    expected = [prefix.rstrip('.') for prefix in layout['layers']]
    if names != expected:
        first = next((i for i, (a, b) in enumerate(zip(names, expected)) if a != b),
                     min(len(names), len(expected)))
        raise ValueError(f'{source} does not match {checkpoint}: {len(names)} layers vs {len(expected)} RMoE '
                         f'layers (first difference at layer {first})')
    for layer, n_collab in zip(stats['layers'], layout['num_collaborative_experts']):
        for m, values in layer['collaborative']['frequency'].items():
            if len(values) != n_collab:
                raise ValueError(
                    f'{source} does not match {checkpoint}: layer {layer["name"]} has {len(values)}'
                    f' collaborative frequencies for {m}, the checkpoint {n_collab} experts')


KEPT_MARK = 'kept-expert'  # the ``gid`` of the outlines that mark the experts RingMoE-EP keeps


def plot_expert_stats(stats: dict,
                      path: str,
                      title: Optional[str] = None,
                      keep: Optional[Sequence[Sequence[int]]] = None):
    """Draw Eq. 15's frequencies as heatmaps and save a PNG (temporary file, then rename).

    One column of panels per stage; the top row shows the collaborative experts, the bottom row each
    modality's own specialized experts. In a panel, rows are the (block, expert) pairs of the stage and
    columns the modalities, as in the paper's analysis of modality-dependent expert preferences.

    Args:
        keep: per layer of ``stats``, the collaborative experts that expert pruning keeps
            (:func:`~mmringmoe.pruning.expert_pruning.select_collaborative_experts`); their rows are outlined
            in red (rectangles with ``gid`` :data:`KEPT_MARK`) and a legend says so.

    Returns:
        the (closed) matplotlib figure.

    Raises:
        OutputWriteError: the PNG could not be written (nothing is left under ``path``).
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.patches import Rectangle

    if keep is not None and len(keep) != len(stats['layers']):
        raise ValueError(f'keep lists {len(keep)} layers, the statistics {len(stats["layers"])}')

    modalities = stats['modalities']
    stages = sorted({layer['stage'] for layer in stats['layers']})
    kinds = [k for k in KINDS if any(layer[k]['frequency'][modalities[0]] for layer in stats['layers'])]
    tables, kept_rows = {}, {}
    for kind in kinds:
        for stage in stages:
            rows, labels, kept = [], [], []
            for index, layer in enumerate(stats['layers']):
                if layer['stage'] != stage:
                    continue
                freq = layer[kind]['frequency']
                for k in range(len(freq[modalities[0]])):
                    if kind == 'collaborative' and keep is not None and k in keep[index]:
                        kept.append(len(rows))
                    rows.append([freq[m][k] for m in modalities])
                    labels.append(f'b{layer["block"]} E{k + 1}')
            tables[kind, stage] = (np.array(rows).reshape(-1, len(modalities)), labels)
            kept_rows[kind, stage] = kept
    most = max(max((len(t[1]) for t in tables.values()), default=1), 1)
    figure, axes = plt.subplots(len(kinds),
                                len(stages),
                                squeeze=False,
                                layout='constrained',
                                figsize=(2.2 * len(stages) + 1.5, 0.22 * most * len(kinds) + 2.5))
    vmax = max((t[0].max() for t in tables.values() if t[0].size), default=1.) or 1.
    image = None
    for row, kind in enumerate(kinds):
        for col, stage in enumerate(stages):
            axis = axes[row][col]
            data, labels = tables[kind, stage]
            if data.size:
                image = axis.imshow(data, aspect='auto', cmap='viridis', vmin=0., vmax=vmax)
            for row_index in kept_rows[kind, stage]:
                axis.add_patch(
                    Rectangle((-0.5, row_index - 0.5), len(modalities), 1, fill=False, edgecolor='red',
                              linewidth=1.5, gid=KEPT_MARK, clip_on=False))
            axis.set_xticks(range(len(modalities)), modalities, rotation=45, ha='right')
            axis.set_yticks(range(len(labels)), labels, fontsize=6)
            axis.set_title(f'stage {stage}: {kind}' +
                           ('\n(each modality\'s own)' if kind == 'specialized' else ''),
                           fontsize=9)
    if image is not None:
        figure.colorbar(image, ax=axes.ravel().tolist(), shrink=0.6, label='f(E_k | x_m)  (Eq. 15)')
    if keep is not None:
        figure.legend(handles=[Rectangle((0, 0), 1, 1, fill=False, edgecolor='red', linewidth=1.5)],
                      labels=['kept by expert pruning (RingMoE-EP)'],
                      loc='outside lower center')
    figure.suptitle(title or 'Expert activation frequency per modality')
    try:
        with atomic_output(path) as tmp:
            figure.savefig(tmp, dpi=120, format='png')
    finally:
        plt.close(figure)
    return figure
