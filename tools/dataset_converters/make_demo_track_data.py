"""Write synthetic Jilin-1-like satellite video clips in the MOT-Challenge layout, for the tracking demo.

    python tools/dataset_converters/make_demo_track_data.py data/demo/AIR-MOT --train-videos 3 --test-videos 1

Each clip is a staring satellite video over a textured scene (fields, roads, a coast and water) with
AIR-MOT's two classes moving at constant velocity: ``aircraft`` (a white cross-shaped plane heading where it
flies) over land and ``ship`` (a white hull with a pointed bow) over water. Objects are 12-20 px long (the
objects of satellite video are 5-20 px), drawn anti-aliased at sub-pixel positions, and their ground-truth
boxes are the exact float bounds of the drawn shapes. The scene stands still (a staring video). Each object
keeps its id (1, 2, ...) for the whole clip. The output is what the AIR-MOT release is assumed to look like
(``docs/datasets.md``, "Tracking datasets"), read by
``tools/dataset_converters/mot2coco.py --layout air-mot``::

    OUT/{train,test}/<video>/img1/000001.jpg ...
    OUT/{train,test}/<video>/gt/gt.txt          frame, id, x, y, w, h, conf, class, visibility
    OUT/{train,test}/<video>/seqinfo.ini        name, imDir, frameRate, seqLength, imWidth, imHeight, imExt

Class ids in ``gt.txt`` are 1-based in ``DEMO_CLASSES`` order. Every file is written atomically (complete or
absent); a failed write stops the tool with one line.
"""
import argparse
import math
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

TOOL = 'make_demo_track_data.py'
DEMO_CLASSES = ('aircraft', 'ship')  # AIR-MOT's classes; gt.txt class ids are 1-based in this order
FRAME_RATE = 10  # AIR-MOT's videos run at 5-10 fps (paper App. B.5.5)
SHIFT = 4  # cv2 draws with 4 fractional bits: positions to 1/16 px
MARGIN = 14  # px between an object's centre and the edge of its region (land or water)
MIN_GAP = 22.0  # px between the centres of two objects in every frame


def shape(name: str, length: float) -> np.ndarray:
    """The outline of an object heading along +x, centred on (0, 0), as polygons ``(k, n, 2)``."""
    half, body = length / 2, length / 10
    if name == 'aircraft':
        fuselage = [(-half, -body), (half * 0.8, -body), (half, 0), (half * 0.8, body), (-half, body)]
        wings = [(length * 0.1, -half), (length * 0.2, -half), (length * 0.05, 0), (length * 0.2, half),
                 (length * 0.1, half), (-length * 0.1, 0)]
        tail = [(-half, -length * 0.2), (-half * 0.8, -length * 0.2), (-half * 0.6, 0), (-half * 0.8, length * 0.2),
                (-half, length * 0.2)]
        return np.array([_pad(p, 6) for p in (fuselage, wings, tail)], dtype=np.float64)
    beam = length * 0.16  # a ship: hull with a pointed bow
    hull = [(-half, -beam), (half * 0.55, -beam), (half, 0), (half * 0.55, beam), (-half, beam)]
    return np.array([_pad(hull, 6)], dtype=np.float64)


def _pad(points: Sequence[Tuple[float, float]], n: int) -> List[Tuple[float, float]]:
    """Repeat the last point so every polygon of a shape has ``n`` points (one array for cv2)."""
    return list(points) + [points[-1]] * (n - len(points))


def placed(name: str, length: float, centre: np.ndarray, heading: float) -> np.ndarray:
    """The object's polygons rotated to ``heading`` (radians) and moved to ``centre`` (x, y), in px."""
    c, s = math.cos(heading), math.sin(heading)
    return shape(name, length) @ np.array([[c, s], [-s, c]]) + centre


def box_of(polygons: np.ndarray) -> Tuple[float, float, float, float]:
    """The exact axis-aligned bounds (x, y, w, h) of the drawn polygons, in px."""
    points = polygons.reshape(-1, 2)
    (x1, y1), (x2, y2) = points.min(axis=0), points.max(axis=0)
    return float(x1), float(y1), float(x2 - x1), float(y2 - y1)


def background(width: int, height: int, coast: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A static RGB float scene: textured land with fields and roads above ``coast`` (y per column), water
    below."""
    coarse = rng.normal(0, 1, (height // 16 + 2, width // 16 + 2, 1))
    relief = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)[..., None]
    land = np.array([105., 112., 92.]) + 10 * relief + rng.normal(0, 4, (height, width, 3))
    for _ in range(int(rng.integers(6, 10))):  # fields of other tones
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        w, h = int(rng.integers(20, 70)), int(rng.integers(15, 50))
        land[y:y + h, x:x + w] += rng.normal(0, 14, 3)
    for _ in range(2):  # roads
        y0, y1 = int(rng.integers(0, height)), int(rng.integers(0, height))
        cv2.line(land, (0, y0), (width - 1, y1), (150., 148., 140.), 2, cv2.LINE_AA)
    water = np.array([42., 66., 82.]) + 3 * relief + rng.normal(0, 2.5, (height, width, 3))
    rows = np.arange(height)[:, None]
    shore = np.clip((rows - coast[None, :]) / 3.0 + 0.5, 0, 1)[..., None]  # a soft coast line
    return land * (1 - shore) + water * shore


def trajectories(width: int, height: int, coast: np.ndarray, frames: int, counts: Dict[str, int],
                 rng: np.random.Generator) -> List[dict]:
    """Objects with constant velocities whose whole path stays in their region (aircraft over land, ships
    over water) and apart from every other object."""
    objects: List[dict] = []
    top, bottom = float(coast.min()), float(coast.max())
    for name, count in counts.items():
        low, high = (MARGIN, top - MARGIN) if name == 'aircraft' else (bottom + MARGIN, height - MARGIN)
        for _ in range(count):
            for _attempt in range(200):
                speed = rng.uniform(1.5, 3.0) if name == 'aircraft' else rng.uniform(0.8, 1.6)
                heading = rng.uniform(-0.35, 0.35) + (math.pi if rng.random() < 0.5 else 0.0)
                velocity = speed * np.array([math.cos(heading), math.sin(heading)])
                start = np.array([rng.uniform(MARGIN, width - MARGIN), rng.uniform(low, high)])
                path = start + np.arange(frames)[:, None] * velocity
                inside = ((path[:, 0] >= MARGIN) & (path[:, 0] <= width - MARGIN) & (path[:, 1] >= low)
                          & (path[:, 1] <= high)).all()
                apart = all(np.linalg.norm(path - other['path'], axis=1).min() > MIN_GAP for other in objects)
                if inside and apart:
                    length = rng.uniform(14, 20) if name == 'aircraft' else rng.uniform(12, 18)
                    objects.append(dict(name=name, length=length, heading=heading, path=path))
                    break
            else:
                raise ValueError(f'no room for {count} {name} objects in a {width} x {height} clip')
    return objects


def render_clip(width: int, height: int, frames: int, rng: np.random.Generator,
                counts: Dict[str, int]) -> Tuple[List[np.ndarray], List[str]]:
    """The RGB frames of one clip and its ``gt.txt`` rows (MOT17's 9 columns, 1-based frames and ids)."""
    coast = height * 0.58 + 6 * np.sin(np.arange(width) / rng.uniform(25, 45)) + rng.uniform(-4, 4)
    scene = background(width, height, coast, rng)
    objects = trajectories(width, height, coast, frames, counts, rng)
    images, rows = [], []
    for t in range(frames):
        frame = scene.copy()
        for track_id, obj in enumerate(objects, start=1):
            polygons = placed(obj['name'], obj['length'], obj['path'][t], obj['heading'])
            points = np.round(polygons * (1 << SHIFT)).astype(np.int32)
            for polygon in points:  # one at a time: cv2 fills overlapping polygons of one call even-odd
                cv2.fillPoly(frame, [polygon], (232., 232., 228.), cv2.LINE_AA, shift=SHIFT)
            x, y, w, h = box_of(points / (1 << SHIFT))
            label = DEMO_CLASSES.index(obj['name']) + 1
            rows.append(f'{t + 1},{track_id},{x:.2f},{y:.2f},{w:.2f},{h:.2f},1,{label},1.0')
        images.append(np.clip(frame, 0, 255).astype(np.uint8))
    return images, rows


def seqinfo(name: str, frames: int, width: int, height: int) -> str:
    """The ``seqinfo.ini`` of a clip, as MOT-Challenge writes it."""
    return (f'[Sequence]\nname={name}\nimDir=img1\nframeRate={FRAME_RATE}\nseqLength={frames}\n'
            f'imWidth={width}\nimHeight={height}\nimExt=.jpg\n')


def write_clip(folder: str, images: List[np.ndarray], rows: List[str]) -> None:
    """One clip in the MOT-Challenge layout under ``folder``."""
    height, width = images[0].shape[:2]
    for sub in ('img1', 'gt'):
        os.makedirs(osp.join(folder, sub), exist_ok=True)
    for t, image in enumerate(images, start=1):
        jpeg = cv2.imencode('.jpg', cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 95])[1]
        atomic_write_bytes(osp.join(folder, 'img1', f'{t:06d}.jpg'), jpeg.tobytes())
    atomic_write_text(osp.join(folder, 'gt', 'gt.txt'), '\n'.join(rows) + '\n')
    atomic_write_text(osp.join(folder, 'seqinfo.ini'), seqinfo(osp.basename(folder), len(images), width, height))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('out', help='the dataset folder to write (train/ and test/ of clips)')
    parser.add_argument('--train-videos', type=int, default=3, help='training clips')
    parser.add_argument('--test-videos', type=int, default=1, help='test clips')
    parser.add_argument('--frames', type=int, default=24, help='frames per clip')
    parser.add_argument('--width', type=int, default=320, help='frame width in px (at least 160)')
    parser.add_argument('--height', type=int, default=192, help='frame height in px (at least 128)')
    parser.add_argument('--aircraft', type=int, default=2, help='aircraft per clip')
    parser.add_argument('--ships', type=int, default=2, help='ships per clip')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.train_videos < 1 or args.test_videos < 1 or args.frames < 2 or args.width < 160 or args.height < 128:
        sys.exit(f'{TOOL}: need --train-videos >= 1, --test-videos >= 1, --frames >= 2, --width >= 160 and '
                 '--height >= 128')
    rng = np.random.default_rng(args.seed)
    counts = {'aircraft': args.aircraft, 'ship': args.ships}
    clips = [(split, f'{split}-{i + 1:03d}') for split, n in (('train', args.train_videos),
                                                               ('test', args.test_videos)) for i in range(n)]
    try:
        with output_errors(args.out):
            for split, name in tqdm(clips, desc='clips', unit='clip'):
                try:
                    images, rows = render_clip(args.width, args.height, args.frames, rng, counts)
                except ValueError as err:
                    sys.exit(f'{TOOL}: {err}')
                write_clip(osp.join(args.out, split, name), images, rows)
    except OutputWriteError as err:
        sys.exit(f'{TOOL}: {err}')
    print(f'wrote {len(clips)} clips of {args.frames} frames ({args.train_videos} train, {args.test_videos} test) '
          f'to {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
