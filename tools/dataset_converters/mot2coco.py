"""Convert MOT-Challenge style video folders (AIR-MOT, AIR-HSAO, MOT15, MOT17; paper App. B.5.5) into mmdet
3.1's video COCO JSON, the file mmdet's ``MOTChallengeDataset`` (and ``mmringmoe.AIRMOTDataset`` /
``mmringmoe.AIRHSAODataset``) and its ``TrackImgSampler`` / ``VideoSampler`` read.

    python tools/dataset_converters/mot2coco.py data/AIR-MOT --out data/AIR-MOT/annotations --layout air-mot

SRC_ROOT holds one folder per video (``<video>/seqinfo.ini``, ``<video>/img1/``, ``<video>/gt/gt.txt``), or
split folders of them (``train/<video>/...``, ``test/<video>/...``); each split becomes
``OUT/<split>_cocoformat.json`` (mmdet's naming; a folder of videos is one split named after the folder), or
OUT itself when it ends in ``.json`` and there is one split. ``--split-from LIST`` converts only the videos
of SRC_ROOT named in LIST (one per line, ``#`` comments) into ``<LIST name>_cocoformat.json``, for releases
that give a split as a list. Image ``file_name`` is relative to the split folder (``<video>/img1/000001.jpg``).
The column layout of ``gt.txt`` is one of the presets of ``mmringmoe/datasets/mot_layout.py``
(docs/datasets.md, "Tracking datasets").

The JSON has mmdet's own converter's fields (``videos``; ``images`` with ``video_id``, ``frame_id`` from 0,
``mot_frame_id``; ``annotations`` with ``instance_id``, ``mot_instance_id``, ``mot_conf``, ``visibility``),
with box coordinates kept as written (floats: objects of satellite video are 5-20 px wide, and rounding
moves their IoU a lot). Bad input stops the tool with one line naming the file (and line): a row with the
wrong number of columns, a frame of seqinfo.ini missing from ``img1/``, a track id used twice in one frame,
a box of zero size, frames of different sizes in one video, an unreadable frame. The JSON is written whole
or not at all.
"""
import argparse
import json
import os
import os.path as osp
import sys
from typing import Dict, List, Optional, Tuple

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout

from PIL import Image, UnidentifiedImageError  # noqa: E402
from tqdm import tqdm  # noqa: E402

from mmringmoe.datasets.mot_layout import (LAYOUTS, MOTColumnLayout, SequenceInfo, frame_files,  # noqa: E402
                                           read_gt, read_seqinfo)
from mmringmoe.datasets.oriented_annotations import AnnotationError  # noqa: E402
from mmringmoe.utils.atomic_io import OutputWriteError, atomic_output, prepare_output_folder  # noqa: E402

TOOL = 'mot2coco.py'


def video_folders(folder: str) -> List[str]:
    """The sub-folders of ``folder`` that hold a ``seqinfo.ini``, sorted."""
    return [osp.join(folder, name) for name in sorted(os.listdir(folder))
            if osp.isfile(osp.join(folder, name, 'seqinfo.ini'))]


def listed_videos(src_root: str, split_from: str) -> List[str]:
    """The video folders of ``src_root`` named in the text file ``split_from``, in its order."""
    if not osp.isfile(split_from):
        raise FileNotFoundError(f'{split_from} (--split-from) does not exist')
    with open(split_from, encoding='utf-8') as f:
        names = [name for name in (line.split('#', 1)[0].strip() for line in f) if name]
    if not names:
        raise AnnotationError(f'{split_from} (--split-from) names no video')
    for name in names:
        if not osp.isfile(osp.join(src_root, name, 'seqinfo.ini')):
            raise FileNotFoundError(f'{split_from} lists {name}, but {osp.join(src_root, name, "seqinfo.ini")} '
                                    'does not exist')
    return [osp.join(src_root, name) for name in names]


def find_splits(src_root: str, split_from: Optional[str]) -> Dict[str, List[str]]:
    """``{split name: video folders}``: the videos named in ``split_from`` (split named after the list file);
    else SRC_ROOT's video folders (split named after SRC_ROOT); else, for a release root, the video folders of
    each sub-folder that has some (``train/``, ``test/``). Errors say where the tool looked."""
    if not osp.isdir(src_root):
        raise FileNotFoundError(f'{src_root} is not a folder')
    if split_from is not None:
        return {osp.splitext(osp.basename(split_from))[0]: listed_videos(src_root, split_from)}
    videos = video_folders(src_root)
    if videos:
        return {osp.basename(osp.normpath(src_root)): videos}
    splits = {name: video_folders(osp.join(src_root, name)) for name in sorted(os.listdir(src_root))
              if osp.isdir(osp.join(src_root, name))}
    splits = {name: videos for name, videos in splits.items() if videos}
    if not splits:
        raise FileNotFoundError(f'nothing to convert: no video folder with a seqinfo.ini in {src_root} '
                                '(<video>/seqinfo.ini) or in its sub-folders (<split>/<video>/seqinfo.ini)')
    return splits


def frame_size(path: str) -> Tuple[int, int]:
    """``(width, height)`` of an image from its header; :class:`AnnotationError` naming an unreadable file."""
    try:
        with Image.open(path) as image:
            return image.size
    except (UnidentifiedImageError, OSError) as err:
        raise AnnotationError(f'{path}: cannot be read as an image ({err.__class__.__name__})') from None


def video_size(info: SequenceInfo, files: List[str], parent: str) -> Tuple[int, int]:
    """The one size of all frames of a video: seqinfo.ini's ``imWidth`` x ``imHeight`` when given, else the
    first frame's. :class:`AnnotationError` naming the first frame of another size."""
    expected = (info.width, info.height) if info.width and info.height else None
    source = osp.join(info.folder, 'seqinfo.ini')
    for name in files:
        size = frame_size(osp.join(parent, name))
        if expected is None:
            expected, source = size, osp.join(parent, name)
        elif size != expected:
            raise AnnotationError(f'{osp.join(parent, name)}: frame of {size[0]} x {size[1]} px in a video of '
                                  f'{expected[0]} x {expected[1]} px ({source}); every frame of a video must have '
                                  'one size')
    return expected


class VideoCocoWriter:
    """Accumulates videos into mmdet 3.1's video COCO dictionary (the ids of mmdet's ``mot2coco.py``: videos,
    images and annotations from 1, instance ids from 0 over the whole file, one per track of a video)."""

    def __init__(self, layout: MOTColumnLayout) -> None:
        self.layout = layout
        self.coco: Dict[str, list] = dict(
            categories=[dict(id=cid, name=name) for cid, name in layout.categories], videos=[], images=[],
            annotations=[])
        self.num_instances = 0

    def add_video(self, video_folder: str) -> None:
        info = read_seqinfo(video_folder)
        parent = osp.dirname(osp.normpath(video_folder))
        files = frame_files(info)
        width, height = video_size(info, files, parent)
        gt = read_gt(osp.join(video_folder, 'gt', 'gt.txt'), self.layout, info.seq_length)
        video_id = len(self.coco['videos']) + 1
        self.coco['videos'].append(
            dict(id=video_id, name=osp.basename(osp.normpath(video_folder)), fps=info.frame_rate, width=width,
                 height=height))
        instance_ids: Dict[int, int] = {}
        for frame_id, file_name in enumerate(files):
            image_id = len(self.coco['images']) + 1
            self.coco['images'].append(
                dict(id=image_id, video_id=video_id, file_name=file_name, height=height, width=width,
                     frame_id=frame_id, mot_frame_id=frame_id + 1))
            for box in gt.get(frame_id + 1, []):
                if box.track_id not in instance_ids:
                    instance_ids[box.track_id] = self.num_instances
                    self.num_instances += 1
                self.coco['annotations'].append(
                    dict(id=len(self.coco['annotations']) + 1, image_id=image_id, category_id=box.category_id,
                         instance_id=instance_ids[box.track_id], mot_instance_id=box.track_id, bbox=box.bbox,
                         area=box.bbox[2] * box.bbox[3], iscrowd=False, visibility=box.visibility,
                         mot_conf=box.conf))

    def to_dict(self) -> dict:
        return dict(self.coco, num_instances=self.num_instances)


def output_files(out: str, splits: List[str]) -> Dict[str, str]:
    """``{split: JSON path}``: OUT itself when it ends in ``.json`` (one split only), else
    ``OUT/<split>_cocoformat.json`` (mmdet's naming)."""
    if out.lower().endswith('.json'):
        if len(splits) > 1:
            raise AnnotationError(f'--out {out} names one file but there are {len(splits)} splits '
                                  f'({", ".join(splits)}): give a folder')
        return {splits[0]: out}
    return {split: osp.join(out, f'{split}_cocoformat.json') for split in splits}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('src_root', metavar='SRC_ROOT',
                        help='folder of video folders (<video>/seqinfo.ini), or of split folders of them')
    parser.add_argument('--out', required=True, help='output .json file, or folder for <split>_cocoformat.json')
    parser.add_argument('--layout', required=True, choices=sorted(LAYOUTS), help='column layout of gt/gt.txt')
    parser.add_argument('--split-from', metavar='LIST', help='convert only the videos named in this text file')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    written = []
    try:
        splits = find_splits(args.src_root, args.split_from)
        out_files = output_files(args.out, list(splits))
        for out_file in out_files.values():
            prepare_output_folder(osp.dirname(osp.abspath(out_file)))
        with tqdm(total=sum(map(len, splits.values())), desc='videos', unit='video') as progress:
            for split, videos in splits.items():
                writer = VideoCocoWriter(LAYOUTS[args.layout])
                for video in videos:
                    writer.add_video(video)
                    progress.update()
                coco = writer.to_dict()
                with atomic_output(out_files[split]) as tmp, open(tmp, 'w', encoding='utf-8') as f:
                    json.dump(coco, f)
                written.append(f'{split}: {len(coco["videos"])} videos, {len(coco["images"])} frames, '
                               f'{len(coco["annotations"])} boxes of {coco["num_instances"]} tracks -> '
                               f'{out_files[split]}')
    except (AnnotationError, FileNotFoundError, OutputWriteError) as err:
        sys.exit(f'{TOOL}: {err}')
    print('\n'.join(written) + f' ({args.layout} layout)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
