"""The tools/prune commands end to end on a tiny pretrained checkpoint and tiles in the real formats."""
import importlib.util
import json
import os
import os.path as osp
import sys

import numpy as np
import pytest
import rasterio
import torch
from fs_limits import full_disk, read_only
from mmengine.config import Config
from rasterio.transform import Affine

from mmringmoe.pruning import (load_expert_stats, plot_expert_stats, select_collaborative_experts,
                               stats_frequencies)
from mmringmoe.registry import MODELS

ROOT = osp.join(osp.dirname(__file__), '..', '..')
CONFIG = osp.join(ROOT, 'tests', 'data', 'configs', 'ringmoe-mim_tiny_2mod_prune.py')


def _tool(name):
    spec = importlib.util.spec_from_file_location(name, osp.join(ROOT, 'tools', 'prune', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


collect_tool, extract_tool, prune_experts_tool, merge_tool, prune_tool = (_tool(n)
                                                                          for n in ('collect_expert_stats',
                                                                                    'extract_modality',
                                                                                    'prune_experts',
                                                                                    'merge_experts', 'prune'))


@pytest.fixture(scope='module')
def workspace(tmp_path_factory):
    """A pretrained-format checkpoint of the tiny config, 3 tiles per modality (GeoTIFF opt, PNG sar_l2)."""
    root = tmp_path_factory.mktemp('prune')
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(CONFIG).model)
    torch.save({
        'meta': {
            'epoch': 1
        },
        'state_dict': model.state_dict(),
        'optimizer': {}
    }, root / 'pretrained.pth')
    rng = np.random.default_rng(0)
    os.makedirs(root / 'data' / 'opt')
    os.makedirs(root / 'data' / 'sar_l2')
    for i in range(3):
        with rasterio.open(root / 'data' / 'opt' / f'tile_{i}.tif',
                           'w',
                           driver='GTiff',
                           width=64,
                           height=64,
                           count=3,
                           dtype='uint8',
                           crs='EPSG:32650',
                           transform=Affine(1, 0, 0, 0, -1, 64)) as dst:
            dst.write(rng.integers(0, 256, (3, 64, 64), dtype=np.uint8))
        with rasterio.open(root / 'data' / 'sar_l2' / f'tile_{i}.png',
                           'w',
                           driver='PNG',
                           width=80,
                           height=80,
                           count=1,
                           dtype='uint8') as dst:  # another size: resized to 64
            dst.write(rng.integers(0, 256, (1, 80, 80), dtype=np.uint8))
    return root


def _exit_message(tool, argv) -> str:
    with pytest.raises(SystemExit) as exit_info:
        tool.main(argv)
    assert exit_info.value.code not in (0, None)
    return str(exit_info.value.code)


def test_collect_expert_stats_writes_json_and_heatmaps(workspace, tmp_path):
    out, plot = tmp_path / 'stats.json', tmp_path / 'stats.png'
    assert collect_tool.main([
        CONFIG,
        str(workspace / 'pretrained.pth'), '--modality', 'opt', '--modality', 'sar_l2', '--data',
        str(workspace / 'data'), '--out',
        str(out), '--plot',
        str(plot), '--batch-size', '2'
    ]) == 0
    stats = load_expert_stats(str(out))
    assert stats['images'] == {'opt': 3, 'sar_l2': 3} and stats['img_size'] == 64
    for layer in stats['layers']:
        tokens = 3 * (16 // 2**layer['stage'])**2
        assert layer['tokens'] == {'opt': tokens, 'sar_l2': tokens}
        for kind in ('collaborative', 'specialized'):
            for m in ('opt', 'sar_l2'):
                assert sum(layer[kind]['counts'][m]) == tokens
                assert sum(layer[kind]['frequency'][m]) == pytest.approx(1.0)
    assert plot.read_bytes()[:4] == b'\x89PNG'


def test_prune_to_ep_end_to_end(workspace, tmp_path, monkeypatch):
    plotted = {}

    def plot_spy(stats, path, title=None, keep=None):
        plotted['keep'] = keep
        return plot_expert_stats(stats, path, title, keep)

    monkeypatch.setattr(prune_tool, 'plot_expert_stats', plot_spy)
    out = tmp_path / 'ep'
    assert prune_tool.main([
        CONFIG,
        str(workspace / 'pretrained.pth'), '--modality', 'opt', '--to', 'ep', '--data',
        str(workspace / 'data'), '--plot', '--out',
        str(out)
    ]) == 0
    assert sorted(
        os.listdir(out)) == ['backbone.py', 'expert_stats.json', 'expert_stats.png', 'ringmoe-ep_opt.pth']
    stats = load_expert_stats(str(out / 'expert_stats.json'))
    keep = select_collaborative_experts(stats_frequencies(stats), ['opt'])
    checkpoint = torch.load(out / 'ringmoe-ep_opt.pth', weights_only=True)
    info = checkpoint['meta']['mmringmoe']
    assert info['kept_collaborative_experts'] == keep and info['policy'] == 'top25'
    assert plotted['keep'] == keep  # the heatmap marks the experts EP keeps
    assert info['parameters']['result'] < info['parameters']['source']
    source = torch.load(workspace / 'pretrained.pth', weights_only=True)['state_dict']
    prefix = 'stages.2.blocks.1.ffn.collaborative_experts.fc1_weight'
    assert torch.equal(checkpoint['state_dict'][prefix], source[f'backbone.{prefix}'][keep[5]])

    cfg = Config.fromfile(str(out / 'backbone.py'))
    assert cfg.backbone.type == 'mmringmoe.RingMoE-EP' and cfg.backbone.num_collaborative_experts == [
        len(k) for k in keep
    ]
    backbone = MODELS.build(cfg.backbone)
    backbone.init_weights()
    backbone.eval()
    assert torch.equal(backbone.stages[2].blocks[1].ffn.collaborative_experts.fc1_weight.detach(),
                       checkpoint['state_dict'][prefix])
    with torch.no_grad():
        assert backbone(torch.randn(1, 3, 64, 64))[0].shape == (1, 256, 2, 2)


def test_prune_to_kc_end_to_end(workspace, tmp_path, capsys):
    out = tmp_path / 'missing' / 'kc'  # its parent is created, as train.py creates a work dir
    assert prune_tool.main(
        [CONFIG,
         str(workspace / 'pretrained.pth'), '--modality', 'sar_l2', '--to', 'kc', '--out',
         str(out)]) == 0
    assert sorted(os.listdir(out)) == ['backbone.py', 'ringmoe-kc_sar_l2.pth']
    assert 'RingMoE-KC: 19,' in capsys.readouterr().out  # parameters before and after are reported
    cfg = Config.fromfile(str(out / 'backbone.py'))
    assert cfg.backbone.type == 'mmringmoe.RingMoE-KC' and cfg.backbone.modality == 'sar_l2'
    backbone = MODELS.build(cfg.backbone)
    backbone.init_weights()
    state = torch.load(out / 'ringmoe-kc_sar_l2.pth', weights_only=True)['state_dict']
    assert torch.equal(backbone.stages[0].blocks[0].ffn.layers[0][0].weight.detach(),
                       state['stages.0.blocks.0.ffn.layers.0.0.weight'])


def test_single_step_tools_chain(workspace, tmp_path, capsys):
    ckpt = str(workspace / 'pretrained.pth')
    stats, sub, ep, ka = (str(tmp_path / n) for n in ('stats.json', 'opt.pth', 'ep.pth', 'new/ka.pth'))
    assert collect_tool.main(
        [CONFIG, ckpt, '--modality', 'opt', '--data', f'opt={workspace / "data" / "opt"}', '--out',
         stats]) == 0
    assert extract_tool.main([CONFIG, ckpt, '--modality', 'opt', '--out', sub]) == 0
    # Pruning and merging read the decomposed sub-model as well as the full checkpoint.
    assert prune_experts_tool.main(
        [CONFIG, sub, '--stats', stats, '--modality', 'opt', '--policy', 'top50', '--out', ep]) == 0
    assert merge_tool.main([CONFIG, sub, '--modality', 'opt', '--method', 'ka', '--out', ka]) == 0
    out = capsys.readouterr().out
    assert 'RingMoE-Opt: 19,' in out and 'RingMoE-EP: 13,' in out and 'RingMoE-KA: 13,' in out
    counts = torch.load(ep, weights_only=True)['meta']['mmringmoe']['backbone']['num_collaborative_experts']
    assert len(counts) == 8 and all(c >= 2 for c in counts)  # top 50% of 4 experts (ties keep more)


def test_bad_inputs_give_one_clear_error_and_write_nothing(workspace, tmp_path):
    ckpt = str(workspace / 'pretrained.pth')
    existing = tmp_path / 'exists.pth'
    existing.write_bytes(b'old')
    stats = tmp_path / 'stats.json'
    assert collect_tool.main([
        CONFIG, ckpt, '--modality', 'opt', '--data',
        str(workspace / 'data'), '--out',
        str(stats), '--max-images', '1'
    ]) == 0
    before = sorted(os.listdir(tmp_path))

    message = _exit_message(merge_tool,
                            [CONFIG, ckpt, '--modality', 'opt', '--method', 'ks', '--out',
                             str(existing)])
    assert message == f'merge_experts: {existing} exists; refusing to overwrite it'
    assert existing.read_bytes() == b'old'

    message = _exit_message(prune_tool,
                            [CONFIG, ckpt, '--modality', 'ms', '--to', 'ks', '--out',
                             str(tmp_path / 'a')])
    assert "has no modality ['ms']" in message and '\n' not in message

    base_config = tmp_path / 'base_arch.py'
    base_config.write_text(f"_base_ = ['{CONFIG}']\nmodel = dict(backbone=dict(arch='base'))\n")
    message = _exit_message(extract_tool,
                            [str(base_config), ckpt, '--modality', 'opt', '--out',
                             str(tmp_path / 'b')])
    assert 'does not match the backbone of' in message and "arch 'base'" in message
    base_config.unlink()

    # Statistics of another layout: collected on the full model, applied to an already pruned one.
    pruned = tmp_path / 'ep.pth'
    assert prune_experts_tool.main(
        [CONFIG, ckpt, '--stats',
         str(stats), '--modality', 'opt', '--out',
         str(pruned)]) == 0
    message = _exit_message(
        prune_experts_tool,
        [CONFIG,
         str(pruned), '--stats',
         str(stats), '--modality', 'opt', '--out',
         str(tmp_path / 'c')])
    assert 'stats.json does not match' in message and 'collaborative' in message
    message = _exit_message(
        prune_experts_tool,
        [CONFIG, ckpt, '--stats',
         str(stats), '--modality', 'sar_l2', '--out',
         str(tmp_path / 'd')])
    assert "no statistics for ['sar_l2']" in message
    pruned.unlink()

    message = _exit_message(prune_tool, [
        CONFIG, ckpt, '--modality', 'opt', '--to', 'ep', '--out',
        str(tmp_path / 'e'), '--data',
        str(tmp_path / 'nowhere')
    ])
    assert 'nowhere' in message
    json_before = json.loads(stats.read_text())
    _exit_message(prune_tool, [
        CONFIG, ckpt, '--modality', 'opt', '--to', 'kc', '--stats',
        str(stats), '--out',
        str(tmp_path / 'f')
    ])  # argparse: statistics are for --to ep
    assert json.loads(stats.read_text()) == json_before
    assert sorted(os.listdir(tmp_path)) == before


def _run_prune(limit, workspace, out):
    result = limit.run([
        sys.executable,
        osp.join(ROOT, 'tools', 'prune', 'prune.py'), CONFIG,
        str(workspace / 'pretrained.pth'), '--modality', 'sar_l2', '--to', 'kc', '--out',
        str(out)
    ])
    assert result.returncode != 0 and 'Traceback' not in result.stderr, result.stderr
    return result.stderr.splitlines()[-1]


def test_prune_on_a_full_disk_is_one_line_and_leaves_nothing(workspace, tmp_path):
    # The tiny KC checkpoint is 77 MB: 1 MiB takes the skeleton and a few tensors, then writes fail.
    with full_disk(tmp_path / 'full', capacity=1 << 20) as limit:
        out = limit.folder / 'kc'
        line = _run_prune(limit, workspace, out)
        assert line == f'prune: cannot write to {out}: {limit.strerror}'
        assert os.listdir(limit.folder) == []  # no checkpoint, no temporary folder


def test_prune_into_a_read_only_folder_is_one_line_and_leaves_nothing(workspace, tmp_path):
    with read_only(tmp_path / 'readonly') as limit:
        out = limit.folder / 'kc'
        line = _run_prune(limit, workspace, out)
        assert line.startswith(f'prune: cannot write to {limit.folder}') and limit.strerror in line
        assert os.listdir(limit.folder) == []
