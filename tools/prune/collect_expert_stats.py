"""Routing statistics of a pretrained RingMoE: how often tokens of each modality choose each expert (Eq. 15).

    python tools/prune/collect_expert_stats.py CONFIG CKPT --modality opt --data data/ringmoss \\
        --out work_dirs/stats.json --plot work_dirs/stats.png

CONFIG is the pretraining config (its ``model.backbone`` and ``model.data_preprocessor`` statistics), CKPT
a checkpoint of it (or of a decomposed sub-model). ``--data DIR`` holds ``DIR/<modality>/`` tile folders
(the layout of tools/dataset_converters/make_pretrain_tiles.py; ``<modality>.txt`` lists are used when
present); ``--data MODALITY=DIR`` names one folder. Tiles are resized to the config's ``img_size`` and
normalised with the config's per-modality statistics; the model runs in eval mode (no router noise).

Writes, per RMoE layer, the collaborative and specialized expert counts and frequencies of each modality
as JSON (the input of tools/prune/prune_experts.py), and with ``--plot`` a heatmap per stage (PNG).
Memory: the sub-model of the requested modalities (``--device cuda`` to run on a GPU).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import mmringmoe  # noqa: E402,F401  (shims, registry)
from mmringmoe.pruning import open_source, plot_expert_stats, save_expert_stats  # noqa: E402
from mmringmoe.pruning.pipeline import check_new_paths, collect_stats, load_config  # noqa: E402
from mmringmoe.utils.atomic_io import OutputWriteError  # noqa: E402
from mmringmoe.utils.threads import configure_threads  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='pretraining config (model.backbone, model.data_preprocessor)')
    parser.add_argument('checkpoint', help='RingMoE checkpoint of that config')
    parser.add_argument('--modality', action='append', required=True, help='a modality to run (repeatable)')
    parser.add_argument('--data',
                        action='append',
                        required=True,
                        help='DIR with <modality>/ tile folders, or MODALITY=DIR (repeatable)')
    parser.add_argument('--out',
                        required=True,
                        help='statistics JSON to write (must not exist; its folder is created)')
    parser.add_argument('--plot', help='also draw the heatmaps into this PNG (must not exist)')
    parser.add_argument('--img-size', type=int, help="input size (default: the backbone's img_size)")
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--max-images', type=int, help='at most this many tiles per modality')
    parser.add_argument('--device', default='cpu', help='cpu, cuda, cuda:1 ...')
    return parser, parser.parse_args(argv)


def main(argv=None) -> int:
    configure_threads()
    parser, args = parse_args(argv)
    if args.batch_size < 1 or (args.max_images is not None and args.max_images < 1):
        parser.error('--batch-size and --max-images must be positive')
    try:
        check_new_paths([args.out, args.plot])
        cfg = load_config(args.config)
        source = open_source(args.checkpoint, cfg.model.backbone, args.config)
        stats = collect_stats(cfg, args.config, source, args.checkpoint, args.modality, args.data,
                              args.img_size, args.batch_size, args.max_images, args.device)
        save_expert_stats(stats, args.out)
        print(f'expert statistics of {len(stats["layers"])} RMoE layers, {stats["images"]} images: '
              f'{args.out}')
        if args.plot:
            plot_expert_stats(stats,
                              args.plot,
                              title=f'{osp.basename(args.checkpoint)}: expert activation frequency')
            print(f'heatmaps: {args.plot}')
    except (ValueError, FileExistsError, OutputWriteError) as err:
        sys.exit(f'collect_expert_stats: {err}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
