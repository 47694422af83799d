"""Dense expert integration: RingMoE-KS / -KA / -KC (paper Sec. 3.4.2, App. B.4.2, Eq. 17-20).

    python tools/prune/merge_experts.py CONFIG CKPT --modality opt --method kc --out ringmoe-kc-opt.pth

Merges every RMoE layer of the modality's sub-model into one FFN: ``ks`` sums the weights of all experts
(the modality's specialized experts, the collaborative experts, the shared expert; Eq. 17), ``ka`` averages
them, ``kc`` sums rank-K truncated SVDs of the specialized and of the collaborative experts and adds the
shared expert (Eq. 18-20). Biases: summed for ks/kc, averaged for ka (the paper is silent). The routers are
dropped. The result is a plain SwinV2 backbone: ``dict(type='mmringmoe.RingMoE-KC', modality='opt', ...)``
or mmpretrain's ``SwinTransformerV2`` (same keys) load it.

KC's rank: by default the paper's K = d2 / N (hidden width over the number of experts). With mlp_ratio 4
and N = 4 experts that is the full rank of each expert matrix, so KC equals KS up to float error;
``--rank-fraction F`` keeps ``round(F * min(h, d))`` singular values per expert for real low-rank merging.
Streams: one expert matrix (and its SVD) in memory at a time.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import mmringmoe  # noqa: E402,F401  (shims, registry)
from mmringmoe.pruning import open_source, plan_merging  # noqa: E402
from mmringmoe.pruning.merging import METHODS  # noqa: E402
from mmringmoe.pruning.pipeline import (check_new_paths, checkpoint_meta, load_config,  # noqa: E402
                                        write_conversion)
from mmringmoe.utils.atomic_io import OutputWriteError  # noqa: E402
from mmringmoe.utils.threads import configure_threads  # noqa: E402


def main(argv=None) -> int:
    configure_threads()
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='pretraining config (its model.backbone)')
    parser.add_argument('checkpoint', help='RingMoE checkpoint of that config (or a sub-model / EP model)')
    parser.add_argument('--modality', required=True, help='the modality of the dense model')
    parser.add_argument('--method', required=True, choices=METHODS)
    parser.add_argument(
        '--rank-fraction',
        type=float,
        help='kc: singular values kept per expert, as a fraction of min(h, d) (default: K = h / N)')
    parser.add_argument('--out',
                        required=True,
                        help='checkpoint to write (must not exist; its folder is created)')
    args = parser.parse_args(argv)
    if args.rank_fraction is not None and args.method != 'kc':
        parser.error('--rank-fraction applies to --method kc only')
    if args.rank_fraction is not None and not 0 < args.rank_fraction <= 1:
        parser.error('--rank-fraction must lie in (0, 1]')
    try:
        check_new_paths([args.out])
        cfg = load_config(args.config)
        source = open_source(args.checkpoint, cfg.model.backbone, args.config)
        conversion = plan_merging(source, args.modality, args.method, args.rank_fraction)
        if conversion.info.get('full_rank'):
            print('note: every KC rank is the full rank of its expert matrices, so KC equals KS up to float '
                  'error (use --rank-fraction for low-rank merging)')
        report = write_conversion(conversion, args.out,
                                  checkpoint_meta(conversion, source, args.checkpoint, args.config), source)
    except (ValueError, FileExistsError, OutputWriteError) as err:
        sys.exit(f'merge_experts: {err}')
    print(report)
    print(f'backbone: {conversion.backbone}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
