"""Cut the official iSAID release into the 896 x 896 patches of mmseg's layout, with mmseg's own cropping.

    python tools/dataset_converters/isaid.py /path/to/iSAID -o data/iSAID

Reads the release as downloaded (captain-whu.github.io/iSAID) or already unpacked, split by split::

    iSAID/{train,val,test}/images/*.zip          # part1.zip, ... holding images/P0000.png
    iSAID/{train,val}/Semantic_masks/*.zip       # holding images/P0000_instance_color_RGB.png
    iSAID/train/images/P0000.png                 # or unpacked: the PNGs anywhere under images/ and
    iSAID/train/Semantic_masks/images/P0000_instance_color_RGB.png    # Semantic_masks/

and writes under OUT the layout ``mmringmoe.ISAIDDataset`` (mmseg's ``iSAIDDataset``) reads::

    img_dir/{train,val}/P0000_<y0>_<y1>_<x0>_<x1>.png                        # image patches
    ann_dir/{train,val}/P0000_<y0>_<y1>_<x0>_<x1>_instance_color_RGB.png     # class indices 0-15
    img_dir/test/P0000.png                                                   # test images, whole

Each image and its colour mask are cut by mmseg's ``slide_crop_image`` / ``slide_crop_label`` (from
``tools/dataset_converters/isaid.py`` shipped inside the mmsegmentation package); as in mmseg's converter the
test images, which have no labels, are copied whole, not cut (image patches are BMP files named ``.png``,
as mmseg writes them). Two fixes, through the ``Image.fromarray`` its cropping functions are handed: mmseg
1.2.2 saves each label patch as ``Image.fromarray(patch, mode='P')`` without a palette, which Pillow >= 10
writes as a 1-bit PNG (every class above 1 becomes 1), so that mode is ignored and label patches are 8-bit
grey PNGs of the class indices; and each patch is encoded in memory and written by Python, which reports a
full disk (Pillow's own writer can leave a file cut short without an error).

A split without images, or a train/val image without its mask, stops the tool with a line saying what it
looked for and where. The patches of each image are written into a hidden staging folder under OUT and
renamed into place once complete; a failed write (full disk, read-only folder) stops the tool with a line
naming OUT and leaves no partial file. A rerun converts everything again.
"""
import argparse
import errno
import glob
import importlib.util
import os
import os.path as osp
import shutil
import sys
import tempfile
import types
import zipfile
from contextlib import contextmanager
from typing import Iterator, List, Optional

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout

import cv2  # noqa: E402
import mmseg  # noqa: E402
from PIL import Image  # noqa: E402
from tqdm import tqdm  # noqa: E402

import mmringmoe  # noqa: E402,F401  (import shims)
from mmringmoe.utils.atomic_io import (OutputWriteError, image_bytes, output_errors,  # noqa: E402
                                       publish_tree, staging_folder)

SPLITS = ('train', 'val', 'test')
LABELLED_SPLITS = ('train', 'val')
LABEL_SUFFIX = '_instance_color_RGB.png'
# errno of an OSError that means the output could not be written (not that an input could not be read)
WRITE_FAILURES = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG, errno.EACCES, errno.EPERM})


class ConversionError(Exception):
    """Bad input; the message is one line naming what was looked for, or the file."""


def mmseg_converter(name: str) -> str:
    """Path of mmseg's bundled ``tools/dataset_converters/<name>.py``."""
    path = osp.join(osp.dirname(mmseg.__file__), '.mim', 'tools', 'dataset_converters', f'{name}.py')
    if not osp.isfile(path):
        sys.exit(f'{name}: mmseg\'s converter is not installed at {path} (reinstall mmsegmentation)')
    return path


class FullySavedImage:
    """What mmseg's cropping functions get from ``Image.fromarray``: an image whose ``save`` writes the
    encoded file with Python's I/O, which reports a full disk (Pillow's own file writer ignores a short
    write and can leave a patch cut short, see ``mmringmoe.utils.atomic_io.image_bytes``). ``mode`` is
    ignored: label patches become 8-bit index PNGs (see the module docstring)."""

    def __init__(self, obj, mode: Optional[str] = None) -> None:
        self.image = Image.fromarray(obj)

    def save(self, path: str, format: Optional[str] = None) -> None:
        data = image_bytes(self.image, format or Image.registered_extensions()[osp.splitext(path)[1].lower()])
        with open(path, 'wb') as f:
            f.write(data)


def load_mmseg_isaid() -> types.ModuleType:
    """mmseg's iSAID converter module, its patches made by :class:`FullySavedImage`."""
    spec = importlib.util.spec_from_file_location('mmseg_isaid_converter', mmseg_converter('isaid'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.Image = types.SimpleNamespace(open=Image.open, fromarray=FullySavedImage)
    return module


@contextmanager
def conversion_errors(source: str, out_dir: str) -> Iterator[None]:
    """Turn what mmseg's code (or unpacking) raises while converting ``source`` into one line: a failed
    write into :class:`OutputWriteError` naming ``out_dir``, anything else into :class:`ConversionError`
    naming ``source``."""
    try:
        yield
    except OutputWriteError:
        raise
    except OSError as err:
        if err.errno in WRITE_FAILURES and err.filename != source:
            raise OutputWriteError(out_dir, err) from None
        raise ConversionError(f'{source} cannot be converted ({err})') from None
    except (ValueError, cv2.error, zipfile.BadZipFile) as err:
        raise ConversionError(f'{source} cannot be converted ({str(err).strip()})') from None


def release_files(folder: str, pattern: str, scratch: str) -> List[str]:
    """The files named ``pattern`` of a release folder: those in its ``*.zip`` archives (unpacked into
    ``scratch``) and those lying unpacked anywhere under it; one per file name, the unpacked one preferred."""
    found = {}
    for archive in sorted(glob.glob(osp.join(glob.escape(folder), '*.zip'))):
        with conversion_errors(archive, scratch), zipfile.ZipFile(archive) as z:
            z.extractall(scratch)
    for root in (scratch, folder):
        for path in sorted(glob.glob(osp.join(glob.escape(root), '**', pattern), recursive=True)):
            found[osp.basename(path)] = path
    return sorted(found.values(), key=osp.basename)


def split_sources(release: str, split: str, scratch: str) -> List[str]:
    """The images of ``split`` followed by their colour masks (train, val); raises on a missing one."""
    image_dir = osp.join(release, split, 'images')
    images = release_files(image_dir, '*.png', osp.join(scratch, split, 'images'))
    if not images:
        raise ConversionError(f'no images in {image_dir}: looked for *.zip archives holding images/*.png, '
                              f'and for *.png')
    if split not in LABELLED_SPLITS:
        return images
    mask_dir = osp.join(release, split, 'Semantic_masks')
    masks = release_files(mask_dir, f'*{LABEL_SUFFIX}', osp.join(scratch, split, 'Semantic_masks'))
    stems = {osp.basename(path)[:-len(LABEL_SUFFIX)] for path in masks}
    for path in images:
        stem = osp.splitext(osp.basename(path))[0]
        if stem not in stems:
            raise ConversionError(f'no semantic mask {stem}{LABEL_SUFFIX} for {path} in {mask_dir} '
                                  f'(looked in its *.zip archives and for unpacked PNGs)')
    return images + masks


def convert_split(module: types.ModuleType, sources: List[str], split: str, args: argparse.Namespace,
                  staging: str) -> int:
    """Cut (or, for test, copy) every source of ``split`` into ``staging`` and publish its files into
    ``args.out_dir`` one source at a time; returns the number of files written."""
    for folder in ('img_dir', 'ann_dir'):
        os.makedirs(osp.join(staging, folder, split), exist_ok=True)
    written = 0
    for path in tqdm(sources, desc=split, unit='image'):
        with conversion_errors(path, args.out_dir):
            if path.endswith(LABEL_SUFFIX):
                module.slide_crop_label(path, staging, split, args.patch_height, args.patch_width,
                                        args.overlap_area)
            elif split in LABELLED_SPLITS:
                module.slide_crop_image(path, staging, split, args.patch_height, args.patch_width,
                                        args.overlap_area)
            else:
                shutil.copyfile(path, osp.join(staging, 'img_dir', split, osp.basename(path)))
        written += publish_tree(staging, args.out_dir)
    return written


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('dataset_path', help='folder of the iSAID release (with train/, val/, test/)')
    parser.add_argument('-o', '--out_dir', default='data/iSAID', help='output folder (default: data/iSAID)')
    parser.add_argument('--tmp_dir', help='where to unpack the archives (default: the system temp dir)')
    parser.add_argument('--patch_width', type=int, default=896, help='patch width (default: 896)')
    parser.add_argument('--patch_height', type=int, default=896, help='patch height (default: 896)')
    parser.add_argument('--overlap_area', type=int, default=384, help='patch overlap (default: 384)')
    args = parser.parse_args(argv)
    for split in SPLITS:
        if not osp.isdir(osp.join(args.dataset_path, split, 'images')):
            parser.error(f'{args.dataset_path} is not the iSAID release: {split}/images/ is missing')
    for split in LABELLED_SPLITS:
        if not osp.isdir(osp.join(args.dataset_path, split, 'Semantic_masks')):
            parser.error(f'{args.dataset_path} is not the iSAID release: {split}/Semantic_masks/ is missing')
    if args.patch_width != args.patch_height:
        parser.error('mmseg\'s iSAID cropping needs square patches (patch_width == patch_height)')
    if not 0 <= args.overlap_area < args.patch_width:
        parser.error('--overlap_area must lie in [0, patch size)')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    module = load_mmseg_isaid()
    counts = {}
    try:
        with output_errors(args.tmp_dir or tempfile.gettempdir()):
            unpacked = tempfile.TemporaryDirectory(dir=args.tmp_dir)
        with unpacked as scratch:
            sources = {split: split_sources(args.dataset_path, split, scratch) for split in SPLITS}
            with staging_folder(args.out_dir, 'isaid') as staging:
                for split in SPLITS:
                    counts[split] = convert_split(module, sources[split], split, args, staging)
                    shutil.rmtree(osp.join(scratch, split), ignore_errors=True)  # its unpacked archives
    except (ConversionError, OutputWriteError) as err:
        sys.exit(f'isaid: {err}')
    print(f'{args.out_dir}: ' + ', '.join(f'{split} {count} files' for split, count in counts.items()) +
          ' (test images whole)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
