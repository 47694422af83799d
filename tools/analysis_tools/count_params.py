"""Count the parameters of a RingMoE variant without allocating it (built on the ``meta`` device).

    python tools/analysis_tools/count_params.py --arch 1b --variant full
    python tools/analysis_tools/count_params.py --arch 1b --variant ep --modality opt

Variants (paper Sec. 3.4, Table A1): ``full`` the 4-modality MoE (paper: 14.7B); ``modality`` one
modality's sub-model, RingMoE-Opt etc. (6.5B); ``ep`` that sub-model after top-25% collaborative expert
pruning, one collaborative expert kept per layer (4.3B); ``dense`` the KS/KA/KC merged backbone (1B).
"""
import argparse
import sys

import mmringmoe  # noqa: F401  (shims, registry)
from mmringmoe.models.backbones import RingMoE, RingMoEKC
from mmringmoe.models.backbones.arch_zoo import DEFAULT_MODALITIES, RINGMOE_ARCH_ZOO
from mmringmoe.models.utils import count_parameters, meta_device
from mmringmoe.utils.threads import configure_threads

PAPER_BILLIONS = {'full': 14.7, 'modality': 6.5, 'ep': 4.3, 'dense': 1.0}


def build_variant(arch: str, variant: str, modality: str, keep_collaborative: int = 1):
    """The backbone of ``variant`` on the meta device."""
    with meta_device():
        if variant == 'full':
            return RingMoE(arch=arch, modalities=list(DEFAULT_MODALITIES))
        if variant == 'modality':
            return RingMoE(arch=arch, modalities=[modality])
        if variant == 'ep':
            return RingMoE(arch=arch, modalities=[modality], num_collaborative_experts=keep_collaborative)
        if variant == 'dense':
            return RingMoEKC(arch=arch, modality=modality)
    raise ValueError(f'unknown variant {variant!r}')


def main(argv=None) -> int:
    configure_threads()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--arch', default='1b', choices=sorted(RINGMOE_ARCH_ZOO))
    parser.add_argument('--variant', default='full', choices=sorted(PAPER_BILLIONS))
    parser.add_argument('--modality', default='opt', choices=sorted(DEFAULT_MODALITIES),
                        help='the sub-model for modality/ep/dense (default: opt)')
    args = parser.parse_args(argv)
    model = build_variant(args.arch, args.variant, args.modality)
    count = count_parameters(model)
    line = f'{args.arch} {args.variant} ({args.modality}): {count:,} parameters = {count / 1e9:.3f}B'
    if args.arch == '1b':
        paper = PAPER_BILLIONS[args.variant]
        line += f' (paper: {paper}B, {100 * (count / 1e9 - paper) / paper:+.1f}%)'
    print(line)
    return 0


if __name__ == '__main__':
    sys.exit(main())
