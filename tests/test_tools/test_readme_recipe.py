"""The README's recipe as one pipeline through the real tools, on the tiny arch (issue 18.2).

Pretrain a few iterations (tools/train.py) -> tools/prune/prune.py --to ep and --to kc -> fine-tune the
segmentation demo config from each with the ``--cfg-options`` that the README's fine-tuning lines give
(read from README.md, so the README cannot drift from what is tested) -> tools/test.py; and
tools/model_converters/upcycle_swinv2.py -> fine-tune. Each later task family's README line joins in
(``FAMILIES``): the KC checkpoint fine-tunes the classification, detection, height, change-detection and
few-shot classification demo configs the same way. The fine-tuning runs one iteration with learning rate 0,
so its checkpoint is the model at iteration 0: its backbone must be exactly the file it started from. The
tools run through their ``main()`` (one process: about a minute instead of several).
"""
import os.path as osp
import pickle
import re
import shlex
from typing import Dict, List

import pytest
import torch
from mmengine.config import Config
from mmpretrain.models.backbones import SwinTransformerV2

from mmringmoe.models.backbones.arch_zoo import RINGMOE_ARCH_ZOO
from mmringmoe.utils.checkpoint_files import is_position_buffer
from mmringmoe.utils.scripts import load_script

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
PRETRAIN_CONFIG = osp.join(ROOT, 'configs', 'pretrain', 'ringmoe-mim_tiny_demo.py')
SEG_CONFIG = osp.join(ROOT, 'configs', 'demo', 'upernet_ringmoe_kc-tiny_demo_isaid.py')
MODALITIES = ('opt', 'ms', 'sar_l1', 'sar_l2')
FINE_TUNE_LINE = 'python tools/train.py configs/seg/CONFIG.py --cfg-options '
OUTPUT_NORM = re.compile(r'^norm\d+\.')  # SwinV2's norm of each out_indices entry: pretraining has norm3 only


def _tool(path: str):
    return load_script(osp.join(ROOT, path))


train_tool, test_tool, prune_tool, upcycle_tool, pretrain_data_tool, seg_data_tool = (_tool(p) for p in (
    'tools/train.py', 'tools/test.py', 'tools/prune/prune.py', 'tools/model_converters/upcycle_swinv2.py',
    'tools/dataset_converters/make_demo_pretrain_data.py', 'tools/dataset_converters/make_demo_seg_data.py'))
cls_data_tool, cls_split_tool, det_data_tool = (_tool(p) for p in (
    'tools/dataset_converters/make_demo_cls_data.py', 'tools/dataset_converters/make_cls_split.py',
    'tools/dataset_converters/make_demo_det_data.py'))
height_data_tool, height_converter_tool = (_tool(p) for p in (
    'tools/dataset_converters/make_demo_height_data.py', 'tools/dataset_converters/isprs_height.py'))
change_data_tool, change_converter_tool = (_tool(p) for p in (
    'tools/dataset_converters/make_demo_change_data.py', 'tools/dataset_converters/change_detection.py'))


def readme_options(line_start: str) -> List[List[str]]:
    """The ``--cfg-options`` of every README command line that starts with ``line_start``."""
    with open(osp.join(ROOT, 'README.md'), encoding='utf-8') as f:
        text = f.read().replace('\\\n', ' ')  # join shell continuation lines
    lines = [re.sub(r'\s+', ' ', line.strip()) for line in text.splitlines()]
    return [shlex.split(line[len(line_start):].split('#')[0]) for line in lines if line.startswith(line_start)]


def readme_fine_tune_options() -> Dict[str, List[str]]:
    """The ``--cfg-options`` of the README's two fine-tuning lines: ``{'dense': [...], 'sparse': [...]}``."""
    options = readme_options(FINE_TUNE_LINE)
    assert len(options) == 2, f'README.md should have two lines starting with {FINE_TUNE_LINE!r}'
    sparse = [o for o in options if 'model.backbone.type=mmringmoe.RingMoE-EP' in o]
    dense = [o for o in options if o not in sparse]
    assert len(sparse) == 1 and len(dense) == 1
    return dict(dense=dense[0], sparse=sparse[0])


@pytest.fixture(autouse=True)
def _plain_config_text(monkeypatch):
    """Skip mmengine's yapf formatting of the config (at every runner start and checkpoint, ~1.5 s each)."""
    monkeypatch.setattr(Config, 'pretty_text', property(lambda self: str(self._cfg_dict.to_dict())))


@pytest.fixture(scope='module')
def checkpoints(tmp_path_factory) -> Dict[str, str]:
    """Pretrain 2 iterations, prune to EP and KC (opt), and upcycle a dense SwinV2: ``{name: file}``."""
    root = tmp_path_factory.mktemp('recipe')
    data = str(root / 'pretrain_data')
    pretrain_data_tool.make_demo(data, scenes=1, size=128, tile=64, step=64, show_progress=False)
    options = [f'train_dataloader.dataset.datasets.{m}.data_root={data}' for m in MODALITIES]
    assert train_tool.main([PRETRAIN_CONFIG, '--work-dir', str(root / 'pretrain'), '--cfg-options', *options,
                            'train_cfg.max_iters=2']) == 0
    pretrained = str(root / 'pretrain' / 'iter_2.pth')
    for to, extra in (('ep', ['--data', data, '--max-images', '2']), ('kc', [])):
        assert prune_tool.main([PRETRAIN_CONFIG, pretrained, '--modality', 'opt', '--to', to, *extra, '--out',
                                str(root / f'ringmoe-{to}_opt')]) == 0

    dense = SwinTransformerV2(arch=RINGMOE_ARCH_ZOO['tiny'], in_channels=3, window_size=4, out_indices=(3, ))
    state = {f'backbone.{k}': v for k, v in dense.state_dict().items()}  # a whole mmpretrain classifier's
    torch.save({'state_dict': state}, root / 'swinv2.pth')
    assert upcycle_tool.main([str(root / 'swinv2.pth'), str(root / 'ringmoe_upcycled.pth'), '--arch', 'tiny',
                              '--modality', 'opt']) == 0
    seg_data_tool.main(['--out', str(root / 'seg_data')])
    return dict(pretrained=pretrained,
                ep=str(root / 'ringmoe-ep_opt' / 'ringmoe-ep_opt.pth'),
                kc=str(root / 'ringmoe-kc_opt' / 'ringmoe-kc_opt.pth'),
                upcycled=str(root / 'ringmoe_upcycled.pth'),
                seg_data=str(root / 'seg_data' / 'iSAID'))


@pytest.mark.slow
@pytest.mark.parametrize('name, recipe', [('kc', 'dense'), ('ep', 'sparse'), ('upcycled', 'sparse')])
def test_fine_tune_from_each_checkpoint_starts_from_its_weights(checkpoints, name, recipe, tmp_path):
    readme = [option.replace('CKPT', checkpoints[name]) for option in readme_fine_tune_options()[recipe]]
    assert any(checkpoints[name] in option for option in readme)  # the README's options name CKPT
    data = [f'{split}_dataloader.dataset.data_root={checkpoints["seg_data"]}'
            for split in ('train', 'val', 'test')]
    work = tmp_path / 'work'
    # One iteration at learning rate 0: the checkpoint holds the model at iteration 0.
    assert train_tool.main([SEG_CONFIG, '--work-dir', str(work), '--cfg-options', *data, *readme,
                            'train_cfg.max_iters=1', 'optim_wrapper.optimizer.lr=0.0']) == 0

    tuned = torch.load(work / 'iter_1.pth', map_location='cpu')['state_dict']
    source = torch.load(checkpoints[name], map_location='cpu')['state_dict']
    backbone = {k[len('backbone.'):]: v for k, v in tuned.items() if k.startswith('backbone.')}
    compared = [k for k in backbone if not is_position_buffer(k) and not OUTPUT_NORM.match(k)]
    assert len(compared) > 100 and set(compared) <= set(source), sorted(set(compared) - set(source))[:5]
    for key in compared:
        assert torch.equal(backbone[key], source[key]), key
    if name != 'upcycled':  # the upcycled RingMoE has four modalities, of which the opt model takes one
        assert not [k for k in source if k not in backbone and not is_position_buffer(k)]

    out = tmp_path / 'preds.pkl'
    assert test_tool.main([SEG_CONFIG, str(work / 'iter_1.pth'), '--work-dir', str(tmp_path / 'test'), '--out',
                           str(out), '--cfg-options', *data, *readme]) == 0
    assert len(pickle.loads(out.read_bytes())) == 8  # the 8 validation patches were evaluated


def _cls_data(root: str) -> List[str]:
    """The classification demo's release layout (6 classes x 4 images) and its 50/50 split files."""
    cls_data_tool.main([root, '--dataset', 'nwpu', '--classes', '6', '--per-class', '4', '--size', '96'])
    cls_split_tool.main([root, '--train-ratio', '0.5'])
    return [f'{split}_dataloader.dataset.data_root={root}' for split in ('train', 'val', 'test')]


def _fewshot_cls_data(root: str) -> List[str]:
    """The few-shot demo's 15 classes in NWPU-RESISC45's layout, 16 images each (1 shot + 15 queries)."""
    cls_data_tool.main([root, '--dataset', 'nwpu', '--classes', '15', '--per-class', '16', '--size', '64'])
    return [f'{split}_dataloader.dataset.data_root={root}' for split in ('train', 'val', 'test')] + \
        ['val_cfg.num_episodes=20', 'test_cfg.num_episodes=20']


def _det_data(root: str) -> List[str]:
    """The detection demo's DIOR-layout scenes (train and val are the two datasets of its training set)."""
    det_data_tool.main([root, '--train', '4', '--test', '2', '--size', '128'])
    return [f'train_dataloader.dataset.datasets.{i}.data_root={root}' for i in (0, 1)] + \
        [f'{split}_dataloader.dataset.data_root={root}' for split in ('val', 'test')]


def _height_data(root: str) -> List[str]:
    """The height demo's Vaihingen-layout scenes (one training, one test area), cut by the real converter."""
    release = osp.join(root, 'release')
    height_data_tool.main([release, '--train', '1', '--test', '1', '--size', '128'])
    height_converter_tool.main(['vaihingen', release, '-o', root, '--height-scale', '0.1', '--crop', '128'])
    return [f'{split}_dataloader.dataset.data_root={root}' for split in ('train', 'val', 'test')]


def _change_data(root: str) -> List[str]:
    """The change demo's LEVIR-CD-layout pairs (one scene a split), cut into 64 px slices by the real converter."""
    release = osp.join(root, 'release')
    change_data_tool.main([release, '--train', '1', '--val', '1', '--test', '1', '--size', '128'])
    change_converter_tool.main(['--dataset', 'levir-cd', release, '-o', root, '--patch', '64'])
    return [f'{split}_dataloader.dataset.data_root={root}' for split in ('train', 'val', 'test')]


FAMILIES = {
    'cls': ('configs/demo/linear_ringmoe_kc-tiny_demo_nwpu-resisc45.py', 'configs/cls/CONFIG.py', _cls_data),
    'det': ('configs/demo/faster-rcnn_ringmoe-kc-tiny_demo_dior.py', 'configs/det/CONFIG.py', _det_data),
    'height': ('configs/demo/binsformer_ringmoe-kc-tiny_demo_vaihingen.py', 'configs/height/CONFIG.py', _height_data),
    'change': ('configs/demo/bit_ringmoe-kc-tiny_demo_levir-cd.py', 'configs/change/CONFIG.py', _change_data),
    'fewshot-cls': ('configs/demo/relationnet_ringmoe_kc-tiny_demo_nwpu-resisc45.py', 'configs/fewshot/CONFIG.py',
                    _fewshot_cls_data),
}


@pytest.mark.slow
@pytest.mark.parametrize('family', sorted(FAMILIES))
def test_each_task_family_fine_tunes_from_the_kc_checkpoint(checkpoints, family, tmp_path):
    config, readme_config, make_data = FAMILIES[family]
    lines = readme_options(f'python tools/train.py {readme_config} --cfg-options ')
    assert len(lines) == 1, f'README.md should have one fine-tuning line for {readme_config}'
    readme = [option.replace('CKPT', checkpoints['kc']) for option in lines[0]]
    assert any(checkpoints['kc'] in option for option in readme)
    # mmengine keeps one visualizer per name per process: another family's test must not hand this one its own.
    data = make_data(str(tmp_path / 'data')) + [f'visualizer.name=recipe_{family}_{tmp_path.name}']
    work = tmp_path / 'work'
    assert train_tool.main([osp.join(ROOT, config), '--work-dir', str(work), '--cfg-options', *data, *readme,
                            'train_cfg.max_iters=1', 'train_cfg.val_interval=1', 'optim_wrapper.optimizer.lr=0.0',
                            'param_scheduler=[]']) == 0
    tuned = torch.load(work / 'iter_1.pth', map_location='cpu')['state_dict']
    source = torch.load(checkpoints['kc'], map_location='cpu')['state_dict']
    backbone = {k[len('backbone.'):]: v for k, v in tuned.items() if k.startswith('backbone.')}
    compared = [k for k in backbone if not is_position_buffer(k) and not OUTPUT_NORM.match(k)]
    assert len(compared) > 100 and set(compared) <= set(source), sorted(set(compared) - set(source))[:5]
    for key in compared:
        assert torch.equal(backbone[key], source[key]), key
    assert test_tool.main([osp.join(ROOT, config), str(work / 'iter_1.pth'), '--work-dir', str(tmp_path / 'test'),
                           '--cfg-options', *data, *readme]) == 0
