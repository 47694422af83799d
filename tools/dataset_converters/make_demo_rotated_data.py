"""Write synthetic scenes with oriented objects in DIOR-R's release layout, for the oriented detection demo.

    python tools/dataset_converters/make_demo_rotated_data.py data/DIOR-demo --train 48 --test 12

Each scene is a noisy grey-green ground with a few rotated objects of two DIOR classes, easy to tell apart:
``ship`` (a long white hull) and ``tenniscourt`` (a green court with white lines). The output is the DIOR
layout read by ``mmringmoe.DIORRDataset``: ``JPEGImages-trainval/``, ``JPEGImages-test/``,
``Annotations/Oriented Bounding Boxes/<id>.xml`` written exactly like the release's XML (``<robndbox>`` with
four corners and ``<angle>``) and ``ImageSets/Main/{train,val,test}.txt`` with 5-digit ids. Every file is
written atomically (complete or absent).
"""
import argparse
import math
import os
import os.path as osp
import sys
from typing import Dict, List, Sequence, Tuple

import cv2
import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout

from mmringmoe.utils.atomic_io import (  # noqa: E402
    OutputWriteError, atomic_write_bytes, atomic_write_text, output_errors)

# (name, (long side, short side) range in px, BGR fill) of the demo's classes
DEMO_CLASSES = (('ship', (30, 44), (10, 14), (235, 235, 235)), ('tenniscourt', (22, 28), (14, 18), (60, 150,
                                                                                                    40)))
XML_HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n'
XML_IMAGE = """<annotation>
    <folder>/JPEGImages-{part}.zip/JPEGImages-{part}/JPEGImages-{part}</folder>
    <filename>{img_id}.jpg</filename>
    <path>/JPEGImages-{part}.zip/JPEGImages-{part}/JPEGImages-{part}</path>
    <source>
        <database>Unknown</database>
    </source>
    <size>
        <width>{width}</width>
        <height>{height}</height>
        <depth>3</depth>
    </size>
    <segmented>0</segmented>
{objects}</annotation>
"""
XML_OBJECT = """    <object>
        <type>robndbox</type>
        <name>{name}</name>
        <pose>Unspecified</pose>
        <truncated>0</truncated>
        <difficult>0</difficult>
        <robndbox>
            <x_left_top>{c[0]}</x_left_top>
            <y_left_top>{c[1]}</y_left_top>
            <x_right_top>{c[2]}</x_right_top>
            <y_right_top>{c[3]}</y_right_top>
            <x_right_bottom>{c[4]}</x_right_bottom>
            <y_right_bottom>{c[5]}</y_right_bottom>
            <x_left_bottom>{c[6]}</x_left_bottom>
            <y_left_bottom>{c[7]}</y_left_bottom>
        </robndbox>
        <angle>{angle}</angle>
    </object>
"""


def dior_r_xml(img_id: str,
               width: int,
               height: int,
               objects: Sequence[Tuple[str, Sequence[float], float]],
               part: str = 'trainval') -> str:
    """The text of a DIOR-R annotation, laid out as the release's (see ``Annotations/Oriented Bounding
    Boxes/00001.xml``): ``objects`` are ``(class name, 8 corner coordinates from the top left clockwise,
    angle in degrees)``."""
    body = ''.join(
        XML_OBJECT.format(name=name, c=[_number(v) for v in corners], angle=_number(angle))
        for name, corners, angle in objects)
    return XML_HEADER + XML_IMAGE.format(part=part, img_id=img_id, width=width, height=height, objects=body)


def _number(value: float) -> str:
    """An integer as the release writes it (``133``), else a float."""
    return str(int(value)) if float(value).is_integer() else f'{value:.1f}'


def rotated_corners(cx: float, cy: float, w: float, h: float, angle: float) -> np.ndarray:
    """``(4, 2)`` corners of a ``w x h`` box centred at ``(cx, cy)``, turned by ``angle`` radians."""
    cos, sin = math.cos(angle), math.sin(angle)
    local = np.array([[-w, -h], [w, -h], [w, h], [-w, h]], dtype=np.float64) / 2
    return local @ np.array([[cos, sin], [-sin, cos]]) + [cx, cy]


def draw_scene(size: int, rng: np.random.Generator, max_objects: int = 3) -> Tuple[np.ndarray, list]:
    """A BGR scene and its objects ``(name, corners, angle in degrees)``; objects do not overlap."""
    image = np.clip(rng.normal((70, 105, 85), 12, (size, size, 3)), 0, 255).astype(np.uint8)
    objects, centres = [], []
    for _ in range(int(rng.integers(1, max_objects + 1))):
        name, long_range, short_range, colour = DEMO_CLASSES[int(rng.integers(len(DEMO_CLASSES)))]
        w, h = rng.uniform(*long_range), rng.uniform(*short_range)
        for _attempt in range(20):
            cx, cy = rng.uniform(w / 2 + 2, size - w / 2 - 2, 2)
            if all(math.hypot(cx - x, cy - y) > 40 for x, y in centres):
                break
        else:
            continue
        centres.append((cx, cy))
        angle = rng.uniform(-math.pi / 2, math.pi / 2)
        corners = np.round(rotated_corners(cx, cy, w, h, angle), 1)
        cv2.fillPoly(image, [np.round(corners).astype(np.int32)], colour)
        if name == 'tenniscourt':  # white outline and net
            cv2.polylines(image, [np.round(corners).astype(np.int32)], True, (255, 255, 255), 1)
            mid = np.round((corners[[0, 3]] + corners[[1, 2]]) / 2).astype(np.int32)
            cv2.line(image, tuple(int(v) for v in mid[0]), tuple(int(v) for v in mid[1]), (255, 255, 255), 1)
        objects.append((name, corners.reshape(-1).tolist(), round(math.degrees(angle), 1)))
    return image, objects


def write_jpeg(path: str, image: np.ndarray) -> None:
    """A BGR image as a JPEG at ``path``, complete or not at all."""
    atomic_write_bytes(path, cv2.imencode('.jpg', image, [cv2.IMWRITE_JPEG_QUALITY, 95])[1].tobytes())


def write_dior_r(root: str, scenes: Dict[str, List[Tuple[str, np.ndarray, list]]]) -> None:
    """Write ``{split: [(5-digit id, BGR image, objects)]}`` (splits ``train``, ``val``, ``test``) under
    ``root`` in DIOR-R's release layout."""
    ann_dir = osp.join(root, 'Annotations', 'Oriented Bounding Boxes')
    os.makedirs(ann_dir, exist_ok=True)
    os.makedirs(osp.join(root, 'ImageSets', 'Main'), exist_ok=True)
    for split, items in scenes.items():
        part = 'test' if split == 'test' else 'trainval'
        os.makedirs(osp.join(root, f'JPEGImages-{part}'), exist_ok=True)
        for img_id, image, objects in items:
            write_jpeg(osp.join(root, f'JPEGImages-{part}', f'{img_id}.jpg'), image)
            height, width = image.shape[:2]
            atomic_write_text(
                osp.join(ann_dir, f'{img_id}.xml'), dior_r_xml(img_id, width, height, objects, part))
        atomic_write_text(
            osp.join(root, 'ImageSets', 'Main', f'{split}.txt'), ''.join(f'{i}\n' for i, _, _ in items))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('out', help='the dataset folder to write (DIOR layout)')
    parser.add_argument('--train', type=int, default=48, help='training scenes (half train, half val)')
    parser.add_argument('--test', type=int, default=12, help='test scenes')
    parser.add_argument('--size', type=int, default=128, help='scene side in px (at least 96)')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.train < 2 or args.test < 1 or args.size < 96:
        sys.exit('make_demo_rotated_data.py: need --train >= 2, --test >= 1 and --size >= 96')
    rng = np.random.default_rng(args.seed)
    counts = {'train': args.train // 2, 'val': args.train - args.train // 2, 'test': args.test}
    scenes, next_id = {}, 1
    for split, count in counts.items():
        scenes[split] = []
        for _ in range(count):
            scenes[split].append((f'{next_id:05d}', *draw_scene(args.size, rng)))
            next_id += 1
    try:
        with output_errors(args.out):  # the folders too
            write_dior_r(args.out, scenes)
    except OutputWriteError as err:
        sys.exit(f'make_demo_rotated_data.py: {err}')
    print(f'wrote {sum(counts.values())} scenes ({counts}) to {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
