import json

import pytest
import torch
import torch.nn as nn

from mmringmoe.models.backbones import RingMoE
from mmringmoe.models.layers import RMoE
from mmringmoe.pruning.expert_pruning import select_collaborative_experts
from mmringmoe.pruning.frequencies import (KEPT_MARK, build_expert_stats, check_stats_layers,
                                           collect_expert_counts, expert_frequencies, layer_names,
                                           load_expert_stats, plot_expert_stats, save_expert_stats,
                                           stats_frequencies)
from mmringmoe.pruning.layout import infer_layout, model_specs

TINY = dict(arch='tiny', window_size=[4, 4, 4, 2], img_size=64, drop_path_rate=0.)


def test_eq15_frequencies_from_counts():
    counts = torch.tensor([[2, 1, 0, 1], [0, 0, 0, 0], [1, 0, 3, 0]])
    freq = expert_frequencies(counts)
    torch.testing.assert_close(freq[0], torch.tensor([0.5, 0.25, 0., 0.25], dtype=torch.float64))
    assert torch.equal(freq[1], torch.zeros(4, dtype=torch.float64))  # a modality without tokens
    torch.testing.assert_close(freq[2].sum(), torch.tensor(1., dtype=torch.float64))
    # top-2: each token is counted for two experts; N_m is the number of tokens, rows sum to K = 2.
    torch.testing.assert_close(expert_frequencies(torch.tensor([[3, 1, 2, 2]]), top_k=2),
                               torch.tensor([[0.75, 0.25, 0.5, 0.5]], dtype=torch.float64))


class _OneLayer(nn.Module):
    """The interface collect_expert_counts uses (rmoe_layers, forward(x, modality)) around one RMoE layer."""

    def __init__(self, layer: RMoE) -> None:
        super().__init__()
        self.layer = layer
        self.rmoe_layers = [layer]

    def forward(self, tokens, modality):
        index = torch.full((tokens.shape[0], ), self.layer.modalities.index(modality))
        return self.layer(tokens, index)


def test_counts_of_hand_made_routing():
    """Router = 10 * identity: token e_k goes to collaborative expert k, and to specialized expert k."""
    layer = RMoE(4,
                 8, ['opt', 'sar_l2'],
                 num_specialized_experts=4,
                 num_collaborative_experts=4,
                 noisy_gating=False)
    with torch.no_grad():
        layer.collaborative_router.gate.weight.copy_(10 * torch.eye(4))
        for router in layer.specialized_routers.values():
            router.gate.weight.copy_(10 * torch.eye(4))
    eye = torch.eye(4)
    opt = eye[[0, 0, 1, 3]][:, None]  # [B=4, L=1, d]
    sar = eye[[2, 2, 2, 0]][:, None]
    model = _OneLayer(layer).train()
    counts = collect_expert_counts(model, [(opt, 'opt'), (sar, 'sar_l2'), (opt[:1], 'opt')])
    assert model.training and not layer.record_expert_counts  # state restored
    assert counts[0]['collaborative'].tolist() == [[3, 1, 0, 1], [1, 0, 3, 0]]
    assert counts[0]['specialized'].tolist() == [[3, 1, 0, 1], [1, 0, 3, 0]]
    freq = expert_frequencies(counts[0]['collaborative'])
    torch.testing.assert_close(freq,
                               torch.tensor([[0.6, 0.2, 0., 0.2], [0.25, 0., 0.75, 0.]], dtype=torch.float64))


def test_collect_counts_on_a_ringmoe_counts_every_token_of_the_modalities_run():
    model = RingMoE(modalities=['opt', 'ms', 'sar_l2'], **TINY)
    batches = [(torch.randn(2, 3, 64, 64), 'opt'), (torch.randn(3, 1, 64, 64), 'sar_l2')]
    counts = collect_expert_counts(model, batches)
    assert len(counts) == 8
    for (name, stage, _), layer in zip(layer_names(model), counts):
        tokens = (16 // 2**stage)**2
        for kind in ('collaborative', 'specialized'):
            assert layer[kind].sum(1).tolist() == [2 * tokens, 0, 3 * tokens], (name, kind)


def _stats(model, counts):
    return build_expert_stats(layer_names(model),
                              counts, ['opt', 'sar_l2'],
                              model.modalities,
                              1, {
                                  'opt': 2,
                                  'sar_l2': 3
                              },
                              config='c.py')


def test_stats_file_round_trip_and_layer_check(tmp_path):
    model = RingMoE(modalities=['opt', 'sar_l2'], **TINY)
    counts = collect_expert_counts(model, [(torch.randn(2, 3, 64, 64), 'opt'),
                                           (torch.randn(3, 1, 64, 64), 'sar_l2')])
    stats = _stats(model, counts)
    path = tmp_path / 'stats.json'
    save_expert_stats(stats, str(path))
    loaded = load_expert_stats(str(path))
    assert loaded['layers'][0]['name'] == 'stages.0.blocks.0.ffn' and loaded['layers'][0]['tokens'] == {
        'opt': 2 * 256,
        'sar_l2': 3 * 256
    }
    freqs = stats_frequencies(loaded)
    for layer, table in zip(freqs, counts):
        torch.testing.assert_close(torch.stack([layer['opt'], layer['sar_l2']]),
                                   expert_frequencies(table['collaborative']))
    layout = infer_layout(model_specs(model))
    check_stats_layers(loaded, layout, 'stats.json', 'ckpt.pth')
    with pytest.raises(ValueError, match='stats.json does not match ckpt.pth'):
        check_stats_layers(loaded, dict(layout, num_collaborative_experts=[1] * 8), 'stats.json', 'ckpt.pth')
    with pytest.raises(ValueError, match='4 layers vs 8'):
        check_stats_layers(dict(loaded, layers=loaded['layers'][:4]), layout, 'stats.json', 'ckpt.pth')


def test_load_rejects_other_files(tmp_path):
    path = tmp_path / 'other.json'
    path.write_text(json.dumps({'format': 'something else'}))
    with pytest.raises(ValueError, match='other.json: not an expert statistics file'):
        load_expert_stats(str(path))
    model = RingMoE(modalities=['opt', 'sar_l2'], **TINY)
    stats = _stats(model, [{
        k: torch.ones(2, 4, dtype=torch.long)
        for k in ('collaborative', 'specialized')
    }] * 8)
    stats['layers'][3]['collaborative']['frequency'].pop('sar_l2')
    path.write_text(json.dumps(stats))
    with pytest.raises(ValueError, match='stages.1.blocks.1.ffn collaborative'):
        load_expert_stats(str(path))


def test_plot_writes_a_png_heatmap_per_stage(tmp_path):
    model = RingMoE(modalities=['opt', 'sar_l2'], **TINY)
    stats = _stats(
        model,
        collect_expert_counts(model, [(torch.randn(1, 3, 64, 64), 'opt'),
                                      (torch.randn(1, 1, 64, 64), 'sar_l2')]))
    path = tmp_path / 'stats.png'
    plot_expert_stats(stats, str(path))
    assert path.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    from PIL import Image
    width, height = Image.open(path).size
    assert width > 400 and height > 300
    assert [p.name for p in tmp_path.iterdir()] == ['stats.png']


def test_plot_marks_the_experts_expert_pruning_keeps(tmp_path):
    model = RingMoE(modalities=['opt', 'sar_l2'], **TINY)
    stats = _stats(model, collect_expert_counts(model, [(torch.randn(1, 3, 64, 64), 'opt')]))
    keep = select_collaborative_experts(stats_frequencies(stats), ['opt'])
    figure = plot_expert_stats(stats, str(tmp_path / 'ep.png'), keep=keep)
    marks = [patch for axis in figure.axes for patch in axis.patches if patch.get_gid() == KEPT_MARK]
    assert len(marks) == sum(len(k) for k in keep) > 0  # one outline per kept expert, on its row
    stage0 = figure.axes[0]  # collaborative experts of stage 0: rows b0 E1..E4, b1 E1..E4
    assert sorted(p.get_y() + 0.5 for p in stage0.patches) == keep[0] + [4 + k for k in keep[1]]
    labels = [text.get_text() for legend in figure.legends for text in legend.get_texts()]
    assert labels == ['kept by expert pruning (RingMoE-EP)']

    unmarked = plot_expert_stats(stats, str(tmp_path / 'stats.png'))
    assert not [p for axis in unmarked.axes for p in axis.patches if p.get_gid() == KEPT_MARK]
    assert not unmarked.legends
