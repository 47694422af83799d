"""Generate scene classification demo data in the official NWPU-RESISC45 or AID release layout.

    python tools/dataset_converters/make_demo_cls_data.py data/demo/NWPU-RESISC45 --classes 6 --per-class 40

Each class is a texture of its own (oriented stripes whose angle, frequency and colour depend on the
class, with a random phase, contrast and noise per image), so a classifier can learn the classes from a
few dozen images on the CPU. Files follow the release: ``NWPU-RESISC45/<class>/<class>_<NNN>.jpg`` or
``AID/<Class>/<class>_<n>.jpg``, with the first ``--classes`` class names of the dataset, each image
written through a temporary file that is renamed. A failed write stops the tool with one line naming the
folder. Draw the split with ``tools/dataset_converters/make_cls_split.py`` afterwards.
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402
from tqdm import tqdm  # noqa: E402

from mmringmoe.datasets.aid import AIDDataset  # noqa: E402
from mmringmoe.datasets.nwpu_resisc45 import NWPURESISC45Dataset  # noqa: E402
from mmringmoe.utils.atomic_io import OutputWriteError, atomic_write_image, output_errors  # noqa: E402

TOOL = 'make_demo_cls_data.py'
# dataset -> (class names, image side of the release, file name of the n-th image (from 1) of a class)
LAYOUTS = {
    'nwpu': (NWPURESISC45Dataset.METAINFO['classes'], 256, lambda cls, n: f'{cls}_{n:03d}.jpg'),
    'aid': (AIDDataset.METAINFO['classes'], 600, lambda cls, n: f'{cls.lower()}_{n}.jpg'),
}


def texture(label: int, num_classes: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """``size x size x 3`` uint8 stripes: angle, frequency and colour set by ``label``, the rest random."""
    angle = np.pi * label / num_classes
    frequency = (3 + 2 * (label % 3)) * 2 * np.pi / size
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
    wave = np.sin(frequency * (xs * np.cos(angle) + ys * np.sin(angle)) + rng.uniform(0, 2 * np.pi))
    colour = np.array([80 + 150 * (label % 2), 80 + 70 * (label % 3), 230 - 25 * (label % 7)], np.float32)
    image = colour * (0.6 + rng.uniform(0.25, 0.4) * wave[..., None]) + rng.normal(0, 12, (size, size, 3))
    return np.clip(image, 0, 255).astype(np.uint8)


def write_dataset(out: str, dataset: str, num_classes: int, per_class: int, size: int, seed: int) -> int:
    """Write the images; returns their number."""
    classes, _, file_name = LAYOUTS[dataset]
    rng = np.random.default_rng(seed)
    jobs = [(label, name, n) for label, name in enumerate(classes[:num_classes])
            for n in range(1, per_class + 1)]
    for label, name, n in tqdm(jobs, desc='images', unit='image'):
        folder = osp.join(out, name)
        with output_errors(folder):
            os.makedirs(folder, exist_ok=True)
        image = Image.fromarray(texture(label, num_classes, size, rng))
        atomic_write_image(osp.join(folder, file_name(name, n)), image, 'JPEG')
    return len(jobs)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('out', help='dataset root to write (e.g. data/demo/NWPU-RESISC45)')
    parser.add_argument('--dataset',
                        choices=sorted(LAYOUTS),
                        default='nwpu',
                        help='release layout (default: nwpu)')
    parser.add_argument('--classes', type=int, default=6, help='number of classes (default: 6)')
    parser.add_argument('--per-class', type=int, default=40, help='images per class (default: 40)')
    parser.add_argument('--size', type=int, help="image side (default: the release's, 256 / 600)")
    parser.add_argument('--seed', type=int, default=0, help='random seed (default: 0)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    classes, release_size, _ = LAYOUTS[args.dataset]
    if not 2 <= args.classes <= len(classes):
        sys.exit(f'{TOOL}: --classes must lie in [2, {len(classes)}] for {args.dataset}, got {args.classes}')
    if args.per_class < 2:
        sys.exit(f'{TOOL}: --per-class must be at least 2, got {args.per_class}')
    size = args.size or release_size
    if size < 16:
        sys.exit(f'{TOOL}: --size must be at least 16, got {size}')
    try:
        count = write_dataset(args.out, args.dataset, args.classes, args.per_class, size, args.seed)
    except OutputWriteError as err:
        sys.exit(f'{TOOL}: {err}')
    print(f'{count} images of {args.classes} classes in {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
