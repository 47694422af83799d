"""Sparse upcycling: turn an mmpretrain SwinTransformerV2 checkpoint into a RingMoE checkpoint.

    python tools/model_converters/upcycle_swinv2.py swinv2_base.pth ringmoe_base_upcycled.pth --arch base

Every expert starts as a copy of its block's dense FFN, routers start fresh, the dense patch embedding
becomes ``--modality``'s (the other modalities' start fresh). Load the result with
``init_cfg=dict(type='Pretrained', checkpoint=DST)`` on a ``mmringmoe.RingMoE`` of the same arch/layout.
"""
import argparse
import os.path as osp
import sys

from tqdm import tqdm

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import mmringmoe  # noqa: E402,F401
from mmringmoe.models.backbones.arch_zoo import DEFAULT_MODALITIES, RINGMOE_ARCH_ZOO  # noqa: E402
from mmringmoe.models.utils import upcycle_swinv2_state_dict  # noqa: E402
from mmringmoe.utils.atomic_io import OutputWriteError, atomic_torch_save, prepare_output_folder  # noqa: E402
from mmringmoe.utils.checkpoint_files import read_checkpoint, state_dict_of, strip_prefix  # noqa: E402


def load_backbone_state(path: str) -> dict:
    """The backbone state dict of a checkpoint (``state_dict``/``backbone.`` wrappers removed)."""
    return strip_prefix(state_dict_of(read_checkpoint(path), path), 'backbone.')


def check_arch(state: dict, arch: str) -> None:
    """Raise ValueError unless ``state`` is a SwinV2 of ``arch``'s width and depths."""
    settings = RINGMOE_ARCH_ZOO[arch]
    projection = state.get('patch_embed.projection.weight')
    if projection is None:
        raise ValueError('not a SwinV2 checkpoint: no patch_embed.projection.weight')
    if projection.shape[0] != settings['embed_dims']:
        raise ValueError(f'checkpoint embed dims {projection.shape[0]} != arch {arch!r} '
                         f'({settings["embed_dims"]})')
    for stage, depth in enumerate(settings['depths']):
        found = {k.split('.')[3] for k in state if k.startswith(f'stages.{stage}.blocks.')}
        if len(found) != depth:
            raise ValueError(f'checkpoint stage {stage} has {len(found)} blocks, arch {arch!r} has {depth}')


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('src', help='mmpretrain SwinTransformerV2 checkpoint (whole model or backbone)')
    parser.add_argument('dst', help='RingMoE checkpoint to write (must not exist; its folder is created)')
    parser.add_argument('--arch', required=True, choices=sorted(RINGMOE_ARCH_ZOO))
    parser.add_argument('--modality', default='opt', help='the modality that takes the dense patch embedding')
    parser.add_argument('--modalities', nargs='+', default=list(DEFAULT_MODALITIES),
                        choices=sorted(DEFAULT_MODALITIES))
    parser.add_argument('--num-specialized', type=int, default=4)
    parser.add_argument('--num-collaborative', type=int, default=4)
    parser.add_argument('--no-noise', action='store_true', help='target routers without noise projection')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    if not osp.isfile(args.src):
        parser.error(f'source checkpoint not found: {args.src}')
    if osp.exists(args.dst):
        parser.error(f'{args.dst} exists; refusing to overwrite it')
    if args.modality not in args.modalities:
        parser.error(f'--modality {args.modality} is not among --modalities {args.modalities}')
    try:
        prepare_output_folder(osp.dirname(osp.abspath(args.dst)))
    except OutputWriteError as err:
        sys.exit(f'upcycle_swinv2: {err}')
    try:
        dense = load_backbone_state(args.src)
        check_arch(dense, args.arch)
        with tqdm(total=1, desc='upcycling') as bar:
            state = upcycle_swinv2_state_dict(
                dense, {m: DEFAULT_MODALITIES[m] for m in args.modalities}, args.modality,
                args.num_specialized, args.num_collaborative, not args.no_noise, args.seed)
            bar.update()
    except (ValueError, RuntimeError) as err:
        parser.error(str(err) if str(err).startswith(args.src) else f'{args.src}: {err}')
    before = sum(v.numel() for v in dense.values())
    after = sum(v.numel() for v in state.values())
    meta = dict(upcycled_from=osp.basename(args.src), arch=args.arch, modalities=args.modalities)
    try:
        atomic_torch_save({'state_dict': state, 'meta': meta}, args.dst)
    except OutputWriteError as err:
        sys.exit(f'upcycle_swinv2: {err}')
    print(f'upcycled {args.src} ({before:,} parameters) -> {args.dst} ({after:,} parameters)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
