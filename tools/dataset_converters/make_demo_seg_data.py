"""Generate the segmentation demo data: synthetic scenes in the official iSAID and WHU-OPT-SAR release
formats, converted by the same tools a user runs on the real releases. Needs no download.

    python tools/dataset_converters/make_demo_seg_data.py            # -> data/demo/{iSAID,WHU-OPT-SAR}

1. iSAID: RGB aerial-like scenes (ground texture with ships, storage tanks, courts, pools and planes, each
   class with its own shape and colour) and their colour-coded semantic masks (iSAID's palette), zipped as
   the release is (``{train,val,test}/images/part1.zip``, ``{train,val}/Semantic_masks/images.zip``) in
   OUT/iSAID_release, then cut into 128 x 128 patches by ``tools/dataset_converters/isaid.py`` (mmseg's
   converter) into OUT/iSAID.
2. WHU-OPT-SAR: co-registered 4-band optical and 1-band SAR amplitude scenes with labels 0, 10, ..., 70
   (``optical/``, ``sar/``, ``lbl/`` and the release's split list) in OUT/WHU-OPT-SAR_release, cut into
   64 x 64 patches by ``tools/dataset_converters/whu_opt_sar.py`` into OUT/WHU-OPT-SAR.

An existing output is kept unless ``--force``. Each dataset is converted into ``OUT/<name>.part`` and
renamed once complete; a failure removes it and the release, and a failed write (full disk, read-only
folder) stops the tool with a line naming the folder. ``configs/demo/`` trains on OUT; ``make demo`` runs
it all.
"""
import argparse
import importlib.util
import io
import os
import os.path as osp
import shutil
import sys
import zipfile
from typing import Callable, Tuple

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout

import numpy as np  # noqa: E402
from affine import Affine  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402
from tqdm import tqdm  # noqa: E402

import mmringmoe  # noqa: E402,F401  (import shims)
from mmringmoe.utils.atomic_io import OutputWriteError, atomic_write_raster, output_errors  # noqa: E402

CONVERTERS = osp.dirname(osp.abspath(__file__))
# iSAID palette (the colour of each class index in the release's semantic masks)
ISAID_PALETTE = [(0, 0, 0), (0, 0, 63), (0, 63, 63), (0, 63, 0), (0, 63, 127), (0, 63, 191), (0, 63, 255),
                 (0, 127, 63), (0, 127, 127), (0, 0, 127), (0, 0, 191), (0, 0, 255), (0, 191, 127),
                 (0, 127, 191), (0, 127, 255), (0, 100, 155)]
# demo objects: iSAID class index -> (shape, RGB colour in the image, size range in pixels)
ISAID_OBJECTS = {
    1: ('ellipse_h', (230, 230, 235), (28, 48)),  # ship: long white hull
    2: ('circle', (200, 200, 90), (16, 28)),  # storage tank: yellowish disc
    4: ('rect', (60, 150, 70), (28, 42)),  # tennis court: green rectangle
    11: ('rect', (40, 120, 230), (22, 34)),  # swimming pool: blue rectangle
    14: ('cross', (150, 150, 160), (28, 44)),  # plane: grey cross
}
ISAID_SPLITS = {'train': 6, 'val': 2, 'test': 1}  # scenes per split
ISAID_SCENE = 256
WHU_SCENES = {'train': 3, 'test': 1}
WHU_SCENE = (128, 192)  # height, width
# per WHU class (farmland, city, village, water, forest, road, others): optical R, G, B, NIR and SAR means
WHU_SIGNATURES = np.array(
    [[150, 170, 90, 190, 70], [170, 165, 160, 120, 200], [160, 140, 120, 140, 150], [40, 60, 110, 20, 15],
     [40, 100, 50, 220, 110], [130, 130, 130, 100, 170], [120, 110, 90, 130, 90]],
    dtype=np.float64)


def draw_object(draw: ImageDraw.ImageDraw, shape: str, centre: Tuple[int, int], size: int, fill) -> None:
    x, y = centre
    half = size // 2
    if shape == 'circle':
        draw.ellipse([x - half, y - half, x + half, y + half], fill=fill)
    elif shape == 'ellipse_h':
        draw.ellipse([x - half, y - half // 3, x + half, y + half // 3], fill=fill)
    elif shape == 'rect':
        draw.rectangle([x - half, y - half * 2 // 3, x + half, y + half * 2 // 3], fill=fill)
    else:  # cross
        draw.rectangle([x - half, y - 2, x + half, y + 2], fill=fill)
        draw.rectangle([x - 3, y - half // 2, x + 3, y + half // 2], fill=fill)


def isaid_scene(rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray]:
    """An RGB scene and its colour mask: textured ground with a dozen objects of the demo classes."""
    ground = rng.normal((110, 100, 85), 12, (ISAID_SCENE, ISAID_SCENE, 3))
    image = Image.fromarray(np.clip(ground, 0, 255).astype(np.uint8))
    mask = Image.new('RGB', (ISAID_SCENE, ISAID_SCENE), ISAID_PALETTE[0])
    draw_img, draw_mask = ImageDraw.Draw(image), ImageDraw.Draw(mask)
    for _ in range(20):
        cls = int(rng.choice(list(ISAID_OBJECTS)))
        shape, colour, (low, high) = ISAID_OBJECTS[cls]
        centre = tuple(int(v) for v in rng.integers(16, ISAID_SCENE - 16, 2))
        size = int(rng.integers(low, high))
        draw_object(draw_img, shape, centre, size, tuple(int(c) for c in rng.normal(colour, 8).clip(0, 255)))
        draw_object(draw_mask, shape, centre, size, ISAID_PALETTE[cls])
    noisy = np.asarray(image, dtype=np.float64) + rng.normal(0, 6, (ISAID_SCENE, ISAID_SCENE, 3))
    return np.clip(noisy, 0, 255).astype(np.uint8), np.asarray(mask)


def png_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format='PNG')
    return buffer.getvalue()


def write_isaid_release(root: str, rng: np.random.Generator) -> None:
    """Synthetic scenes zipped in the layout of the iSAID release."""
    index = 0
    for split, scenes in ISAID_SPLITS.items():
        os.makedirs(osp.join(root, split, 'images'), exist_ok=True)
        images = zipfile.ZipFile(osp.join(root, split, 'images', 'part1.zip'), 'w')
        masks = None
        if split != 'test':
            os.makedirs(osp.join(root, split, 'Semantic_masks'), exist_ok=True)
            masks = zipfile.ZipFile(osp.join(root, split, 'Semantic_masks', 'images.zip'), 'w')
        for _ in range(scenes):
            image, mask = isaid_scene(rng)
            images.writestr(f'images/P{index:04d}.png', png_bytes(image))
            if masks is not None:
                masks.writestr(f'images/P{index:04d}_instance_color_RGB.png', png_bytes(mask))
            index += 1
        images.close()
        if masks is not None:
            masks.close()


def whu_scene(rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Optical (4, H, W), SAR (1, H, W) and label (1, H, W) of a scene of land-use blocks."""
    height, width = WHU_SCENE
    grid = rng.integers(0, 8, (height // 16, width // 16))  # 0 is background
    values = np.kron(grid, np.ones((16, 16), dtype=np.int64))
    classes = np.clip(values - 1, 0, None)
    signature = WHU_SIGNATURES[classes]  # H, W, 5
    signature[values == 0] = 100.0
    pixels = signature + rng.normal(0, 10, signature.shape)
    optical = np.clip(pixels[..., :4], 0, 255).astype(np.uint8).transpose(2, 0, 1)
    speckle = rng.gamma(4.0, 0.25, (height, width))  # multiplicative, 4-look amplitude-like
    sar = np.clip(pixels[..., 4] * speckle, 0, 255).astype(np.uint8)[None]
    label = (values * 10).astype(np.uint8)[None]
    return optical, sar, label


def write_whu_release(root: str, rng: np.random.Generator) -> None:
    """Synthetic scenes in the layout of the WHU-OPT-SAR release, with its split list."""
    lines = {}
    index = 0
    for split, scenes in WHU_SCENES.items():
        lines[split] = []
        for _ in range(scenes):
            name = f'NH49E{index:06d}.tif'
            for folder, bands in zip(('optical', 'sar', 'lbl'), whu_scene(rng)):
                os.makedirs(osp.join(root, folder), exist_ok=True)
                profile = dict(
                    driver='GTiff',
                    width=bands.shape[2],
                    height=bands.shape[1],
                    count=bands.shape[0],
                    dtype=bands.dtype,
                    crs='EPSG:32649',
                    transform=Affine(5, 0, 300000, 0, -5, 3400000))
                atomic_write_raster(osp.join(root, folder, name), profile, lambda dst, b=bands: dst.write(b))
            lines[split].append(name)
            index += 1
    with open(osp.join(root, 'The division of the dataset.txt'), 'w') as f:
        for split, names in lines.items():
            f.write(f'{split}:\n' + ''.join(f'{n}\n' for n in names) + '\n')


def converter(name: str) -> Callable:
    """The ``main`` of ``tools/dataset_converters/<name>.py``."""
    spec = importlib.util.spec_from_file_location(f'converter_{name}', osp.join(CONVERTERS, f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--out', default='data/demo', help='output folder (default: data/demo)')
    parser.add_argument('--seed', type=int, default=0, help='random seed (default: 0)')
    parser.add_argument('--force', action='store_true', help='regenerate an existing output')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    rng = np.random.default_rng(args.seed)
    jobs = [
        ('iSAID', write_isaid_release, lambda release, out: converter('isaid')
         ([release, '-o', out, '--patch_width', '128', '--patch_height', '128', '--overlap_area', '0'])),
        ('WHU-OPT-SAR', write_whu_release, lambda release, out: converter('whu_opt_sar')
         ([release, '-o', out, '--patch', '64'])),
    ]
    for name, write_release, convert in tqdm(jobs, desc='demo datasets', unit='dataset'):
        out = osp.join(args.out, name)
        release = f'{out}_release'
        if osp.isdir(out) and not args.force:
            print(f'{out} exists, kept (--force regenerates it)')
            continue
        for path in (out, release, f'{out}.part'):
            if osp.isdir(path):
                shutil.rmtree(path)
        # convert into a temporary folder, then rename: an interrupted run never leaves a partial dataset
        try:
            with output_errors(release):
                write_release(release, rng)
            convert(release, f'{out}.part')
            os.replace(f'{out}.part', out)
        except BaseException as err:  # a failed dataset leaves nothing behind
            for path in (release, f'{out}.part'):
                shutil.rmtree(path, ignore_errors=True)
            if isinstance(err, OutputWriteError):
                sys.exit(f'make_demo_seg_data: {err}')
            raise
        print(f'{name}: release format in {release}, converted dataset in {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
