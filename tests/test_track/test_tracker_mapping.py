"""ByteTrack's parameters of paper App. B.5.5 (NMS 0.65, track threshold 0.3, track buffer 50 frames, match
threshold 0.8) and ByteTrack's fixed constants, mapped to mmdet 3.1's ByteTracker names in
configs/_base_/models/bytetrack_yolox_ringmoe_kc.py: each mapping pinned by the tracker's behaviour on
hand-made detections, at both sides of its threshold.

ByteTrack (ifzhang/ByteTrack, yolox/tracker/byte_tracker.py) matches when the cost 1 - IoU (times the score in
the first association) is at most its threshold; mmdet's ByteTracker takes IoU thresholds. A static object
keeps the Kalman filter's prediction on its box, so the IoU seen by the tracker is the IoU of the boxes below.
"""
import os.path as osp

import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

from mmringmoe.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MODEL = osp.join(REPO, 'configs', '_base_', 'models', 'bytetrack_yolox_ringmoe_kc.py')
BOX = (100., 100., 120., 110.)  # 20 x 10 px, an AIR-MOT-sized object


def tracker_cfg() -> Config:
    return Config.fromfile(MODEL).model.tracker


def build_tracker(**changes):
    init_default_scope('mmdet')
    cfg = tracker_cfg()
    cfg.update(changes)
    return MODELS.build(cfg)


def shifted(dx: float) -> tuple:
    """``BOX`` moved right by ``dx`` px: IoU with ``BOX`` is (20 - dx) / (20 + dx)."""
    x1, y1, x2, y2 = BOX
    return (x1 + dx, y1, x2 + dx, y2)


def iou_shift(iou: float) -> float:
    """The shift of ``BOX`` that gives this IoU with it."""
    return 20 * (1 - iou) / (1 + iou)


def frame(tracker, frame_id: int, *detections) -> dict:
    """Track one frame of ``(box, score)`` detections (label 0); returns {detection index: track id} of the
    detections the tracker outputs (matched to, or starting, a track)."""
    sample = DetDataSample(metainfo=dict(frame_id=frame_id))
    boxes = [box for box, _ in detections]
    sample.pred_instances = InstanceData(
        bboxes=torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4),
        scores=torch.tensor([score for _, score in detections], dtype=torch.float32),
        labels=torch.zeros(len(detections), dtype=torch.long))
    out = tracker.track(sample)
    ids = {}
    for box, track_id in zip(out.bboxes, out.instances_id.tolist()):  # the tracker outputs detection boxes
        distance = (sample.pred_instances.bboxes - box).abs().sum(dim=1)
        ids[int(distance.argmin())] = track_id
    return ids


def confirmed_track(tracker, frames: int = 3, score: float = 0.9) -> int:
    """A track of a static object seen in frames 0..frames-1; returns its id."""
    for t in range(frames):
        ids = frame(tracker, t, (BOX, score))
    return ids[0]


def test_config_carries_the_mapping():
    cfg = Config.fromfile(MODEL).model
    assert cfg.detector.test_cfg.nms == dict(type='nms', iou_threshold=0.65)  # ByteTrack's NMS 0.65
    tracker = cfg.tracker
    assert tracker.type == 'mmringmoe.DetThreshByteTracker' and tracker.motion.type == 'KalmanFilter'
    assert tracker.obj_score_thrs == dict(high=0.3, low=0.1)  # track_thresh 0.3; ByteTrack's 0.1 floor
    assert tracker.init_track_thr == pytest.approx(0.3 + 0.1)  # ByteTrack's det_thresh = track_thresh + 0.1
    assert tracker.weight_iou_with_det_scores is True  # ByteTrack's fuse_score
    # IoU = 1 - ByteTrack's cost thresholds: match_thresh 0.8, second association 0.5, unconfirmed 0.7
    assert tracker.match_iou_thrs == dict(high=pytest.approx(1 - 0.8), low=1 - 0.5, tentative=pytest.approx(1 - 0.7))
    assert tracker.num_tentatives == 2
    assert tracker.num_frames_retain == 50 + 1  # track_buffer 50 (mmdet pops at >=, ByteTrack at >)


@pytest.mark.parametrize('iou, same', [(0.22, True), (0.18, False)])
def test_match_threshold_is_a_cost_of_0_8(iou, same):
    """First association: a high-score detection keeps the track's id when 1 - IoU <= 0.8."""
    tracker = build_tracker()
    track_id = confirmed_track(tracker)
    ids = frame(tracker, 3, (shifted(iou_shift(iou)), 1.0))
    assert (ids[0] == track_id) is same


def test_first_association_weighs_iou_by_the_score():
    """IoU 0.5 with score 0.35 is a fused similarity of 0.175 < 0.2 (cost 0.825 > 0.8): no match in the first
    association, not a low-score detection either, and under det_thresh 0.4: it is dropped."""
    tracker = build_tracker()
    confirmed_track(tracker)
    assert frame(tracker, 3, (shifted(iou_shift(0.5)), 0.35)) == {}
    tracker = build_tracker()
    track_id = confirmed_track(tracker)
    assert frame(tracker, 3, (shifted(iou_shift(0.6)), 0.35)) == {0: track_id}  # 0.21 >= 0.2


@pytest.mark.parametrize('iou, kept', [(0.55, True), (0.45, False)])
def test_low_score_detections_match_at_iou_0_5(iou, kept):
    """Second association: a detection scoring 0.1-0.3 continues an unmatched track at plain IoU >= 0.5
    (ByteTrack's fixed cost 0.5), and never starts a track."""
    tracker = build_tracker()
    track_id = confirmed_track(tracker)
    ids = frame(tracker, 3, (shifted(iou_shift(iou)), 0.2))
    assert ids == ({0: track_id} if kept else {})


def test_detections_under_0_1_are_ignored():
    tracker = build_tracker()
    confirmed_track(tracker)
    assert frame(tracker, 3, (BOX, 0.09)) == {}


@pytest.mark.parametrize('score, starts', [(0.45, True), (0.35, False)])
def test_a_track_starts_at_0_4(score, starts):
    """det_thresh = track_thresh + 0.1: the first frame's detections start tracks from 0.4 on."""
    tracker = build_tracker()
    assert (len(frame(tracker, 0, (BOX, score))) == 1) is starts


@pytest.mark.parametrize('num_tentatives, kept', [(2, True), (3, False)])
def test_a_new_track_is_confirmed_at_its_second_frame(num_tentatives, kept):
    """ByteTrack activates a new track when it is matched in the next frame; an activated track survives a
    missed frame. mmdet's default (3 frames) would drop it."""
    tracker = build_tracker(num_tentatives=num_tentatives)
    other = ((300., 300., 320., 310.), 0.9)  # keeps the tracker busy, so the new object starts tentative
    frame(tracker, 0, other)
    first = frame(tracker, 1, other, (BOX, 0.9))[1]
    assert frame(tracker, 2, other, (BOX, 0.9))[1] == first
    frame(tracker, 3, other)  # missed
    assert (frame(tracker, 4, other, (BOX, 0.9))[1] == first) is kept


@pytest.mark.parametrize('missing, same', [(50, True), (51, False)])
def test_track_buffer_of_50_frames(missing, same):
    """A track missing for 50 frames is recovered in the 51st (ByteTrack: removed once frame - last > 50,
    after that frame's matching); missing for 51 frames, the object gets a new id."""
    tracker = build_tracker()
    track_id = confirmed_track(tracker, frames=3)  # last seen in frame 2
    for t in range(3, 3 + missing):
        frame(tracker, t)
    ids = frame(tracker, 3 + missing, (BOX, 0.9))
    assert (ids[0] == track_id) is same


@pytest.mark.parametrize('tracker_type, starts', [('mmringmoe.DetThreshByteTracker', False), ('ByteTracker', True)])
def test_a_later_frame_starts_tracks_only_from_0_4(tracker_type, starts):
    """ByteTrack applies det_thresh in every frame; mmdet's own ByteTracker only while it holds no track, so a
    0.35 detection next to a confirmed track starts a track with it and not with DetThreshByteTracker."""
    tracker = build_tracker(type=tracker_type)
    confirmed_track(tracker)
    newcomer = ((300., 300., 320., 310.), 0.35)
    ids = frame(tracker, 3, (BOX, 0.9), newcomer)
    assert (1 in ids) is starts
    assert (len(tracker.tracks) == 2) is starts
    assert 1 in frame(tracker, 4, (BOX, 0.9), ((300., 300., 320., 310.), 0.45))  # from 0.4 on, it starts


def test_dropped_tracks_leave_ids_unique():
    """A taken-back track's id is not handed to the next new track twice in one video."""
    tracker = build_tracker()
    confirmed_track(tracker)
    frame(tracker, 3, (BOX, 0.9), ((300., 300., 320., 310.), 0.35))
    ids = frame(tracker, 4, (BOX, 0.9), ((300., 300., 320., 310.), 0.5), ((500., 500., 520., 510.), 0.5))
    assert len(set(ids.values())) == 3
