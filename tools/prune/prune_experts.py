"""Sparse expert pruning, RingMoE-EP (paper Sec. 3.4.1, App. B.4.1, Eq. 15-16, Table A1).

    python tools/prune/prune_experts.py CONFIG CKPT --stats stats.json --modality opt --out ringmoe-ep-opt.pth

With the routing statistics of tools/prune/collect_expert_stats.py, keeps per RMoE layer the collaborative
experts whose frequency for the modality is at or above the 75th percentile of the layer's frequencies
(``--policy top25``, the paper's choice), or the 50th / 25th percentile (``top50``, ``top75``), or a fixed
threshold (``--policy fixed --threshold 0.1``): Table A1. Several ``--modality`` keep the union over
modalities. The result is the sub-model of those modalities (as tools/prune/extract_modality.py) with only
the kept collaborative experts and the matching router rows; specialized and shared experts are untouched.
Load it with ``dict(type='mmringmoe.RingMoE-EP', num_collaborative_experts=[...], ...)`` (printed, and in
the checkpoint's ``meta['mmringmoe']['backbone']``). Streams as extract_modality.py does.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import mmringmoe  # noqa: E402,F401  (shims, registry)
from mmringmoe.pruning import (
    POLICIES,
    check_stats_layers,
    load_expert_stats,
    open_source,  # noqa: E402
    plan_expert_pruning,
    select_collaborative_experts,
    stats_frequencies)
from mmringmoe.pruning.expert_pruning import DEFAULT_THRESHOLD  # noqa: E402
from mmringmoe.pruning.pipeline import (check_new_paths, checkpoint_meta, load_config,  # noqa: E402
                                        write_conversion)
from mmringmoe.utils.atomic_io import OutputWriteError  # noqa: E402
from mmringmoe.utils.threads import configure_threads  # noqa: E402


def main(argv=None) -> int:
    configure_threads()
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='pretraining config (its model.backbone)')
    parser.add_argument('checkpoint', help='RingMoE checkpoint of that config (or a decomposed sub-model)')
    parser.add_argument('--stats', required=True, help='statistics JSON of collect_expert_stats.py')
    parser.add_argument('--modality', action='append', required=True, help='a modality to keep (repeatable)')
    parser.add_argument('--policy',
                        default='top25',
                        choices=POLICIES,
                        help='Table A1 strategy (default top25)')
    parser.add_argument('--threshold',
                        type=float,
                        default=DEFAULT_THRESHOLD,
                        help=f'phi of --policy fixed (default {DEFAULT_THRESHOLD})')
    parser.add_argument('--out',
                        required=True,
                        help='checkpoint to write (must not exist; its folder is created)')
    args = parser.parse_args(argv)
    try:
        check_new_paths([args.out])
        cfg = load_config(args.config)
        source = open_source(args.checkpoint, cfg.model.backbone, args.config)
        source.check_modalities(args.modality)
        stats = load_expert_stats(args.stats)
        check_stats_layers(stats, source.layout, args.stats, args.checkpoint)
        missing = [m for m in args.modality if m not in stats['modalities']]
        if missing:
            raise ValueError(f'{args.stats} has no statistics for {missing} (it has {stats["modalities"]})')
        keep = select_collaborative_experts(stats_frequencies(stats), args.modality, args.policy,
                                            args.threshold)
        conversion = plan_expert_pruning(source, args.modality, keep)
        meta = checkpoint_meta(conversion,
                               source,
                               args.checkpoint,
                               args.config,
                               policy=args.policy,
                               threshold=args.threshold if args.policy == 'fixed' else None,
                               stats=osp.basename(args.stats))
        report = write_conversion(conversion, args.out, meta, source)
    except (ValueError, FileExistsError, OutputWriteError) as err:
        sys.exit(f'prune_experts: {err}')
    print(report)
    print(f'kept collaborative experts per layer: {keep}')
    print(f'backbone: {conversion.backbone}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
