"""MOT-Challenge style video folders: the column layouts of ``gt/gt.txt`` and the reading of ``seqinfo.ini``
and of the frame folder, each problem reported in one line naming the file (and line).

A video folder (paper App. B.5.5: AIR-MOT and AIR-HSAO are distributed this way)::

    <video>/seqinfo.ini            [Sequence] name, seqLength (frames), optional imDir (img1), imExt (.jpg),
                                   frameRate, imWidth, imHeight
    <video>/img1/000001.jpg ...    frame n is the image whose file stem is the integer n
    <video>/gt/gt.txt              one object per row, comma separated; frame, id, box left, top, width,
                                   height come first, the rest depends on the layout

The layouts (:data:`LAYOUTS`) are documented in docs/datasets.md ("Tracking datasets"). MOT15 and MOT17 follow
the MOTChallenge format notes; the class column of AIR-MOT and AIR-HSAO is not documented publicly, so their
presets are assumptions (README, "Where the paper is silent").
"""
import configparser
import math
import os
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from .oriented_annotations import AnnotationError

# MOTChallenge's class ids (MOT16/17 ``gt.txt`` column 8), as mmdet's own converter writes them.
MOT_CLASSES: Tuple[Tuple[int, str], ...] = (
    (1, 'pedestrian'), (2, 'person_on_vehicle'), (3, 'car'), (4, 'bicycle'), (5, 'motorbike'),
    (6, 'non_mot_vehicle'), (7, 'static_person'), (8, 'distractor'), (9, 'occluder'), (10, 'occluder_on_ground'),
    (11, 'occluder_full'), (12, 'reflection'), (13, 'crowd'))


@dataclass(frozen=True)
class MOTColumnLayout:
    """Where the fields of a ``gt.txt`` row are (0-based columns); frame, id, left, top, width, height are
    always columns 0-5.

    Args:
        num_columns: the number of comma-separated values every row has.
        categories: ``(category id, name)`` of the classes, written as the COCO ``categories``.
        conf_column: the "consider" flag (MOTChallenge: 0 = ignore this box in evaluation, 1 = use it).
        class_column: the category id; ``None``: every row is ``categories[0]``.
        visibility_column: visibility ratio in [0, 1]; ``None``: 1.0.
    """
    num_columns: int
    categories: Tuple[Tuple[int, str], ...]
    conf_column: int = 6
    class_column: Optional[int] = None
    visibility_column: Optional[int] = None

    @property
    def class_names(self) -> Tuple[str, ...]:
        return tuple(name for _, name in self.categories)


LAYOUTS: Dict[str, MOTColumnLayout] = {
    # frame, id, left, top, width, height, conf, x, y, z (world coordinates, -1); pedestrians only
    'mot15': MOTColumnLayout(num_columns=10, categories=MOT_CLASSES),
    # frame, id, left, top, width, height, conf (0 = ignore), class, visibility
    'mot17': MOTColumnLayout(num_columns=9, categories=MOT_CLASSES, class_column=7, visibility_column=8),
    # assumed: MOT17's columns, class 1 = aircraft, 2 = ship (the release does not document them)
    'air-mot': MOTColumnLayout(num_columns=9, categories=((1, 'aircraft'), (2, 'ship')), class_column=7,
                               visibility_column=8),
    # assumed: MOT17's columns, class 1 = airplane (the only class)
    'air-hsao': MOTColumnLayout(num_columns=9, categories=((1, 'airplane'), ), class_column=7,
                                visibility_column=8),
}


@dataclass
class SequenceInfo:
    """The ``[Sequence]`` section of a video's ``seqinfo.ini``; ``width``/``height`` are ``None`` when the file
    does not give them (MOT15's)."""
    name: str
    folder: str
    seq_length: int
    im_dir: str = 'img1'
    im_ext: str = '.jpg'
    frame_rate: Optional[float] = None
    width: Optional[int] = None
    height: Optional[int] = None


@dataclass
class GroundTruthBox:
    """One ``gt.txt`` row: ``bbox`` is ``[left, top, width, height]`` as written (floats, not rounded)."""
    frame: int
    track_id: int
    bbox: List[float]
    conf: float
    category_id: int
    visibility: float
    line: int


def _positive_int(value: str, key: str, path: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number <= 0:
        raise AnnotationError(f'{path}: {key}={value} is not a positive integer')
    return number


def read_seqinfo(video_folder: str) -> SequenceInfo:
    """Read ``<video_folder>/seqinfo.ini``; :class:`AnnotationError` naming the file when it cannot be parsed
    or lacks ``seqLength``."""
    path = osp.join(video_folder, 'seqinfo.ini')
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are camelCase
    try:
        with open(path, encoding='utf-8') as f:
            parser.read_file(f)
    except configparser.Error as err:
        raise AnnotationError(f'{path}: not a readable seqinfo.ini ({err.message.splitlines()[0]})') from None
    if not parser.has_section('Sequence'):
        raise AnnotationError(f'{path}: no [Sequence] section')
    section = parser['Sequence']
    if 'seqLength' not in section:
        raise AnnotationError(f'{path}: no seqLength (the number of frames)')
    optional = {key: _positive_int(section[key], key, path)
                for key in ('imWidth', 'imHeight') if key in section}
    frame_rate = None
    if 'frameRate' in section:
        frame_rate = _number(section['frameRate'], 'frameRate', path)
        frame_rate = int(frame_rate) if frame_rate.is_integer() else frame_rate
    ext = section.get('imExt', '.jpg')
    return SequenceInfo(
        name=section.get('name', osp.basename(osp.normpath(video_folder))),
        folder=video_folder,
        seq_length=_positive_int(section['seqLength'], 'seqLength', path),
        im_dir=section.get('imDir', 'img1'),
        im_ext=ext if ext.startswith('.') else f'.{ext}',
        frame_rate=frame_rate,
        width=optional.get('imWidth'),
        height=optional.get('imHeight'))


def frame_files(info: SequenceInfo) -> List[str]:
    """The image files of frames 1..seqLength, in order, relative to the video's parent folder
    (``<video>/img1/000001.jpg``): frame n is the file of the image folder whose stem is the integer n (any
    zero padding). Files of other frames are not used. :class:`AnnotationError` naming the first missing
    frame and ``seqinfo.ini``; ``FileNotFoundError`` when the image folder does not exist."""
    image_dir = osp.join(info.folder, info.im_dir)
    if not osp.isdir(image_dir):
        raise FileNotFoundError(f'{image_dir} does not exist (imDir of {osp.join(info.folder, "seqinfo.ini")})')
    by_frame = {}
    for name in os.listdir(image_dir):
        stem, ext = osp.splitext(name)
        if ext.lower() == info.im_ext.lower() and stem.isdigit():
            by_frame[int(stem)] = name
    video = osp.basename(osp.normpath(info.folder))
    files = []
    for frame in range(1, info.seq_length + 1):
        if frame not in by_frame:
            raise AnnotationError(f'{osp.join(info.folder, "seqinfo.ini")} lists {info.seq_length} frames but '
                                  f'frame {frame} ({frame:06d}{info.im_ext}) is missing from {image_dir}')
        files.append(osp.join(video, info.im_dir, by_frame[frame]))
    return files


def _number(value: str, what: str, where: str, integer: bool = False) -> float:
    try:
        number = float(value)
    except ValueError:
        raise AnnotationError(f'{where}: {what} {value.strip()!r} is not a number') from None
    if not math.isfinite(number) or (integer and not number.is_integer()):
        raise AnnotationError(f'{where}: {what} {value.strip()!r} is not {"an integer" if integer else "finite"}')
    return number


def parse_gt_row(text: str, layout: MOTColumnLayout, path: str, line: int) -> GroundTruthBox:
    """Row ``line`` (1-based) of the ``gt.txt`` at ``path``; every error message starts with ``path:line``."""
    where = f'{path}:{line}'
    values = text.split(',')
    if len(values) != layout.num_columns:
        raise AnnotationError(f'{where}: {len(values)} columns where the layout has {layout.num_columns}')
    frame = int(_number(values[0], 'frame', where, integer=True))
    track_id = int(_number(values[1], 'track id', where, integer=True))
    bbox = [_number(v, name, where) for v, name in zip(values[2:6], ('left', 'top', 'width', 'height'))]
    if bbox[2] <= 0 or bbox[3] <= 0:
        raise AnnotationError(f'{where}: box of zero size (width {values[4].strip()}, height '
                              f'{values[5].strip()})')
    category_id = layout.categories[0][0]
    if layout.class_column is not None:
        category_id = int(_number(values[layout.class_column], 'class', where, integer=True))
        known = [cid for cid, _ in layout.categories]
        if category_id not in known:
            raise AnnotationError(f'{where}: class {category_id} is not one of the layout\'s classes '
                                  f'({", ".join(f"{cid} {name}" for cid, name in layout.categories)})')
    visibility = 1.0
    if layout.visibility_column is not None:
        visibility = _number(values[layout.visibility_column], 'visibility', where)
    conf = _number(values[layout.conf_column], 'conf', where)
    return GroundTruthBox(frame, track_id, bbox, conf, category_id, visibility, line)


def read_gt(path: str, layout: MOTColumnLayout, seq_length: int) -> Dict[int, List[GroundTruthBox]]:
    """The rows of ``gt.txt`` grouped by frame (1-based), in file order. :class:`AnnotationError` naming the
    file and line for a wrong column count, a value that is not a number, a box of zero size, a class the
    layout does not have, a frame outside 1..``seq_length``, and a track id used twice in one frame (naming
    both lines); ``FileNotFoundError`` when the file does not exist."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path} does not exist (every video needs its ground truth)')
    frames: Dict[int, List[GroundTruthBox]] = {}
    seen: Dict[Tuple[int, int], int] = {}
    with open(path, encoding='utf-8') as f:
        for number, text in enumerate(f, start=1):
            if not text.strip():
                continue
            box = parse_gt_row(text, layout, path, number)
            if not 1 <= box.frame <= seq_length:
                raise AnnotationError(f'{path}:{number}: frame {box.frame} is outside 1..{seq_length} '
                                      '(seqLength of seqinfo.ini)')
            key = (box.frame, box.track_id)
            if key in seen:
                raise AnnotationError(f'{path}:{number}: track id {box.track_id} is used twice in frame '
                                      f'{box.frame} (also on line {seen[key]})')
            seen[key] = number
            frames.setdefault(box.frame, []).append(box)
    return frames
