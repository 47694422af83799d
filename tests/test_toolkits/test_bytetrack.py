"""Tracking without mmtrack: mmdet 3.1's ByteTrack (YOLOX detector on RingMoE-KC) trains its detector one step
and tracks a two-frame video, keeping each object's id."""
import torch
from mmdet.structures import DetDataSample, TrackDataSample
from mmengine.dataset import pseudo_collate
from mmengine.structures import InstanceData

CONFIG = 'bytetrack_yolox_ringmoe-kc-tiny_64x64_mot.py'


def _meta(frame_id=0):
    return dict(
        img_id=frame_id, frame_id=frame_id, img_shape=(64, 64), ori_shape=(64, 64), scale_factor=(1., 1.))


def _train_batch():
    """ByteTrack trains its detector on single images (``use_det_processor=True``)."""
    boxes = [torch.tensor([[5., 6., 30., 40.], [34., 10., 60., 50.]]), torch.tensor([[8., 30., 40., 62.]])]
    samples = []
    for i in range(2):
        sample = DetDataSample(metainfo=_meta())
        sample.gt_instances = InstanceData(
            bboxes=boxes[i], labels=torch.zeros(len(boxes[i]), dtype=torch.long))
        samples.append(
            dict(inputs=torch.randint(0, 256, (3, 64, 64), dtype=torch.uint8), data_samples=sample))
    return pseudo_collate(samples)


def _video(num_frames=2):
    """One video whose frames are the same image: every track must keep its id."""
    frame = torch.randint(0, 256, (3, 64, 64), dtype=torch.uint8)
    video = TrackDataSample()
    video.video_data_samples = [DetDataSample(metainfo=_meta(i)) for i in range(num_frames)]
    return pseudo_collate([dict(inputs=frame.expand(num_frames, -1, -1, -1).clone(), data_samples=video)])


def test_bytetrack_yolox_ringmoe_kc(build_model, check_backbone, train_one_step, predict):
    cfg, model = build_model(CONFIG)
    assert type(model).__name__ == 'ByteTrack' and type(model.detector).__name__ == 'YOLOX'
    backbone = model.detector.backbone
    check_backbone(backbone, model.data_preprocessor(_train_batch(), True)['inputs'], out_indices=(1, 2, 3))

    log_vars = train_one_step(cfg, model, _train_batch(), backbone)
    assert {'loss', 'loss_cls', 'loss_bbox', 'loss_obj'} <= set(log_vars)

    # An untrained YOLOX scores ~1e-4 (its prior-probability bias init), under every threshold of the config:
    # open them so that the association itself runs.
    model.detector.test_cfg.score_thr = 0.
    tracker = model.tracker
    tracker.init_track_thr = 0.
    tracker.obj_score_thrs = dict(high=0., low=0.)
    tracker.weight_iou_with_det_scores = False

    (video, ) = predict(model, _video())
    assert len(video) == 2
    first, second = (frame.pred_track_instances for frame in video.video_data_samples)
    for tracks in (first, second):
        num = len(tracks)
        assert tracks.bboxes.shape == (num, 4) and tracks.scores.shape == (num, )
        assert tracks.labels.shape == (num, ) and tracks.instances_id.shape == (num, )
        assert (tracks.labels == 0).all()
        assert len(set(tracks.instances_id.tolist())) == num  # unique ids within a frame
    assert len(first) > 0
    # Frame 0 opens tracks 0..n-1; the identical frame 1 matches every one of them and opens none.
    assert sorted(first.instances_id.tolist()) == list(range(len(first)))
    assert sorted(second.instances_id.tolist()) == sorted(first.instances_id.tolist())
    order1, order2 = first.instances_id.argsort(), second.instances_id.argsort()
    torch.testing.assert_close(second.bboxes[order2], first.bboxes[order1])
