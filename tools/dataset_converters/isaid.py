"""Cut the official iSAID release into the 896 x 896 patches of mmseg's layout, with mmseg's own converter.

    python tools/dataset_converters/isaid.py /path/to/iSAID -o data/iSAID

Reads the release as downloaded (captain-whu.github.io/iSAID)::

    iSAID/{train,val,test}/images/*.zip          # part1.zip, ... holding images/P0000.png
    iSAID/{train,val}/Semantic_masks/*.zip       # holding images/P0000_instance_color_RGB.png

and writes ``img_dir/{train,val,test}`` and ``ann_dir/{train,val}`` (colour masks re-encoded as class
indices) under OUT, the layout ``mmringmoe.ISAIDDataset`` (mmseg's ``iSAIDDataset``) reads. The work is
done by mmseg's ``tools/dataset_converters/isaid.py``, shipped inside the mmsegmentation package; this
script checks the release first and forwards its arguments, with one fix: mmseg 1.2.2 saves each label
patch as ``Image.fromarray(patch, mode='P')`` without a palette, which Pillow >= 10 writes as a 1-bit PNG
(every class above 1 becomes 1); the converter is handed a PIL whose ``fromarray`` ignores that mode, so
label patches are 8-bit grey PNGs of the class indices.
"""
import argparse
import importlib.util
import os.path as osp
import sys
import types

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout

import mmringmoe  # noqa: E402,F401  (import shims)
import mmseg  # noqa: E402
from PIL import Image  # noqa: E402


def mmseg_converter(name: str) -> str:
    """Path of mmseg's bundled ``tools/dataset_converters/<name>.py``."""
    path = osp.join(osp.dirname(mmseg.__file__), '.mim', 'tools', 'dataset_converters', f'{name}.py')
    if not osp.isfile(path):
        sys.exit(f'{name}: mmseg\'s converter is not installed at {path} (reinstall mmsegmentation)')
    return path


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('dataset_path', help='folder of the iSAID release (with train/, val/, test/)')
    parser.add_argument('-o', '--out_dir', default='data/iSAID', help='output folder (default: data/iSAID)')
    parser.add_argument('--tmp_dir', help='where to extract the archives (default: the system temp dir)')
    parser.add_argument('--patch_width', type=int, default=896, help='patch width (default: 896)')
    parser.add_argument('--patch_height', type=int, default=896, help='patch height (default: 896)')
    parser.add_argument('--overlap_area', type=int, default=384, help='patch overlap (default: 384)')
    args = parser.parse_args(argv)
    for split in ('train', 'val', 'test'):
        if not osp.isdir(osp.join(args.dataset_path, split, 'images')):
            parser.error(f'{args.dataset_path} is not the iSAID release: {split}/images/ is missing')
    for split in ('train', 'val'):
        if not osp.isdir(osp.join(args.dataset_path, split, 'Semantic_masks')):
            parser.error(f'{args.dataset_path} is not the iSAID release: {split}/Semantic_masks/ is missing')
    if args.patch_width != args.patch_height:
        parser.error('mmseg\'s iSAID converter needs square patches (patch_width == patch_height)')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    converter = mmseg_converter('isaid')
    forwarded = [
        args.dataset_path, '-o', args.out_dir, '--patch_width',
        str(args.patch_width), '--patch_height',
        str(args.patch_height), '--overlap_area',
        str(args.overlap_area)
    ]
    if args.tmp_dir:
        forwarded += ['--tmp_dir', args.tmp_dir]
    spec = importlib.util.spec_from_file_location('mmseg_isaid_converter', converter)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.Image = types.SimpleNamespace(
        open=Image.open, fromarray=lambda obj, mode=None: Image.fromarray(obj))
    saved_argv = sys.argv
    sys.argv = [converter] + forwarded
    try:
        module.main()
    finally:
        sys.argv = saved_argv
    return 0


if __name__ == '__main__':
    sys.exit(main())
