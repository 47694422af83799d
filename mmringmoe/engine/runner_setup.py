"""Config loading, checks and Runner building shared by ``tools/train.py`` and ``tools/test.py``.

Everything a user can get wrong is checked before the model is built (a 1B-parameter build takes a while,
an evaluation hours) and reported in one line: the config, ``--cfg-options`` keys, arch names, missing
datasets, unwritable output folders, files that are not checkpoints, and checkpoints that do not fit the
model (checked right after it is built, before anything is loaded or run).
"""
import contextlib
import os.path as osp
import sys
from typing import Iterator, Optional, Sequence

import torch
from mmengine.config import Config
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from mmringmoe.datasets.oriented_annotations import AnnotationError
from mmringmoe.datasets.transforms.grey_loading import ColourImageError
from mmringmoe.datasets.transforms.raster_errors import CorruptFileError
from mmringmoe.utils.atomic_io import OutputWriteError, prepare_output_folder
from mmringmoe.utils.checkpoint_files import CheckpointError
from .preflight import check_archs, check_cfg_options, check_checkpoint_file, pretrained_checkpoints
from .strict_checkpoint import checkpoint_fit_problem, runner_model


def load_config(path: str, cfg_options: dict, launcher: str, work_dir: Optional[str],
                tool: str = 'mmringmoe') -> Config:
    """Read ``path``, check and apply ``--cfg-options``, launcher and work dir (``work_dirs/<config name>``).

    A missing or unloadable config and a ``--cfg-options`` key that the config does not have (see
    :func:`~.preflight.check_cfg_options`) exit with one line starting with ``tool``.
    """
    if not osp.isfile(path):
        sys.exit(f'{tool}: config not found: {path}')
    try:
        cfg = Config.fromfile(path)
    except Exception as err:  # mmengine raises SyntaxError, KeyError, ImportError, TypeError...
        sys.exit(f'{tool}: cannot load the config {path}: {type(err).__name__}: {_first_line(err)}')
    if cfg_options:
        try:
            check_cfg_options(cfg, cfg_options)
        except ValueError as err:
            sys.exit(f'{tool}: --cfg-options: {err}')
        cfg.merge_from_dict(cfg_options)
    cfg.launcher = launcher
    if launcher == 'pytorch' and not torch.cuda.is_available():
        # NCCL needs GPUs; gloo runs DDP on the CPU.
        cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = 'gloo'
        _run_distributed_on_cpu(cfg)
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('work_dirs', osp.splitext(osp.basename(path))[0])
    return cfg


def _run_distributed_on_cpu(cfg: Config) -> None:
    """Undo mmengine's GPU pinning of each rank, which a machine without CUDA cannot do.

    mmengine's ``init_dist`` calls ``torch.cuda.set_device(LOCAL_RANK)`` (a CPU-only torch has no
    ``_cuda_setDevice``) and wraps the model in DDP with ``device_ids=[LOCAL_RANK]`` (FSDP with
    ``device_id=LOCAL_RANK``), which a CPU module refuses. Here the first is a no-op, DDP gets
    ``device_ids=None`` and FSDP ``device_id='cpu'``.
    """
    torch.cuda.set_device = lambda device: None
    if 'strategy' in cfg:  # FlexibleRunner
        if 'FSDP' in str(cfg.strategy.get('type', '')):
            cfg.strategy.setdefault('model_wrapper', {})['device_id'] = 'cpu'
        return
    # mmengine's own default wrapper when the config has none, on the CPU.
    wrapper = cfg.setdefault('model_wrapper_cfg', dict(
        type='MMDistributedDataParallel', broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False)))
    if wrapper.get('type', 'MMDistributedDataParallel') in ('MMDistributedDataParallel',
                                                            'DistributedDataParallel'):
        wrapper['device_ids'] = None


def _data_roots(node) -> Iterator[str]:
    """Every ``data_root`` in a (possibly nested) dataset config."""
    if isinstance(node, dict):
        if isinstance(node.get('data_root'), str):
            yield node['data_root']
        for value in node.values():
            yield from _data_roots(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _data_roots(value)


def missing_data_root(cfg: Config, splits: Sequence[str]) -> Optional[str]:
    """The first ``data_root`` of the given dataloaders that does not exist, if any.

    Checked before the Runner builds the model (a 1B-parameter build takes a while), so that a user who
    has not downloaded a dataset gets one line instead of a traceback after minutes.
    """
    for split in splits:
        loader = cfg.get(f'{split}_dataloader')
        for root in _data_roots(loader.get('dataset') if loader else None):
            if not osp.exists(root):
                return root
    return None


def exit_if_data_missing(cfg: Config, splits: Sequence[str], tool: str) -> None:
    root = missing_data_root(cfg, splits)
    if root is not None:
        sys.exit(f'{tool}: dataset not found at {root}: see docs/datasets.md')


def check_before_building(cfg: Config,
                          tool: str,
                          checkpoints: Sequence[str] = (),
                          outputs: Sequence[str] = (),
                          pretrained: bool = False) -> None:
    """Exit with one line unless the config's arch names are known, the work dir and the folders
    ``outputs`` can be written (created if missing), and ``checkpoints`` (and with ``pretrained`` every
    ``init_cfg`` checkpoint of the model, which training loads) are readable checkpoint files (keys read,
    not the tensors)."""
    try:
        check_archs(cfg)
        for folder in (cfg.work_dir, *outputs):
            prepare_output_folder(folder)
        for path in (*checkpoints, *(pretrained_checkpoints(cfg) if pretrained else ())):
            check_checkpoint_file(path)
    except (ValueError, OutputWriteError) as err:
        sys.exit(f'{tool}: {err}')


def exit_if_checkpoint_does_not_fit(runner: Runner, path: str, tool: str, strict: bool,
                                    hint: str = '') -> None:
    """Exit with one line when the checkpoint ``path`` does not fit the built model (see
    :func:`~.strict_checkpoint.checkpoint_fit_problem`); ``hint`` is appended to that line. Skipped for a
    runner whose model is built later (FlexibleRunner)."""
    model = runner_model(runner)
    if model is None or '://' in path:
        return
    problem = checkpoint_fit_problem(model, path, strict)
    if problem:
        sys.exit(f'{tool}: {problem}{hint}')


@contextlib.contextmanager
def one_line_errors(tool: str) -> Iterator[None]:
    """Report the errors of a user's input met while building or running (a dataset's missing file, a data
    file cut short, a pretrained checkpoint that does not fit its backbone) as one line starting with
    ``tool``, and exit; also an annotation naming a class the config does not know, and a colour image where
    a one-band modality is expected."""
    try:
        yield
    except (FileNotFoundError, CheckpointError, CorruptFileError, AnnotationError, ColourImageError) as err:
        sys.exit(f'{tool}: {err}')


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else ''


def enable_amp(cfg: Config) -> None:
    """Turn the config's optimizer wrapper into a mixed-precision one for this machine."""
    wrapper = cfg.optim_wrapper
    if wrapper.get('type', 'OptimWrapper') in ('AmpOptimWrapper', 'mmringmoe.CPUAmpOptimWrapper'):
        return
    if torch.cuda.is_available():
        wrapper.type, wrapper.loss_scale = 'AmpOptimWrapper', 'dynamic'
    else:
        wrapper.type = 'mmringmoe.CPUAmpOptimWrapper'


def save_checkpoints_atomically(cfg: Config) -> None:
    """Give the checkpoint hook the ``atomic_local`` file backend unless the config chose a backend.

    A checkpoint (and ``last_checkpoint``) then appears complete or not at all, so a disk that fills
    during a save cannot leave a truncated ``iter_N.pth`` for ``--resume`` to pick (see
    :class:`~mmringmoe.engine.atomic_local_backend.AtomicLocalBackend`). FlexibleRunner strategies save
    sharded checkpoints their own way and are left alone."""
    hook = cfg.get('default_hooks', {}).get('checkpoint')
    if 'runner_type' in cfg or not hook or hook.get('type') not in ('CheckpointHook', 'mmengine.CheckpointHook'):
        return
    if hook.get('backend_args') is None and hook.get('file_client_args') is None:
        hook['backend_args'] = dict(backend='atomic_local')


def build_runner(cfg: Config, amp: bool = False) -> Runner:
    """The config's runner (``runner_type`` if set, e.g. FlexibleRunner for FSDP, else mmengine's), saving
    its checkpoints atomically (:func:`save_checkpoints_atomically`)."""
    if amp:
        enable_amp(cfg)
    save_checkpoints_atomically(cfg)
    if 'runner_type' in cfg:
        return RUNNERS.build(cfg)
    return Runner.from_cfg(cfg)
