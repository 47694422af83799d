"""Write synthetic scenes with objects in DIOR's release layout (horizontal boxes), for the detection demo.

    python tools/dataset_converters/make_demo_det_data.py data/demo/DIOR --train 64 --test 12

Each scene is a noisy grey-green ground with one to three objects of two DIOR classes, easy to tell apart:
``storagetank`` (a white disc with a dark rim) and ``tenniscourt`` (a green court with white lines, lying
horizontally or vertically). The output is the DIOR layout read by ``mmringmoe.DIORDataset``:
``JPEGImages-trainval/``, ``JPEGImages-test/``, ``Annotations/Horizontal Bounding Boxes/<id>.xml`` laid out
like the release's XML (see ``docs/datasets.md``) and ``ImageSets/Main/{train,val,test}.txt`` with 5-digit
ids. Every file is written atomically (complete or absent); a failed write stops the tool with one line.
"""
import argparse
import os
import os.path as osp
import sys
from typing import Dict, List, Sequence, Tuple

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

from mmringmoe.utils.atomic_io import (OutputWriteError, atomic_write_bytes, atomic_write_text,  # noqa: E402
                                       output_errors)

TOOL = 'make_demo_det_data.py'
DEMO_CLASSES = ('storagetank', 'tenniscourt')
# (class name, xmin, ymin, xmax, ymax) of an object
Box = Tuple[str, int, int, int, int]


def dior_xml(filename: str, width: int, height: int, objects: Sequence[Box], part: str = 'trainval') -> str:
    """The text of a DIOR annotation with horizontal boxes, laid out as the release's files (header, folder,
    size, then one ``<object>`` with ``<name>`` and ``<bndbox>`` per box)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>', '<annotation>',
        f'    <folder>/JPEGImages-{part}.zip/JPEGImages-{part}/JPEGImages-{part}</folder>',
        f'    <filename>{filename}</filename>',
        f'    <path>/JPEGImages-{part}.zip/JPEGImages-{part}/JPEGImages-{part}</path>', '    <source>',
        '        <database>Unknown</database>', '    </source>', '    <size>',
        f'        <width>{width}</width>', f'        <height>{height}</height>', '        <depth>3</depth>',
        '    </size>', '    <segmented>0</segmented>'
    ]
    for name, *box in objects:
        lines += ['    <object>', '        <type>bndbox</type>', f'        <name>{name}</name>',
                  '        <pose>Unspecified</pose>', '        <truncated>0</truncated>',
                  '        <difficult>0</difficult>', '        <bndbox>']
        lines += [f'            <{k}>{v}</{k}>' for k, v in zip(('xmin', 'ymin', 'xmax', 'ymax'), box)]
        lines += ['        </bndbox>', '    </object>']
    return '\n'.join(lines + ['</annotation>']) + '\n'


def draw_scene(size: int, rng: np.random.Generator, max_objects: int = 3) -> Tuple[np.ndarray, List[Box]]:
    """A BGR scene and its objects; objects do not overlap."""
    image = np.clip(rng.normal((70, 105, 85), 12, (size, size, 3)), 0, 255).astype(np.uint8)
    objects: List[Box] = []
    for _ in range(int(rng.integers(1, max_objects + 1))):
        name = DEMO_CLASSES[int(rng.integers(len(DEMO_CLASSES)))]
        if name == 'storagetank':
            w = h = int(rng.integers(size // 8, size // 5))
        else:
            w, h = int(rng.integers(size // 6, size // 4)), int(rng.integers(size // 10, size // 7))
            if rng.random() < 0.5:
                w, h = h, w
        for _attempt in range(20):
            x1, y1 = int(rng.integers(2, size - w - 2)), int(rng.integers(2, size - h - 2))
            if all(x1 > b[3] + 4 or x1 + w + 4 < b[1] or y1 > b[4] + 4 or y1 + h + 4 < b[2] for b in objects):
                break
        else:
            continue
        x2, y2 = x1 + w, y1 + h
        if name == 'storagetank':
            centre, radius = (x1 + w // 2, y1 + h // 2), w // 2
            cv2.circle(image, centre, radius, (40, 40, 40), -1)
            cv2.circle(image, centre, radius - 2, (235, 235, 235), -1)
        else:
            cv2.rectangle(image, (x1, y1), (x2 - 1, y2 - 1), (60, 150, 40), -1)
            cv2.rectangle(image, (x1, y1), (x2 - 1, y2 - 1), (255, 255, 255), 1)
            if w > h:
                cv2.line(image, ((x1 + x2) // 2, y1), ((x1 + x2) // 2, y2 - 1), (255, 255, 255), 1)
            else:
                cv2.line(image, (x1, (y1 + y2) // 2), (x2 - 1, (y1 + y2) // 2), (255, 255, 255), 1)
        objects.append((name, x1, y1, x2, y2))
    return image, objects


def write_dior(root: str, scenes: Dict[str, List[Tuple[str, np.ndarray, List[Box]]]]) -> None:
    """Write ``{split: [(5-digit id, BGR image, objects)]}`` (splits ``train``, ``val``, ``test``) under
    ``root`` in DIOR's release layout."""
    ann_dir = osp.join(root, 'Annotations', 'Horizontal Bounding Boxes')
    for folder in (ann_dir, osp.join(root, 'ImageSets', 'Main'), osp.join(root, 'JPEGImages-trainval'),
                   osp.join(root, 'JPEGImages-test')):
        os.makedirs(folder, exist_ok=True)
    items = [(split, *item) for split, split_items in scenes.items() for item in split_items]
    for split, img_id, image, objects in tqdm(items, desc='scenes', unit='img'):
        part = 'test' if split == 'test' else 'trainval'
        jpeg = cv2.imencode('.jpg', image, [cv2.IMWRITE_JPEG_QUALITY, 95])[1].tobytes()
        atomic_write_bytes(osp.join(root, f'JPEGImages-{part}', f'{img_id}.jpg'), jpeg)
        height, width = image.shape[:2]
        xml = dior_xml(f'{img_id}.jpg', width, height, objects, part)
        atomic_write_text(osp.join(ann_dir, f'{img_id}.xml'), xml)
    for split, split_items in scenes.items():
        atomic_write_text(osp.join(root, 'ImageSets', 'Main', f'{split}.txt'),
                          ''.join(f'{img_id}\n' for img_id, _, _ in split_items))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('out', help='the dataset folder to write (DIOR layout)')
    parser.add_argument('--train', type=int, default=64, help='training scenes (half train, half val)')
    parser.add_argument('--test', type=int, default=12, help='test scenes')
    parser.add_argument('--size', type=int, default=128, help='scene side in px (at least 96)')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.train < 2 or args.test < 1 or args.size < 96:
        sys.exit(f'{TOOL}: need --train >= 2, --test >= 1 and --size >= 96')
    rng = np.random.default_rng(args.seed)
    counts = {'train': args.train // 2, 'val': args.train - args.train // 2, 'test': args.test}
    scenes, next_id = {}, 1
    for split, count in counts.items():
        scenes[split] = []
        for _ in range(count):
            scenes[split].append((f'{next_id:05d}', *draw_scene(args.size, rng)))
            next_id += 1
    try:
        with output_errors(args.out):
            write_dior(args.out, scenes)
    except OutputWriteError as err:
        sys.exit(f'{TOOL}: {err}')
    print(f'wrote {sum(counts.values())} scenes ({counts}) to {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
