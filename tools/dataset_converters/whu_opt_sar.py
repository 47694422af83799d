"""Cut WHU-OPT-SAR's 5556 x 3704 scenes into the paper's non-overlapping 256 x 256 patches (App. B.5.3).

    python tools/dataset_converters/whu_opt_sar.py /path/to/WHU-OPT-SAR -o data/WHU-OPT-SAR

Reads the release (github.com/AmberHen/WHU-OPT-SAR-dataset)::

    optical/<scene>.tif   sar/<scene>.tif   lbl/<scene>.tif      # same scene names in all three
    "The division of the dataset.txt"                            # the release's split (80 train, 20 test)

and writes, keeping each file's bands, dtype, georeferencing and the label encoding (0, 10, ..., 70)::

    OUT/{train,test}/{optical,sar,lbl}/<scene>_<y>_<x>.tif       # y, x: pixel offset in the scene

Patches start at 0, 256, 512, ... while a whole patch fits (the remainder at the right and bottom edges is
dropped): 21 x 14 = 294 per scene. The split file is the release's (``--split-file``; its "train:" and
"test:" sections list scene file names). A scene whose three rasters differ in size, a missing partner
or a label value outside 0, 10, ..., 70 stops the conversion with a message naming the file. A patch
appears under its name only once completely written (encoded in memory, written to a temporary name and
renamed), so an interrupted run resumes: existing patches are kept, temporary files of a killed run are
removed. A failed write (full disk, read-only folder) stops the tool with a line naming the folder.
"""
import argparse
import os.path as osp
import sys
import warnings
from typing import Dict, List

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout

import numpy as np  # noqa: E402
import rasterio  # noqa: E402
from rasterio.errors import NotGeoreferencedWarning  # noqa: E402
from rasterio.windows import Window  # noqa: E402
from tqdm import tqdm  # noqa: E402

import mmringmoe  # noqa: E402,F401  (import shims)
from mmringmoe.datasets.whu_opt_sar import WHU_OPT_SAR_VALUES  # noqa: E402
from mmringmoe.utils.atomic_io import (OutputWriteError, atomic_write_raster,  # noqa: E402
                                       prepare_output_folder, remove_temporaries)

FOLDERS = ('optical', 'sar', 'lbl')
SPLIT_FILE = 'The division of the dataset.txt'


class ConversionError(Exception):
    """Bad input; the message is one line naming the file."""


def read_split(path: str) -> Dict[str, str]:
    """Scene stem -> split, from the release's list ("train:" / "test:" headers, one file name a line)."""
    split, scenes = None, {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            if line.endswith(':'):
                split = line[:-1].strip().lower()
                continue
            if split is None:
                raise ConversionError(f'{path}: scene {line!r} before any "train:" or "test:" header')
            scenes[osp.splitext(line)[0]] = split
    return scenes


def patch_offsets(size: int, patch: int) -> List[int]:
    """Non-overlapping patch offsets along one axis, while a whole patch fits."""
    return list(range(0, size - patch + 1, patch))


def write_window(src, window: Window, path: str) -> None:
    """Write ``window`` of the open raster ``src`` to ``path`` as a GeoTIFF, atomically."""
    data = src.read(window=window)
    profile = src.profile.copy()
    profile.update(
        driver='GTiff',
        width=int(window.width),
        height=int(window.height),
        transform=src.window_transform(window))
    profile.pop('blockxsize', None)
    profile.pop('blockysize', None)
    profile.pop('tiled', None)
    atomic_write_raster(path, profile, lambda dst: dst.write(data))


def convert_scene(release: str, out: str, split: str, name: str, patch: int) -> int:
    """Cut one scene's optical, SAR and label rasters; returns the number of patches."""
    paths = [osp.join(release, folder, name) for folder in FOLDERS]
    for path in paths:
        if not osp.isfile(path):
            raise ConversionError(f'pair partner missing: {path}')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', NotGeoreferencedWarning)
        sources = [rasterio.open(path) for path in paths]
        try:
            shapes = {(src.height, src.width) for src in sources}
            if len(shapes) != 1:
                raise ConversionError(f'{paths[0]}: optical, SAR and label sizes differ: ' +
                                      ', '.join(f'{src.name} {src.height}x{src.width}' for src in sources))
            values = np.unique(sources[2].read(1))
            bad = [int(v) for v in values if int(v) not in WHU_OPT_SAR_VALUES]
            if bad:
                raise ConversionError(
                    f'{paths[2]}: label values {bad} are not in {sorted(WHU_OPT_SAR_VALUES)}')
            height, width = shapes.pop()
            stem = osp.splitext(name)[0]
            count = 0
            for y in patch_offsets(height, patch):
                for x in patch_offsets(width, patch):
                    window = Window(x, y, patch, patch)
                    for folder, src in zip(FOLDERS, sources):
                        target = osp.join(out, split, folder, f'{stem}_{y}_{x}.tif')
                        if not osp.isfile(target):
                            write_window(src, window, target)
                    count += 1
            return count
        finally:
            for src in sources:
                src.close()


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('release', help='folder of the release, with optical/, sar/, lbl/')
    parser.add_argument(
        '-o', '--out', default='data/WHU-OPT-SAR', help='output folder (default: data/WHU-OPT-SAR)')
    parser.add_argument('--split-file', help=f'the release\'s split list (default: RELEASE/{SPLIT_FILE})')
    parser.add_argument('--patch', type=int, default=256, help='patch size (default: 256)')
    args = parser.parse_args(argv)
    for folder in FOLDERS:
        if not osp.isdir(osp.join(args.release, folder)):
            parser.error(f'{args.release} is not the WHU-OPT-SAR release: {folder}/ is missing')
    args.split_file = args.split_file or osp.join(args.release, SPLIT_FILE)
    if not osp.isfile(args.split_file):
        parser.error(f'split list not found: {args.split_file}')
    if args.patch < 1:
        parser.error('--patch must be positive')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        scenes = read_split(args.split_file)
        if not scenes:
            raise ConversionError(f'{args.split_file} lists no scene (looked for scene file names under '
                                  f'"train:" and "test:" headers)')
        for split in set(scenes.values()):
            for folder in FOLDERS:
                remove_temporaries(prepare_output_folder(osp.join(args.out, split, folder)))
        total = 0
        for stem, split in tqdm(sorted(scenes.items()), desc='scenes', unit='scene'):
            total += convert_scene(args.release, args.out, split, f'{stem}.tif', args.patch)
    except (ConversionError, OutputWriteError, rasterio.errors.RasterioError) as err:
        sys.exit(f'whu_opt_sar: {err}')
    print(f'{total} patches of {args.patch} x {args.patch} from {len(scenes)} scenes in {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
