"""mmrotate 1.0.0rc1: Oriented R-CNN (le90, RoIAlignRotated) on RingMoE-KC trains one step and predicts
rotated boxes."""
import math

import torch
from mmdet.structures import DetDataSample
from mmengine.dataset import pseudo_collate
from mmengine.structures import InstanceData
from mmrotate.structures import RotatedBoxes

CONFIG = 'oriented-rcnn-le90_ringmoe-kc-tiny_fpn_64x64_rot.py'
NUM_CLASSES = 3


def _batch():
    # (cx, cy, w, h, angle) with le90 angles in [-pi/2, pi/2).
    boxes = [
        torch.tensor([[20., 20., 24., 10., 0.3], [42., 44., 16., 26., -0.5]]),
        torch.tensor([[32., 30., 30., 12., 1.2]])
    ]
    labels = [torch.tensor([0, 2]), torch.tensor([1])]
    samples = []
    for i in range(2):
        sample = DetDataSample(
            metainfo=dict(img_id=i, img_shape=(64, 64), ori_shape=(64, 64), scale_factor=(1., 1.)))
        sample.gt_instances = InstanceData(bboxes=RotatedBoxes(boxes[i]), labels=labels[i])
        samples.append(
            dict(inputs=torch.randint(0, 256, (3, 64, 64), dtype=torch.uint8), data_samples=sample))
    return pseudo_collate(samples)


def test_oriented_rcnn_ringmoe_kc(build_model, check_backbone, train_one_step, predict):
    cfg, model = build_model(CONFIG)
    assert cfg.default_scope == 'mmrotate'
    assert type(model.roi_head.bbox_roi_extractor.roi_layers[0]).__name__ == 'RoIAlignRotated'
    check_backbone(model.backbone, model.data_preprocessor(_batch())['inputs'])

    log_vars = train_one_step(cfg, model, _batch(), model.backbone)
    assert {'loss', 'loss_rpn_cls', 'loss_rpn_bbox', 'loss_cls', 'loss_bbox', 'acc'} <= set(log_vars)

    results = predict(model, _batch())
    assert len(results) == 2
    for result in results:
        pred = result.pred_instances
        num = len(pred)
        assert 0 < num <= cfg.model.test_cfg.rcnn.max_per_img
        # mmdet's predict hands box types back as tensors: (cx, cy, w, h, angle).
        boxes = pred.bboxes
        assert isinstance(boxes, torch.Tensor) and boxes.shape == (num, 5)
        assert pred.scores.shape == (num, ) and pred.labels.shape == (num, )
        assert ((0 <= pred.labels) & (pred.labels < NUM_CLASSES)).all()
        assert (pred.scores >= cfg.model.test_cfg.rcnn.score_thr).all()
        angles = boxes[:, 4]
        assert ((-math.pi / 2 <= angles) & (angles < math.pi / 2)).all()  # le90
        assert (boxes[:, 2:4] > 0).all()
