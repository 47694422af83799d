"""Evaluate a checkpoint with any mmringmoe config; prints the metrics (per class where the metric does).

    python tools/test.py configs/seg/upernet_ringmoe_kc_isaid.py work_dirs/.../iter_80000.pth
"""
import argparse
import os
import os.path as osp
import sys
import warnings

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
# mmengine imports setuptools' pkg_resources, which warns on every start; nothing a user can act on.
warnings.filterwarnings('ignore', message='pkg_resources is deprecated', category=UserWarning)

import mmringmoe  # noqa: E402,F401
from mmengine.config import DictAction  # noqa: E402

from mmringmoe.engine.runner_setup import (  # noqa: E402
    build_runner, check_before_building, exit_if_checkpoint_does_not_fit, exit_if_data_missing, load_config,
    one_line_errors)
from mmringmoe.utils.threads import configure_threads  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='where the evaluation log goes')
    parser.add_argument('--out', help='dump the raw predictions to this .pkl file (its folder is created)')
    parser.add_argument('--load-non-strict', action='store_true',
                        help='evaluate a checkpoint that does not fit the model exactly (its missing, '
                        'unexpected and misshapen keys skipped); by default such a checkpoint stops the tool')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        help='override config keys')
    parser.add_argument('--launcher', choices=['none', 'pytorch'], default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main(argv=None) -> int:
    configure_threads()
    args = parse_args(argv)
    if not osp.isfile(args.checkpoint):
        sys.exit(f'test.py: checkpoint not found: {args.checkpoint}')
    if args.out and not args.out.endswith(('.pkl', '.pickle')):
        sys.exit(f'test.py: --out must name a .pkl or .pickle file, got {args.out}')
    cfg = load_config(args.config, args.cfg_options, args.launcher, args.work_dir, tool='test.py')
    cfg.load_from = args.checkpoint
    if args.out:
        cfg.test_evaluator = cfg.test_evaluator if isinstance(cfg.test_evaluator, list) else [cfg.test_evaluator]
        cfg.test_evaluator.append(dict(type='DumpResults', out_file_path=args.out))
    exit_if_data_missing(cfg, ('test', ), 'test.py')
    check_before_building(cfg, 'test.py', checkpoints=[args.checkpoint],
                          outputs=[osp.dirname(osp.abspath(args.out))] if args.out else [])
    with one_line_errors('test.py'):
        runner = build_runner(cfg)
        hint = '' if args.load_non_strict else '; --load-non-strict evaluates it anyway'
        exit_if_checkpoint_does_not_fit(runner, args.checkpoint, 'test.py', not args.load_non_strict, hint)
        runner.test()
    return 0


if __name__ == '__main__':
    sys.exit(main())
