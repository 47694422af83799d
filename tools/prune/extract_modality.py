"""Decompose a pretrained RingMoE into a single-modality (or few-modality) model (paper Sec. 3.4).

    python tools/prune/extract_modality.py CONFIG CKPT --modality opt --out ringmoe-opt.pth

Keeps that modality's patch embedding, specialized experts and router, every collaborative expert and the
collaborative router, the shared expert and all attention / norm / patch-merging weights (RingMoE-Opt,
-MS, -SAR_L1, -SAR_L2; repeat ``--modality`` for a multi-modal sub-model). The other modalities, the SimMIM
mask token and the pretraining decoders (``neck.`` / ``head.``) are dropped. The result is a RingMoE
backbone checkpoint: ``dict(type='mmringmoe.RingMoE', modalities=['opt'], ...)`` loads it (the printed
and stored ``meta['mmringmoe']['backbone']`` give the arguments).

Streams: the checkpoint is read tensor by tensor and the output written tensor by tensor (to a temporary
file, then renamed), so memory stays at one tensor whatever the checkpoint size.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import mmringmoe  # noqa: E402,F401  (shims, registry)
from mmringmoe.pruning import open_source, plan_decomposition  # noqa: E402
from mmringmoe.pruning.pipeline import (check_new_paths, checkpoint_meta, load_config,  # noqa: E402
                                        write_conversion)
from mmringmoe.utils.atomic_io import OutputWriteError  # noqa: E402
from mmringmoe.utils.threads import configure_threads  # noqa: E402


def main(argv=None) -> int:
    configure_threads()
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='pretraining config (its model.backbone)')
    parser.add_argument('checkpoint', help='RingMoE checkpoint of that config')
    parser.add_argument('--modality', action='append', required=True, help='a modality to keep (repeatable)')
    parser.add_argument('--out',
                        required=True,
                        help='checkpoint to write (must not exist; its folder is created)')
    args = parser.parse_args(argv)
    try:
        check_new_paths([args.out])
        cfg = load_config(args.config)
        source = open_source(args.checkpoint, cfg.model.backbone, args.config)
        conversion = plan_decomposition(source, args.modality)
        report = write_conversion(conversion, args.out,
                                  checkpoint_meta(conversion, source, args.checkpoint, args.config), source)
    except (ValueError, FileExistsError, OutputWriteError) as err:
        sys.exit(f'extract_modality: {err}')
    print(report)
    print(f'backbone: {conversion.backbone}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
