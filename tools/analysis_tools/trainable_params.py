"""Trainable and total parameters of the model a config builds: what fine-tuning with it actually trains.

    python tools/analysis_tools/trainable_params.py configs/peft/convpass_upernet_ringmoe_kc_isaid.py
    python tools/analysis_tools/trainable_params.py configs/cls/linear_ringmoe_kc_200e_aid-512x512.py \
        --cfg-options model.backbone.frozen_stages=3

The model is built on the ``meta`` device (no memory, seconds even for the 1B and 6.5B archs) in the
config's default scope and put in training mode, which applies every freezing rule (``frozen_stages``,
Convpass's frozen backbone). Prints the parameters of each top-level part of the model (with Convpass the
adapters separately) and the trainable fraction: the paper's "7.5% of the parameters (i.e., 80M)" for
Convpass segmentation (Sec. 4.3.2). A config that cannot be loaded or built stops the tool with one line.
"""
import argparse
import os.path as osp
import sys
from collections import defaultdict
from typing import Dict, Tuple

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout

import mmringmoe  # noqa: E402,F401  (import shims, registries)
import torch.nn as nn  # noqa: E402
from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.registry import MODELS, DefaultScope  # noqa: E402

from mmringmoe.models.utils import meta_device  # noqa: E402
from mmringmoe.utils.threads import configure_threads  # noqa: E402

TOOL = 'trainable_params.py'


def part_name(parameter: str) -> str:
    """The part a parameter belongs to: its top-level module, ``backbone.adapters`` for Convpass's."""
    parts = parameter.split('.')
    if parts[:2] == ['backbone', 'adapters']:
        return 'backbone.adapters'
    return parts[0] if len(parts) > 1 else '(model)'


def count_by_part(model: nn.Module) -> Dict[str, Tuple[int, int]]:
    """``{part: (trainable, total)}`` in the order the parts appear."""
    counts = defaultdict(lambda: [0, 0])
    for name, param in model.named_parameters():
        entry = counts[part_name(name)]
        entry[0] += param.numel() if param.requires_grad else 0
        entry[1] += param.numel()
    return {part: (trainable, total) for part, (trainable, total) in counts.items()}


def build_on_meta(cfg: Config) -> nn.Module:
    """The config's model on the meta device, in training mode."""
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmringmoe')), meta_device():
        return MODELS.build(cfg.model).train()


def report(counts: Dict[str, Tuple[int, int]]) -> str:
    width = max(len(part) for part in list(counts) + ['part'])
    lines = [f'{"part":<{width}}  {"trainable":>15}  {"total":>15}']
    lines += [
        f'{part:<{width}}  {trainable:>15,}  {total:>15,}' for part, (trainable, total) in counts.items()
    ]
    trainable = sum(t for t, _ in counts.values())
    total = sum(n for _, n in counts.values())
    lines.append(f'trainable: {trainable / 1e6:.2f}M of {total / 1e6:.2f}M parameters '
                 f'({100.0 * trainable / total:.2f}%)')
    return '\n'.join(lines)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='a config file')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override settings, key=value')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    configure_threads()
    args = parse_args(argv)
    if not osp.isfile(args.config):
        sys.exit(f'{TOOL}: config not found: {args.config}')
    try:
        cfg = Config.fromfile(args.config)
        if args.cfg_options:
            cfg.merge_from_dict(args.cfg_options)
        model = build_on_meta(cfg)
    except Exception as err:  # mmengine and the toolkits raise many kinds
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else ''
        sys.exit(f'{TOOL}: cannot build the model of {args.config}: {type(err).__name__}: {first_line}')
    print(report(count_by_part(model)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
