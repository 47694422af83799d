"""Cut ISPRS Potsdam's near-infrared / red / green orthophotos into mmseg's 512 x 512 patches, with mmseg's
own converter (paper App. B.5.2 uses the NIR-R-G bands, after RingMo).

    python tools/dataset_converters/potsdam.py /path/to/Potsdam -o data/potsdam

Reads two archives of the release (www.isprs.org, 2D semantic labeling, Potsdam)::

    3_Ortho_IRRG.zip                 # 3_Ortho_IRRG/top_potsdam_2_10_IRRG.tif, ...
    5_Labels_all_noBoundary.zip      # top_potsdam_2_10_label_noBoundary.tif (or --labels all)

and writes ``img_dir/{train,val}`` and ``ann_dir/{train,val}`` (24 training and 14 test tiles; labels 0
boundary, 1-6 classes) under OUT, the layout ``mmringmoe.PotsdamDataset`` reads; an image patch stores the
bands NIR, R, G as its first, second and third channel. mmseg's converter converts every ``*.zip`` of a
folder into the same file names, so this script hands it a folder with exactly these two archives
(symbolic links), whatever else the release folder holds (RGB, RGBIR, DSM archives). An archive that is
missing or holds no tile of the expected name stops the tool with a line saying what it looked for and
where. mmseg's converter writes into a hidden staging folder under OUT, and its patches are renamed into
place once all are complete; a failed write (full disk, read-only folder) stops the tool with a line naming
OUT and leaves no partial file.
"""
import argparse
import fnmatch
import os
import os.path as osp
import runpy
import sys
import tempfile
import zipfile
from typing import List

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout

import cv2  # noqa: E402

import mmringmoe  # noqa: E402,F401  (import shims)
from mmringmoe.utils.atomic_io import (OutputWriteError, output_errors, publish_tree,  # noqa: E402
                                       staging_folder)

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from isaid import ConversionError, conversion_errors, mmseg_converter  # noqa: E402  (shared with iSAID)

IMAGE_ARCHIVE = ('3_Ortho_IRRG.zip', 'top_potsdam_*_IRRG.tif')
LABEL_ARCHIVES = {
    'noBoundary': ('5_Labels_all_noBoundary.zip', 'top_potsdam_*_label_noBoundary.tif'),
    'all': ('5_Labels_all.zip', 'top_potsdam_*_label.tif')
}


def archive_tiles(path: str, pattern: str) -> List[str]:
    """The members of the zip archive ``path`` whose file name matches ``pattern``."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile as err:
        raise ConversionError(f'{path} cannot be read ({err})') from None
    return [name for name in names if fnmatch.fnmatch(osp.basename(name), pattern)]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('dataset_path', help='folder holding the Potsdam archives')
    parser.add_argument(
        '-o', '--out_dir', default='data/potsdam', help='output folder (default: data/potsdam)')
    parser.add_argument(
        '--labels',
        choices=sorted(LABEL_ARCHIVES),
        default='noBoundary',
        help='label archive: eroded boundaries ignored (noBoundary, default) or all pixels')
    parser.add_argument('--tmp_dir', help='where to extract the archives (default: the system temp dir)')
    parser.add_argument('--clip_size', type=int, default=512, help='patch size (default: 512)')
    parser.add_argument('--stride_size', type=int, default=256, help='patch stride (default: 256)')
    args = parser.parse_args(argv)
    args.archives = (IMAGE_ARCHIVE, LABEL_ARCHIVES[args.labels])
    for archive, _ in args.archives:
        if not osp.isfile(osp.join(args.dataset_path, archive)):
            parser.error(f'{archive} not found in {args.dataset_path}; see docs/datasets.md')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    converter = mmseg_converter('potsdam')
    # mmcv reads the GeoTIFFs with OpenCV, which warns about every GeoTIFF tag (CRS, transform) it ignores
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
    scratch = args.tmp_dir or tempfile.gettempdir()
    try:
        for archive, pattern in args.archives:
            if not archive_tiles(osp.join(args.dataset_path, archive), pattern):
                raise ConversionError(f'{osp.join(args.dataset_path, archive)} holds no {pattern}')
        with output_errors(scratch):
            selection = tempfile.TemporaryDirectory(dir=args.tmp_dir)
        with selection as selected, staging_folder(args.out_dir, 'potsdam') as staging:
            for archive, _ in args.archives:
                os.symlink(osp.abspath(osp.join(args.dataset_path, archive)), osp.join(selected, archive))
            forwarded = [
                selected, '-o', staging, '--clip_size',
                str(args.clip_size), '--stride_size',
                str(args.stride_size)
            ]
            if args.tmp_dir:
                forwarded += ['--tmp_dir', args.tmp_dir]
            saved_argv = sys.argv
            sys.argv = [converter] + forwarded
            try:
                with conversion_errors(args.dataset_path, f'{args.out_dir} or {scratch}'):
                    runpy.run_path(converter, run_name='__main__')
            finally:
                sys.argv = saved_argv
            written = publish_tree(staging, args.out_dir)
    except (ConversionError, OutputWriteError) as err:
        sys.exit(f'potsdam: {err}')
    print(f'{written} image and label patches in {args.out_dir}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
