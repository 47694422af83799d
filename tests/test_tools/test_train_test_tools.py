"""tools/train.py and tools/test.py as a user runs them (subprocesses), on a tiny image-folder task."""
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
CONFIG = osp.join(ROOT, 'tests', 'data', 'configs', 'ringmoe-kc-tiny_linear_4iter_folder_cls.py')


def run_tool(*args):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope='module')
def image_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp('folder_cls')
    rng = np.random.default_rng(0)
    for c in range(5):
        (root / f'class_{c}').mkdir()
        for i in range(2):
            pixels = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / f'class_{c}' / f'{i}.png')
    return root


def data_options(root):
    return ['--cfg-options'] + [f'{split}_dataloader.dataset.data_root={root}' for split in ('train', 'val', 'test')]


def test_train_resume_and_test(image_folder, tmp_path):
    work = tmp_path / 'work'
    options = data_options(image_folder)
    first = run_tool('tools/train.py', CONFIG, '--work-dir', str(work), *options, 'train_cfg.max_iters=2')
    assert first.returncode == 0, first.stderr[-3000:]
    assert (work / 'iter_2.pth').exists() and not (work / 'iter_4.pth').exists()

    resumed = run_tool('tools/train.py', CONFIG, '--work-dir', str(work), '--resume', *options)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    log = resumed.stdout + resumed.stderr
    assert 'resumed epoch: 0, iter: 2' in log
    assert (work / 'iter_4.pth').exists()
    state = torch.load(work / 'iter_4.pth', map_location='cpu')  # weights_only=True, the torch 2.13 default
    assert state['meta']['iter'] == 4

    tested = run_tool('tools/test.py', CONFIG, str(work / 'iter_4.pth'), '--work-dir', str(work), *options)
    assert tested.returncode == 0, tested.stderr[-3000:]
    assert 'accuracy/top1' in tested.stdout + tested.stderr


def test_amp_on_cpu_trains_in_bfloat16(image_folder, tmp_path):
    result = run_tool('tools/train.py', CONFIG, '--work-dir', str(tmp_path), '--amp', *data_options(image_folder),
                      'train_cfg.max_iters=1', 'train_cfg.val_interval=100')
    assert result.returncode == 0, result.stderr[-3000:]
    log = result.stdout + result.stderr
    assert 'CPUAmpOptimWrapper' in log and 'loss: nan' not in log


def test_bad_paths_are_one_clear_line(tmp_path):
    missing_config = run_tool('tools/train.py', str(tmp_path / 'nope.py'))
    assert missing_config.returncode != 0
    assert missing_config.stderr.strip().splitlines()[-1] == f'config not found: {tmp_path / "nope.py"}'
    missing_ckpt = run_tool('tools/test.py', CONFIG, str(tmp_path / 'none.pth'))
    assert missing_ckpt.returncode != 0
    assert missing_ckpt.stderr.strip().splitlines()[-1] == f'test.py: checkpoint not found: {tmp_path / "none.pth"}'


@pytest.mark.parametrize('tool', ['tools/train.py', 'tools/test.py', 'tools/analysis_tools/count_params.py',
                                  'tools/model_converters/upcycle_swinv2.py', 'tools/env/check_env.py'])
def test_every_tool_has_help(tool):
    result = run_tool(tool, '--help')
    assert result.returncode == 0 and 'usage:' in result.stdout


def test_headline_config_without_data_points_to_the_docs(tmp_path):
    result = run_tool('tools/train.py', 'configs/seg/upernet_ringmoe_kc_isaid.py', '--work-dir', str(tmp_path),
                      '--cfg-options', 'model.backbone.arch=tiny')
    assert result.returncode != 0
    assert result.stderr.strip() == 'train.py: dataset not found at data/iSAID: see docs/datasets.md'


def test_dist_train_help_and_bad_config():
    script = osp.join(ROOT, 'tools', 'dist_train.sh')
    helped = subprocess.run(['bash', script, '--help'], capture_output=True, text=True)
    assert helped.returncode == 0 and helped.stdout.startswith('usage: dist_train.sh CONFIG NUM_PROCS')
    missing = subprocess.run(['bash', script, 'nope.py', '2'], capture_output=True, text=True)
    assert missing.returncode == 2 and missing.stderr.strip() == 'dist_train.sh: config not found: nope.py'


def test_missing_dataset_is_one_line_before_building_the_model(tmp_path):
    missing = tmp_path / 'not_downloaded'
    result = run_tool('tools/train.py', CONFIG, '--work-dir', str(tmp_path), *data_options(missing))
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == f'train.py: dataset not found at {missing}: see docs/datasets.md'
    assert 'Traceback' not in result.stderr and not list(tmp_path.glob('*/*.log'))
