"""Train any mmringmoe config (segmentation, detection, rotated detection, tracking, classification,
pretraining) with mmengine's Runner. The toolkit is the config's ``default_scope``.

    python tools/train.py configs/seg/upernet_ringmoe_kc_isaid.py
    torchrun --nproc-per-node 2 tools/train.py CONFIG --launcher pytorch     # DDP (gloo on CPU)
"""
import argparse
import os
import os.path as osp
import sys
import warnings

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # run from a checkout uninstalled
# mmengine imports setuptools' pkg_resources, which warns on every start; nothing a user can act on.
warnings.filterwarnings('ignore', message='pkg_resources is deprecated', category=UserWarning)

import mmringmoe  # noqa: E402,F401  (import shims first, then the registries)
from mmengine.config import DictAction  # noqa: E402

from mmringmoe.engine.runner_setup import (  # noqa: E402
    build_runner, check_before_building, exit_if_checkpoint_does_not_fit, exit_if_data_missing, load_config,
    one_line_errors)
from mmringmoe.utils.threads import configure_threads  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='config file')
    parser.add_argument('--work-dir', help='where logs and checkpoints go (default: work_dirs/<config>)')
    parser.add_argument('--resume', nargs='?', const='auto', default=None, metavar='CKPT',
                        help='resume from CKPT, or from the latest checkpoint in the work dir if no CKPT')
    parser.add_argument('--amp', action='store_true', help='mixed precision (bf16 on CPU, fp16 on CUDA)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        help='override config keys, e.g. train_cfg.max_iters=100 model.backbone.arch=tiny')
    parser.add_argument('--launcher', choices=['none', 'pytorch'], default='none',
                        help="'pytorch' under torchrun (DDP; gloo backend on a CPU machine)")
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main(argv=None) -> int:
    configure_threads()
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options, args.launcher, args.work_dir, tool='train.py')
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    exit_if_data_missing(cfg, ('train', 'val'), 'train.py')
    load_from = cfg.get('load_from')
    check_before_building(cfg, 'train.py', checkpoints=[load_from] if load_from else [], pretrained=True)
    with one_line_errors('train.py'):  # a dataset's missing file, an init_cfg checkpoint that does not fit
        runner = build_runner(cfg, amp=args.amp)
        if load_from:  # resuming needs this model's own checkpoint; fine-tuning may start from another head
            exit_if_checkpoint_does_not_fit(runner, load_from, 'train.py', strict=bool(cfg.get('resume')))
        runner.train()
    return 0


if __name__ == '__main__':
    sys.exit(main())
