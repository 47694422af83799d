"""The pretraining demo: RingMoE's multi-modal SimMIM on synthetic Opt, MS, SAR-L1 and SAR-L2 tiles, on the
CPU in about a minute, with no download.

    python tools/demo/run_pretrain_demo.py
    python tools/demo/run_pretrain_demo.py --iters 60 --work-dir /tmp/pretrain_demo

1. Generates the demo set (``tools/dataset_converters/make_demo_pretrain_data.py``) in ``--data`` if its list
   files are missing.
2. Trains ``configs/pretrain/ringmoe-mim_tiny_demo.py`` (tiny RingMoE, 64 px, 2 tiles of each modality per
   batch) with mmengine's Runner into ``--work-dir``.
3. Prints the mean total loss (Eq. 7) and each modality's reconstruction loss (Eq. 6) over the first 10 and
   the last 10 iterations. Exits non-zero if the total loss did not fall.
"""
import argparse
import importlib.util
import os.path as osp
import sys
from typing import Dict, List

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)  # run from a checkout

import mmringmoe  # noqa: E402,F401  (import shims, registries)
from mmengine.config import Config, DictAction  # noqa: E402

from mmringmoe.engine.runner_setup import build_runner  # noqa: E402

CONFIG = osp.join(ROOT, 'configs', 'pretrain', 'ringmoe-mim_tiny_demo.py')
WINDOW = 10


def make_demo_data(out: str, modalities: List[str]) -> None:
    """Run ``make_demo_pretrain_data.py --out OUT`` unless every modality's list file is there."""
    if all(osp.isfile(osp.join(out, m, f'{m}.txt')) for m in modalities):
        return
    path = osp.join(ROOT, 'tools', 'dataset_converters', 'make_demo_pretrain_data.py')
    spec = importlib.util.spec_from_file_location('make_demo_pretrain_data', path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, osp.dirname(path))  # it imports its sibling make_pretrain_tiles
    spec.loader.exec_module(module)
    if module.main(['--out', out]) != 0:
        sys.exit('run_pretrain_demo: making the demo data failed')


def loss_history(runner) -> Dict[str, List[float]]:
    """Every iteration's logged losses (mmengine's message hub keeps the whole history)."""
    history = {}
    for key, buffer in runner.message_hub.log_scalars.items():
        if key.startswith('train/') and 'loss' in key:
            history[key[len('train/'):]] = [float(v) for v in buffer.data[0]]
    return history


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--config', default=CONFIG, help='pretraining config (default: the tiny demo)')
    parser.add_argument('--data', default='data/demo_pretrain',
                        help='demo data folder (default: data/demo_pretrain)')
    parser.add_argument('--work-dir', default='work_dirs/pretrain_demo',
                        help='logs and checkpoints (default: work_dirs/pretrain_demo)')
    parser.add_argument('--iters', type=int, default=None,
                        help='training iterations (default: the config\'s)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        help='override config keys, e.g. model.alpha=0')
    args = parser.parse_args(argv)
    if not osp.isfile(args.config):
        parser.error(f'config not found: {args.config}')
    if args.iters is not None and args.iters < 2 * WINDOW:
        parser.error(f'--iters must be at least {2 * WINDOW} (first and last {WINDOW} are compared)')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    datasets = cfg.train_dataloader.dataset.datasets
    print(f'[1/3] demo data in {args.data}')
    make_demo_data(args.data, list(datasets))
    for dataset in datasets.values():
        dataset.data_root = args.data
    if args.iters is not None:
        cfg.train_cfg.max_iters = args.iters
        cfg.param_scheduler[-1].end = args.iters
    cfg.work_dir = args.work_dir
    cfg.launcher = 'none'
    print(f'[2/3] training {osp.basename(args.config)} for {cfg.train_cfg.max_iters} iterations '
          f'(log in {args.work_dir})')
    runner = build_runner(cfg)
    runner.train()

    history = loss_history(runner)
    print(f'[3/3] mean loss, first {WINDOW} vs last {WINDOW} iterations:')
    for key in ['loss'] + sorted(k for k in history if k.startswith('loss_rec_')):
        values = history[key]
        first, last = sum(values[:WINDOW]) / WINDOW, sum(values[-WINDOW:]) / WINDOW
        print(f'  {key:<20s} {first:8.4f} -> {last:8.4f}')
    first, last = sum(history['loss'][:WINDOW]) / WINDOW, sum(history['loss'][-WINDOW:]) / WINDOW
    if not last < first:
        sys.exit(f'run_pretrain_demo: the loss did not fall ({first:.4f} -> {last:.4f})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
