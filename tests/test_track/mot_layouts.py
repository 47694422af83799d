"""MOT-Challenge style video folders for the tracking tests: generated ones (``seqinfo.ini``, ``img1/``
frames, ``gt/gt.txt``), and the real MOT15 ground truth of the shared fixtures read in place.

The fixture (/work/shared/fixtures/mot/mmtracking_demo_MOT15_data, from mmtracking's tests) holds
``train/<video>/seqinfo.ini`` (``name`` and ``seqLength`` only), ``train/<video>/gt/gt.txt`` (10 columns)
and real tracker outputs ``train/results/<video>.txt``, but no images: :func:`fixture_release` links its
files into a temporary release and generates the ``img1/`` frames its ``seqinfo.ini`` lists, at the
sequences' 640 x 480 px.
"""
import os
import os.path as osp
from typing import Iterable, Optional, Sequence, Tuple

import cv2
import numpy as np

from mmringmoe.utils.scripts import load_script

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
FIXTURE = '/work/shared/fixtures/mot/mmtracking_demo_MOT15_data/train'
FIXTURE_VIDEOS = ('TUD-Campus', 'TUD-Stadtmitte')
FIXTURE_SIZE = (640, 480)  # width, height of the TUD sequences
CONVERTER = 'tools/dataset_converters/mot2coco.py'


def converter():
    """The converter script as a module (``main(argv)``)."""
    return load_script(osp.join(REPO, CONVERTER))


def _frame_bytes(width: int, height: int, ext: str) -> bytes:
    ok, data = cv2.imencode(ext, np.full((height, width, 3), 90, np.uint8))
    assert ok
    return data.tobytes()


def write_frames(video: str, frames: Iterable[int], size: Tuple[int, int], ext: str = '.jpg') -> None:
    """Grey frames ``img1/%06d<ext>`` of ``size`` (width, height) in the video folder."""
    os.makedirs(osp.join(video, 'img1'), exist_ok=True)
    data = _frame_bytes(*size, ext)
    for frame in frames:
        with open(osp.join(video, 'img1', f'{frame:06d}{ext}'), 'wb') as f:
            f.write(data)


def write_video(root: str, name: str, rows: Sequence[str], seq_length: int, size: Tuple[int, int] = (64, 48),
                seqinfo: Optional[str] = None) -> str:
    """A video folder ``root/name`` with ``seq_length`` frames, ``gt.txt`` = ``rows`` and a MOT17-style
    ``seqinfo.ini`` (or the given text); returns its path."""
    video = osp.join(root, name)
    os.makedirs(osp.join(video, 'gt'), exist_ok=True)
    write_frames(video, range(1, seq_length + 1), size)
    if seqinfo is None:
        seqinfo = (f'[Sequence]\nname={name}\nimDir=img1\nframeRate=10\nseqLength={seq_length}\n'
                   f'imWidth={size[0]}\nimHeight={size[1]}\nimExt=.jpg\n')
    with open(osp.join(video, 'seqinfo.ini'), 'w') as f:
        f.write(seqinfo)
    with open(osp.join(video, 'gt', 'gt.txt'), 'w') as f:
        f.write(''.join(f'{row}\n' for row in rows))
    return video


def fixture_seq_length(video: str) -> int:
    with open(osp.join(FIXTURE, video, 'seqinfo.ini')) as f:
        return int(f.read().split('seqLength=')[1].split()[0])


def fixture_release(root: str) -> str:
    """``root/train/<video>`` for the fixture's two videos: its ``seqinfo.ini`` and ``gt/gt.txt`` linked in
    place, generated frames; returns ``root``. Fails (never skips) when the fixture is missing."""
    assert osp.isdir(FIXTURE), f'the shared MOT15 fixture is missing: {FIXTURE}'
    for video in FIXTURE_VIDEOS:
        folder = osp.join(root, 'train', video)
        os.makedirs(osp.join(folder, 'gt'))
        os.symlink(osp.join(FIXTURE, video, 'seqinfo.ini'), osp.join(folder, 'seqinfo.ini'))
        os.symlink(osp.join(FIXTURE, video, 'gt', 'gt.txt'), osp.join(folder, 'gt', 'gt.txt'))
        write_frames(folder, range(1, fixture_seq_length(video) + 1), FIXTURE_SIZE)
    return root


def fixture_rows(path: str) -> np.ndarray:
    """The rows of a MOT text file of the fixture as floats."""
    return np.loadtxt(path, delimiter=',', ndmin=2)
