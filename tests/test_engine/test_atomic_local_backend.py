"""Checkpoints saved through mmengine never appear half-written (issue 18.4)."""
import os
import sys

import torch
from fs_limits import full_disk
from mmengine.fileio import get_file_backend
from mmengine.runner.checkpoint import save_checkpoint

from mmringmoe.engine import AtomicLocalBackend

SAVE = ('import sys, torch, mmringmoe; from mmengine.runner.checkpoint import save_checkpoint; '
        "args = None if sys.argv[2] == 'local' else dict(backend='atomic_local'); "
        "save_checkpoint({'w': torch.ones(256, 1024)}, sys.argv[1], backend_args=args)")


def test_put_writes_complete_files_and_no_temporaries(tmp_path):
    backend = get_file_backend(str(tmp_path), backend_args=dict(backend='atomic_local'))
    assert isinstance(backend, AtomicLocalBackend)
    target = tmp_path / 'sub' / 'iter_1.pth'
    save_checkpoint({'w': torch.arange(10.)}, str(target), backend_args=dict(backend='atomic_local'))
    torch.testing.assert_close(torch.load(target)['w'], torch.arange(10.))
    backend.put_text(str(target), str(tmp_path / 'sub' / 'last_checkpoint'))
    assert (tmp_path / 'sub' / 'last_checkpoint').read_text() == str(target)
    assert sorted(os.listdir(tmp_path / 'sub')) == ['iter_1.pth', 'last_checkpoint']


def test_full_disk_leaves_no_checkpoint(tmp_path):
    with full_disk(tmp_path / 'out', capacity=256 * 1024) as limit:  # a 1 MiB checkpoint does not fit
        local = limit.run([sys.executable, '-c', SAVE, str(limit.folder / 'local.pth'), 'local'])
        atomic = limit.run([sys.executable, '-c', SAVE, str(limit.folder / 'atomic.pth'), 'atomic'])
        names = sorted(os.listdir(limit.folder))
    assert local.returncode != 0 and atomic.returncode != 0
    assert 'local.pth' in names  # mmengine's own local backend leaves the truncated file behind
    assert f'cannot write to {limit.folder}: {limit.strerror}' in atomic.stderr
    assert not [n for n in names if 'atomic' in n]


def test_tools_give_the_checkpoint_hook_the_atomic_backend():
    from mmengine.config import Config

    from mmringmoe.engine.runner_setup import save_checkpoints_atomically

    cfg = Config(dict(default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=1))))
    save_checkpoints_atomically(cfg)
    assert cfg.default_hooks.checkpoint.backend_args == dict(backend='atomic_local')
    chosen = Config(dict(default_hooks=dict(checkpoint=dict(type='CheckpointHook', backend_args=dict(x=1)))))
    save_checkpoints_atomically(chosen)
    assert chosen.default_hooks.checkpoint.backend_args == dict(x=1)
