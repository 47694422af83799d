"""The tracking demo behind ``tools/demo/run_demo.py --task track`` (run it through that tool).

1. Generates Jilin-1-like satellite clips in the MOT-Challenge layout
   (``tools/dataset_converters/make_demo_track_data.py``: aircraft over land and ships over water, known ids;
   3 training clips and 1 test clip of 24 frames, 320 x 192 px) if ``DATA/AIR-MOT`` lacks them, and converts
   them with the converter of the real releases (``tools/dataset_converters/mot2coco.py --layout air-mot``).
2. Trains the demo config's YOLOX on a tiny RingMoE-KC from scratch on crops of the training frames, with
   mmengine's Runner.
3. Tracks the test clip with ByteTrack (the paper's settings) and scores it with
   ``mmringmoe.MultiClassMOTMetric`` (MOTA, IDF1, HOTA, ID switches, FP, FN per class and overall); then draws
   every frame enlarged, the ground truth on the left and the tracks on the right, each id in its own colour
   with its number and a trail of its last centres, into ``<work-dir>/tracks.gif`` (and the last frame into
   ``<work-dir>/tracks_last.png``).
"""
import io
import math
import os.path as osp
import sys
import warnings
from typing import Dict, List, Tuple

import cv2
import numpy as np
from mmengine.hooks import Hook
from mmengine.runner import Runner
from PIL import Image

from mmringmoe.utils.atomic_io import OutputWriteError, atomic_write_bytes, is_write_failure
from mmringmoe.utils.scripts import load_script

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DATASET_DIR = 'AIR-MOT'
TRAIN_CLIPS, TEST_CLIPS, FRAMES = 3, 1, 24
ZOOM, TRAIL, FRAME_MS, GIF_COLOURS = 2, 12, 150, 128  # enlargement, trail length, GIF frame ms and colours
SUMMARY_KEYS = ('MOTA', 'IDF1', 'HOTA')
# BGR colours cycled over track ids
PALETTE = [(60, 60, 255), (255, 160, 0), (0, 220, 255), (255, 0, 200), (0, 255, 120), (255, 255, 0),
           (160, 80, 255), (0, 140, 255), (200, 255, 120), (255, 120, 120)]


def make_demo_data(data: str) -> str:
    """The demo clips under ``DATA/AIR-MOT`` and their video COCO JSON (both kept when present)."""
    root = osp.join(data, DATASET_DIR)
    if not osp.isdir(osp.join(root, 'test')):
        load_script(osp.join(ROOT, 'tools/dataset_converters/make_demo_track_data.py')).main(
            [root, '--train-videos', str(TRAIN_CLIPS), '--test-videos', str(TEST_CLIPS), '--frames', str(FRAMES)])
    if not osp.isfile(osp.join(root, 'annotations', 'test_cocoformat.json')):
        converter = load_script(osp.join(ROOT, 'tools/dataset_converters/mot2coco.py'))
        converter.main([root, '--out', osp.join(root, 'annotations'), '--layout', 'air-mot'])
    return root


class TrackCollector(Hook):
    """Keeps, for every tracked test frame, its image path, ground truth and tracks (boxes, ids, labels)."""

    def __init__(self) -> None:
        self.frames: List[dict] = []

    def after_test_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        for video in outputs:
            for sample in video.video_data_samples:
                gt, pred = sample.gt_instances, sample.pred_track_instances
                self.frames.append(
                    dict(video_id=sample.video_id, frame_id=sample.frame_id, img_path=sample.img_path,
                         gt=(gt.bboxes.numpy(), gt.instances_ids.numpy(), gt.labels.numpy()),
                         pred=(pred.bboxes.numpy(), pred.instances_id.numpy(), pred.labels.numpy())))


def centre(box: np.ndarray) -> Tuple[int, int]:
    return int(round((box[0] + box[2]) / 2 * ZOOM)), int(round((box[1] + box[3]) / 2 * ZOOM))


def draw_panel(image: np.ndarray, objects: Tuple[np.ndarray, np.ndarray, np.ndarray],
               trails: Dict[int, List[Tuple[int, int]]], classes: List[str], caption: str) -> np.ndarray:
    """``image`` (BGR) enlarged ZOOM times with each object's box, ``id class`` label and trail."""
    canvas = cv2.resize(image, None, fx=ZOOM, fy=ZOOM, interpolation=cv2.INTER_LINEAR)
    for box, track_id, label in zip(*objects):
        colour = PALETTE[int(track_id) % len(PALETTE)]
        trail = trails.setdefault(int(track_id), [])
        trail.append(centre(box))
        del trail[:-TRAIL]
        if len(trail) > 1:
            cv2.polylines(canvas, [np.array(trail, np.int32)], False, colour, 1, cv2.LINE_AA)
        x1, y1, x2, y2 = (int(round(v * ZOOM)) for v in box)
        cv2.rectangle(canvas, (x1, y1), (x2, y2), colour, 1)
        cv2.putText(canvas, f'{int(track_id)} {classes[int(label)]}', (x1, max(y1 - 4, 10)),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.4, colour, 1, cv2.LINE_AA)
    cv2.putText(canvas, caption, (6, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1, cv2.LINE_AA)
    return canvas


def draw_tracks(frames: List[dict], classes: List[str], work_dir: str) -> str:
    """The first test video, ground truth | tracks per frame, as ``<work_dir>/tracks.gif`` (and its last frame
    as ``tracks_last.png``); returns the GIF's path."""
    video = [f for f in frames if f['video_id'] == frames[0]['video_id']]
    gt_trails: Dict[int, list] = {}
    pred_trails: Dict[int, list] = {}
    panels = []
    for f in sorted(video, key=lambda f: f['frame_id']):
        image = cv2.imread(f['img_path'])
        gt = draw_panel(image, f['gt'], gt_trails, classes, f'ground truth, frame {f["frame_id"] + 1}')
        tracks = draw_panel(image, f['pred'], pred_trails, classes, 'ByteTrack: ids and trails')
        panels.append(np.concatenate([gt, np.full((gt.shape[0], 6, 3), 255, np.uint8), tracks], axis=1))
    pictures = [Image.fromarray(cv2.cvtColor(p, cv2.COLOR_BGR2RGB)) for p in panels]
    # one palette for all frames (the scene's colours, then the id colours and white exactly), no dithering: the
    # still background stays the same pixels from frame to frame, so the GIF stores little more than the objects
    scene = pictures[-1].quantize(colors=GIF_COLOURS - len(PALETTE) - 1, dither=Image.Dither.NONE)
    colours = scene.getpalette()[:3 * (GIF_COLOURS - len(PALETTE) - 1)]
    for b, g, r in PALETTE + [(255, 255, 255)]:
        colours += [r, g, b]
    palette = Image.new('P', (1, 1))
    palette.putpalette(colours)
    frames = [p.quantize(palette=palette, dither=Image.Dither.NONE) for p in pictures]
    buffer = io.BytesIO()
    frames[0].save(buffer, format='GIF', save_all=True, append_images=frames[1:], duration=FRAME_MS, loop=0,
                   optimize=True)
    path = osp.join(work_dir, 'tracks.gif')
    atomic_write_bytes(path, buffer.getvalue())
    atomic_write_bytes(osp.join(work_dir, 'tracks_last.png'), cv2.imencode('.png', panels[-1])[1].tobytes())
    return path


def run(config: str, data: str, work_dir: str) -> int:
    """Steps 1-3 of the module docstring; exits with one line when the MOTA is not finite or a write fails."""
    # mmdet's SimOTA assigner calls torch.cuda.amp.autocast, deprecated in torch 2.13: one warning per iteration
    warnings.filterwarnings('ignore', message=r'`torch.cuda.amp.autocast', category=FutureWarning)
    print(f'[1/3] demo clips in {osp.join(data, DATASET_DIR)}')
    root = make_demo_data(data)
    cfg = load_script(osp.join(ROOT, 'tools/demo/demo_config.py')).load_demo_config(config, root, work_dir)
    cfg.visualizer.pop('name', None)  # a fresh visualizer per run (see tools/demo/run_demo.py)
    print(f'[2/3] training {osp.basename(config)} for {cfg.train_cfg.max_iters} iterations (log in {work_dir})')
    runner = Runner.from_cfg(cfg)
    collector = TrackCollector()
    runner.register_hook(collector)
    try:
        runner.train()
        print('[3/3] tracking the demo test clip (per-class table above the result line)')
        metrics = runner.test()
        gif = draw_tracks(collector.frames, list(runner.test_dataloader.dataset.metainfo['classes']), work_dir)
    except (OutputWriteError, OSError) as err:
        if isinstance(err, OutputWriteError) or is_write_failure(err):
            sys.exit(f'run_demo: cannot write to {work_dir}: {err.strerror}')
        raise
    overall = {key: float(metrics[f'mot/{key}']) for key in SUMMARY_KEYS}  # over all classes
    print('demo result: ' + ', '.join(f'{key} {100 * value:.2f}' for key, value in overall.items()))
    print(f'tracks drawn, ground truth | ByteTrack, frame by frame: {gif}')
    if not math.isfinite(overall['MOTA']):
        sys.exit('run_demo: the MOTA is not finite')
    return 0
