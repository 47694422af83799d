"""tools/train.py and tools/test.py as a user runs them (subprocesses, or their ``main()`` where a failure
must come before any work), on a tiny image-folder task."""
import importlib.util
import os.path as osp
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch
from fs_limits import read_only
from PIL import Image

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
CONFIG = osp.join(ROOT, 'tests', 'data', 'configs', 'ringmoe-kc-tiny_linear_4iter_folder_cls.py')


def run_tool(*args):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def _tool(path: str):
    spec = importlib.util.spec_from_file_location(osp.splitext(osp.basename(path))[0], osp.join(ROOT, path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


train_tool, test_tool = _tool('tools/train.py'), _tool('tools/test.py')


def exit_line(tool, argv) -> str:
    """The message of the tool's ``sys.exit``: non-zero, one line."""
    with pytest.raises(SystemExit) as exit_info:
        tool.main(argv)
    message = str(exit_info.value.code)
    assert exit_info.value.code not in (0, None) and '\n' not in message
    return message


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
    assert missing_config.stderr.strip().splitlines()[-1] == (
        f'train.py: config not found: {tmp_path / "nope.py"}')
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


def test_unknown_cfg_options_keys_name_the_nearest_before_building(image_folder, tmp_path):
    options = data_options(image_folder)
    for key, expected in (('train_cfg.max_iter=1',
                           "unknown key 'train_cfg.max_iter'; did you mean 'train_cfg.max_iters'?"),
                          ('model.backbon.arch=tiny',
                           "unknown key 'model.backbon'; did you mean 'model.backbone'?"),
                          ('test_dataloader.dataset.pipeline.5.type=Resize',
                           "'test_dataloader.dataset.pipeline.5.type': test_dataloader.dataset.pipeline is a "
                           'list of 3 items')):
        message = exit_line(train_tool, [CONFIG, '--work-dir', str(tmp_path / 'work'), *options, key])
        assert message.startswith(f'train.py: --cfg-options: {expected}')
    assert not (tmp_path / 'work').exists()  # stopped before the runner made its work dir


def test_an_unknown_arch_lists_only_this_projects_archs(image_folder, tmp_path):
    message = exit_line(train_tool, [CONFIG, '--work-dir', str(tmp_path), *data_options(image_folder),
                                     'model.backbone.arch=tyni'])
    assert message == ("train.py: unknown arch 'tyni' of mmringmoe.RingMoE-KC: choose 'tiny', 'base', '1b' "
                       "(or a dict of embed_dims, depths, num_heads); did you mean 'tiny'?")


def test_new_option_dicts_and_leaves_are_accepted(image_folder, tmp_path):
    """A new leaf (load_from) and a new option dict of a module (init_cfg) pass the key check; the files they
    name are then checked before the model is built."""
    (tmp_path / 'random.pth').write_bytes(np.random.default_rng(0).bytes(4096))
    random_file = str(tmp_path / 'random.pth')
    options = data_options(image_folder)
    for extra in ([f'load_from={random_file}'], ['model.backbone.init_cfg.type=Pretrained',
                                                  f'model.backbone.init_cfg.checkpoint={random_file}']):
        message = exit_line(train_tool, [CONFIG, '--work-dir', str(tmp_path / 'work'), *options, *extra])
        assert message == f'train.py: {random_file}: not a PyTorch checkpoint'
    assert not list((tmp_path / 'work').glob('*/*.log'))


def test_a_random_file_is_not_a_pytorch_checkpoint(image_folder, tmp_path):
    (tmp_path / 'weights.pth').write_bytes(np.random.default_rng(0).bytes(4096))
    path = str(tmp_path / 'weights.pth')
    message = exit_line(test_tool, [CONFIG, path, '--work-dir', str(tmp_path), *data_options(image_folder)])
    assert message == f'test.py: {path}: not a PyTorch checkpoint'
    message = exit_line(train_tool, [CONFIG, '--work-dir', str(tmp_path), '--resume', path,
                                     *data_options(image_folder)])
    assert message == f'train.py: {path}: not a PyTorch checkpoint'


def test_outputs_are_checked_before_the_evaluation(image_folder, tmp_path):
    work = tmp_path / 'work'
    assert train_tool.main([CONFIG, '--work-dir', str(work), *data_options(image_folder),
                            'train_cfg.max_iters=2', 'train_cfg.val_interval=100']) == 0
    checkpoint = str(work / 'iter_2.pth')
    message = exit_line(test_tool, [CONFIG, checkpoint, '--out', str(tmp_path / 'preds.json'),
                                    *data_options(image_folder)])
    assert message == f'test.py: --out must name a .pkl or .pickle file, got {tmp_path / "preds.json"}'
    out = tmp_path / 'new' / 'folder' / 'preds.pkl'  # missing folders are created, as the work dir's are
    assert test_tool.main([CONFIG, checkpoint, '--out', str(out), '--work-dir', str(work),
                           *data_options(image_folder)]) == 0
    with open(out, 'rb') as f:
        assert len(pickle.load(f)) == 10  # one prediction per image


def limited_exit_line(limit, tool, argv) -> str:
    """The tool's one-line exit message under ``limit``: in this process when the limit holds here (a
    read-only tmpfs), else in a subprocess that gets it."""
    if limit.in_process:
        return exit_line(tool, argv)
    result = limit.run([sys.executable, tool.__file__, *argv], cwd=ROOT)
    assert result.returncode != 0
    return result.stderr.strip()


def test_read_only_outputs_are_one_line_before_building(image_folder, tmp_path):
    torch.save({'state_dict': {}}, tmp_path / 'empty.pth')
    with read_only(tmp_path / 'ro') as limit:
        message = limited_exit_line(limit, test_tool, [
            CONFIG, str(tmp_path / 'empty.pth'), '--out', str(limit.folder / 'preds.pkl'), '--work-dir',
            str(tmp_path / 'work'), *data_options(image_folder)])
        assert message == f'test.py: cannot write to {limit.folder}: {limit.strerror}'
        message = limited_exit_line(limit, train_tool, [CONFIG, '--work-dir', str(limit.folder / 'work'),
                                                        *data_options(image_folder)])
        assert message == f'train.py: cannot write to {limit.folder / "work"}: {limit.strerror}'
    assert not list((tmp_path / 'work').glob('*/*.log'))  # the runner was never built
