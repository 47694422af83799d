"""mmdet: Faster R-CNN + FPN on RingMoE-KC trains one step and predicts boxes."""
import torch
from mmdet.structures import DetDataSample
from mmengine.dataset import pseudo_collate
from mmengine.structures import InstanceData

CONFIG = 'faster-rcnn_ringmoe-kc-tiny_fpn_64x64_det.py'
NUM_CLASSES = 3


def _batch():
    boxes = [torch.tensor([[5., 6., 30., 40.], [20., 10., 60., 50.]]), torch.tensor([[8., 30., 56., 60.]])]
    labels = [torch.tensor([0, 2]), torch.tensor([1])]
    samples = []
    for i in range(2):
        sample = DetDataSample(
            metainfo=dict(img_id=i, img_shape=(64, 64), ori_shape=(64, 64), scale_factor=(1., 1.)))
        sample.gt_instances = InstanceData(bboxes=boxes[i], labels=labels[i])
        samples.append(
            dict(inputs=torch.randint(0, 256, (3, 64, 64), dtype=torch.uint8), data_samples=sample))
    return pseudo_collate(samples)


def test_faster_rcnn_ringmoe_kc(build_model, check_backbone, train_one_step, predict):
    cfg, model = build_model(CONFIG)
    check_backbone(model.backbone, model.data_preprocessor(_batch())['inputs'])

    log_vars = train_one_step(cfg, model, _batch(), model.backbone)
    assert {'loss', 'loss_rpn_cls', 'loss_rpn_bbox', 'loss_cls', 'loss_bbox', 'acc'} <= set(log_vars)

    results = predict(model, _batch())
    assert len(results) == 2
    max_per_img = cfg.model.test_cfg.rcnn.max_per_img
    for result in results:
        pred = result.pred_instances
        num = len(pred)
        assert 0 < num <= max_per_img
        assert pred.bboxes.shape == (num, 4) and pred.scores.shape == (num, ) and pred.labels.shape == (num, )
        assert pred.labels.dtype == torch.int64 and ((0 <= pred.labels) & (pred.labels < NUM_CLASSES)).all()
        assert (pred.scores >= cfg.model.test_cfg.rcnn.score_thr).all()
        assert (pred.scores[:-1] >= pred.scores[1:]).all()  # sorted by score
        # Clipped to the image and well-formed.
        assert (pred.bboxes >= 0).all() and (pred.bboxes <= 64).all()
        assert (pred.bboxes[:, 2:] >= pred.bboxes[:, :2]).all()
