"""Generate bitemporal demo pairs in LEVIR-CD's release layout (no download needed).

    python tools/dataset_converters/make_demo_change_data.py data/demo/LEVIR-CD_release
    python tools/dataset_converters/change_detection.py --dataset levir-cd data/demo/LEVIR-CD_release \\
        -o data/demo/LEVIR-CD --patch 64

Writes ``OUT/{train,val,test}/{A,B,label}/<split>_<n>.png`` as the release does (RGB PNG pairs, one-band
PNG labels of 0 and 255). Each scene is a textured ground with fields and a road; date A has some
buildings (a roof and its shadow); date B keeps most of them, loses a few (demolished) and gains new ones,
and both losses and gains are labelled 255. Distractors that are not labelled: date B's illumination and
colour balance differ, fields change colour with the season, and each date has its own sensor noise. A
scene is written only once complete (atomic writes); a failed write stops the tool with one line naming
the folder.
"""
import argparse
import os.path as osp
import sys
from typing import List, Tuple

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout

import numpy as np  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402
from tqdm import tqdm  # noqa: E402

import mmringmoe  # noqa: E402,F401  (import shims)
from mmringmoe.utils.atomic_io import OutputWriteError, atomic_write_image, prepare_output_folder  # noqa: E402

ROOF_COLOURS = [(205, 205, 210), (170, 80, 60), (90, 120, 170), (225, 215, 190)]
Box = Tuple[int, int, int, int]


def ground(rng: np.random.Generator, size: int) -> np.ndarray:
    """``size x size x 3`` float ground: a smooth earth tone with fine texture."""
    coarse = rng.normal(0, 1, (size // 16 + 1, size // 16 + 1, 1))
    smooth = np.kron(coarse, np.ones((16, 16, 1)))[:size, :size]
    base = np.array([120.0, 110.0, 85.0]) + rng.normal(0, 8, 3)
    return base + 10 * smooth + rng.normal(0, 7, (size, size, 3))


def free_boxes(rng: np.random.Generator, size: int, count: int, taken: List[Box]) -> List[Box]:
    """Up to ``count`` building footprints (12-26 px sides) that overlap nothing in ``taken``."""
    boxes: List[Box] = []
    for _ in range(count * 20):
        if len(boxes) == count:
            break
        w, h = (int(v) for v in rng.integers(12, 27, 2))
        x, y = (int(v) for v in rng.integers(2, size - 29, 2))
        box = (x, y, x + w, y + h)
        if all(box[2] + 3 < o[0] or o[2] + 3 < box[0] or box[3] + 3 < o[1] or o[3] + 3 < box[1]
               for o in taken + boxes):
            boxes.append(box)
    return boxes


def draw_building(draw: ImageDraw.ImageDraw, box: Box, roof: Tuple[int, int, int]) -> None:
    """A roof with a darker shadow along its bottom and right edges."""
    x0, y0, x1, y1 = box
    draw.rectangle([x0 + 3, y0 + 3, x1 + 3, y1 + 3], fill=(45, 45, 50))
    draw.rectangle([x0, y0, x1, y1], fill=roof)


def scene_pair(rng: np.random.Generator, size: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Date A, date B (``size x size x 3`` uint8) and the change label (0 / 255)."""
    canvas = ground(rng, size)
    fields = []
    for _ in range(2):
        w, h = (int(v) for v in rng.integers(size // 5, size // 2, 2))
        x, y = (int(v) for v in rng.integers(0, size - min(w, h), 2))
        fields.append((x, y, x + w, y + h))
    road_y = int(rng.integers(size // 4, 3 * size // 4))
    images = []
    for date in range(2):
        img = canvas.copy()
        for i, (x0, y0, x1, y1) in enumerate(fields):  # fields: green in one season, brown in the other
            colour = np.array((70, 120, 60) if (i + date) % 2 else (140, 115, 70), dtype=np.float64)
            img[y0:y1, x0:x1] = colour + (img[y0:y1, x0:x1] - canvas[y0:y1, x0:x1].mean((0, 1))) * 0.5
        img[road_y:road_y + 6] = (95, 95, 100)
        images.append(img)

    old = free_boxes(rng, size, int(rng.integers(2, 5)), [])
    demolished = [box for box in old if rng.random() < 0.3]
    new = free_boxes(rng, size, int(rng.integers(3, 8)), old)
    pictures = [Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)) for img in images]
    label = Image.new('L', (size, size), 0)
    draw_label = ImageDraw.Draw(label)
    for box in old:
        roof = ROOF_COLOURS[int(rng.integers(len(ROOF_COLOURS)))]
        draw_building(ImageDraw.Draw(pictures[0]), box, roof)
        if box in demolished:
            draw_label.rectangle(list(box), fill=255)
        else:
            draw_building(ImageDraw.Draw(pictures[1]), box, roof)
    for box in new:
        draw_building(ImageDraw.Draw(pictures[1]), box, ROOF_COLOURS[int(rng.integers(len(ROOF_COLOURS)))])
        draw_label.rectangle(list(box), fill=255)

    first = np.asarray(pictures[0], dtype=np.float64) + rng.normal(0, 4, (size, size, 3))
    gain, tint = rng.uniform(0.75, 1.25), rng.normal(0, 10, 3)  # date B's illumination and colour balance
    second = np.asarray(pictures[1], dtype=np.float64) * gain + tint + rng.normal(0, 4, (size, size, 3))
    return (np.clip(first, 0, 255).astype(np.uint8), np.clip(second, 0, 255).astype(np.uint8),
            np.asarray(label))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('out', help='output folder (the release root)')
    parser.add_argument('--train', type=int, default=24, help='training scenes (default: 24)')
    parser.add_argument('--val', type=int, default=2, help='validation scenes (default: 2)')
    parser.add_argument('--test', type=int, default=4, help='test scenes (default: 4)')
    parser.add_argument('--size', type=int, default=128, help='scene side in pixels (default: 128)')
    parser.add_argument('--seed', type=int, default=0, help='random seed (default: 0)')
    args = parser.parse_args(argv)
    if args.size < 64:
        parser.error('--size must be at least 64')
    if min(args.train, args.val, args.test) < 0 or args.train + args.val + args.test == 0:
        parser.error('--train, --val and --test must be >= 0 and give at least one scene')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    rng = np.random.default_rng(args.seed)
    splits = [(split, n) for split, n in (('train', args.train), ('val', args.val), ('test', args.test)) if n]
    try:
        for split, _ in splits:
            for folder in ('A', 'B', 'label'):
                prepare_output_folder(osp.join(args.out, split, folder))
        with tqdm(total=sum(n for _, n in splits), desc='scenes', unit='scene') as progress:
            for split, count in splits:
                for index in range(count):
                    name = f'{split}_{index + 1}.png'  # LEVIR-CD numbers from 1
                    for folder, array in zip(('A', 'B', 'label'), scene_pair(rng, args.size)):
                        atomic_write_image(osp.join(args.out, split, folder, name), Image.fromarray(array), 'PNG')
                    progress.update()
    except OutputWriteError as err:
        sys.exit(f'make_demo_change_data.py: {err}')
    print(f'{sum(n for _, n in splits)} scene pairs of {args.size} px in LEVIR-CD\'s layout in {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
