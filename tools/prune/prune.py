"""One-line compression of a pretrained RingMoE (paper Sec. 3.4): statistics, decomposition, pruning/merging.

    python tools/prune/prune.py CONFIG CKPT --modality opt --to ep --data data/ringmoss --out work_dirs/ep_opt
    python tools/prune/prune.py CONFIG CKPT --modality opt --to kc --out work_dirs/kc_opt

``--to ep`` (RingMoE-EP, Eq. 15-16): collects the routing statistics of the modalities' tiles (``--data``,
as tools/prune/collect_expert_stats.py; or reuse a file with ``--stats``), keeps the collaborative experts of
``--policy`` (default top25: at or above the 75th percentile; several ``--modality``: the union) in the
modalities' sub-model. ``--to ks|ka|kc`` (Eq. 17-20): merges every expert of the modality's sub-model into
one FFN per block (no statistics needed: every expert is merged). See tools/prune/prune_experts.py and
tools/prune/merge_experts.py for the details.

OUT (a new folder, created complete or not at all; its parent folders are created if missing) receives:
  ringmoe-<to>_<modalities>.pth   the backbone checkpoint
  backbone.py                     ``backbone = dict(type='mmringmoe.RingMoE-EP' / 'mmringmoe.RingMoE-KC', ...,
                                  init_cfg=dict(type='Pretrained', checkpoint=<that file>))``
  expert_stats.json (+ .png)      --to ep: the statistics used (and their heatmaps with --plot)
"""
import argparse
import os.path as osp
import shutil
import sys
import tempfile

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import mmringmoe  # noqa: E402,F401  (shims, registry)
from mmringmoe.pruning import (
    POLICIES,
    check_stats_layers,
    load_expert_stats,
    open_source,  # noqa: E402
    plan_expert_pruning,
    plan_merging,
    plot_expert_stats,
    save_expert_stats,
    select_collaborative_experts,
    stats_frequencies)
from mmringmoe.pruning.expert_pruning import DEFAULT_THRESHOLD  # noqa: E402
from mmringmoe.pruning.pipeline import (  # noqa: E402
    backbone_snippet, checkpoint_meta, collect_stats, load_config, write_conversion)
from mmringmoe.utils.atomic_io import (OutputWriteError, atomic_write_text, output_errors,  # noqa: E402
                                       prepare_output_folder, publish)
from mmringmoe.utils.threads import configure_threads  # noqa: E402

TARGETS = ('ep', 'ks', 'ka', 'kc')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='pretraining config (model.backbone, model.data_preprocessor)')
    parser.add_argument('checkpoint', help='RingMoE checkpoint of that config')
    parser.add_argument('--modality',
                        action='append',
                        required=True,
                        help='modality of the result (repeatable for --to ep)')
    parser.add_argument('--to', required=True, choices=TARGETS, help='ep: expert pruning; ks/ka/kc: merging')
    parser.add_argument('--out', required=True, help='output folder (must not exist; parents are created)')
    ep = parser.add_argument_group('--to ep')
    ep.add_argument('--data', action='append', help='DIR with <modality>/ tile folders, or MODALITY=DIR')
    ep.add_argument('--stats', help='use this statistics JSON instead of collecting them')
    ep.add_argument('--policy', default='top25', choices=POLICIES, help='Table A1 strategy (default top25)')
    ep.add_argument('--threshold', type=float, default=DEFAULT_THRESHOLD, help='phi of --policy fixed')
    ep.add_argument('--plot', action='store_true', help='also draw the statistics (expert_stats.png)')
    ep.add_argument('--img-size', type=int, help="input size (default: the backbone's img_size)")
    ep.add_argument('--batch-size', type=int, default=8)
    ep.add_argument('--max-images', type=int, help='at most this many tiles per modality')
    ep.add_argument('--device', default='cpu')
    kc = parser.add_argument_group('--to kc')
    kc.add_argument('--rank-fraction', type=float, help='singular values kept per expert / min(h, d)')
    args = parser.parse_args(argv)
    if args.to == 'ep':
        if bool(args.data) == bool(args.stats):
            parser.error('--to ep needs either --data (to collect statistics) or --stats')
        if args.rank_fraction is not None:
            parser.error('--rank-fraction applies to --to kc only')
    else:
        if args.data or args.stats or args.plot:
            parser.error(f'--data/--stats/--plot are for --to ep; --to {args.to} merges every expert')
        if len(args.modality) != 1:
            parser.error(f'--to {args.to} makes a single-modality dense model: give one --modality')
        if args.rank_fraction is not None and (args.to != 'kc' or not 0 < args.rank_fraction <= 1):
            parser.error('--rank-fraction applies to --to kc only and must lie in (0, 1]')
    return parser, args


def main(argv=None) -> int:
    configure_threads()
    parser, args = parse_args(argv)
    out = osp.abspath(args.out)
    name = f'ringmoe-{args.to}_{"+".join(args.modality)}.pth'
    stats = None
    try:
        if osp.exists(out):
            raise ValueError(f'{args.out} exists; refusing to overwrite it')
        cfg = load_config(args.config)
        source = open_source(args.checkpoint, cfg.model.backbone, args.config)
        source.check_modalities(args.modality)
        prepare_output_folder(osp.dirname(out))  # created if missing, as train.py does; writable?
        if args.to == 'ep':
            if args.stats:
                stats = load_expert_stats(args.stats)
                check_stats_layers(stats, source.layout, args.stats, args.checkpoint)
                missing = [m for m in args.modality if m not in stats['modalities']]
                if missing:
                    raise ValueError(
                        f'{args.stats} has no statistics for {missing} (it has {stats["modalities"]})')
            else:
                print(f'1/2 routing statistics of {args.modality}')
                stats = collect_stats(cfg, args.config, source, args.checkpoint, args.modality, args.data,
                                      args.img_size, args.batch_size, args.max_images, args.device)
            keep = select_collaborative_experts(stats_frequencies(stats), args.modality, args.policy,
                                                args.threshold)
            conversion = plan_expert_pruning(source, args.modality, keep)
            meta = checkpoint_meta(conversion,
                                   source,
                                   args.checkpoint,
                                   args.config,
                                   policy=args.policy,
                                   threshold=args.threshold if args.policy == 'fixed' else None)
            comment = (
                f'{conversion.name} ({"+".join(args.modality)}, policy {args.policy}) of {args.checkpoint}\n'
                f'kept collaborative experts per block: {keep}')
        else:
            conversion = plan_merging(source, args.modality[0], args.to, args.rank_fraction)
            meta = checkpoint_meta(conversion, source, args.checkpoint, args.config)
            rank = '' if args.to != 'kc' else (
                f', rank fraction {args.rank_fraction}' if args.rank_fraction else
                ', K = d2 / N (the full rank here)' if conversion.info['full_rank'] else ', K = d2 / N')
            comment = f'{conversion.name} ({args.modality[0]}{rank}) of {args.checkpoint}'
    except (ValueError, FileExistsError, OutputWriteError) as err:
        sys.exit(f'prune: {err}')

    comment += ('\nwritten by tools/prune/prune.py; use: _base_ = [this file], '
                'model = dict(backbone={{_base_.backbone}})')
    try:
        with output_errors(osp.dirname(out)):
            work = tempfile.mkdtemp(prefix=f'.{osp.basename(out)}.', dir=osp.dirname(out))
    except OutputWriteError as err:
        sys.exit(f'prune: {err}')
    try:
        if stats is not None:
            save_expert_stats(stats, osp.join(work, 'expert_stats.json'))
            if args.plot:
                plot_expert_stats(stats, osp.join(work, 'expert_stats.png'), keep=keep)
        print(('2/2 ' if args.to == 'ep' and not args.stats else '') + f'writing {conversion.name}')
        report = write_conversion(conversion, osp.join(work, name), meta, source)
        with output_errors(work):
            atomic_write_text(osp.join(work, 'backbone.py'),
                              backbone_snippet(conversion, osp.join(out, name), comment))
            publish(work, out)
    except OutputWriteError as err:  # the temporary folder in OUT's folder: name OUT
        shutil.rmtree(work, ignore_errors=True)
        sys.exit(f'prune: cannot write to {args.out}: {err.strerror}')
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    print(report.replace(osp.join(work, name), osp.join(out, name)))
    print(f'backbone config: {osp.join(out, "backbone.py")}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
