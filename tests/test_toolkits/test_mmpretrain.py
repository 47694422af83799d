"""mmpretrain: ImageClassifier (GAP + LinearClsHead) on RingMoE-KC trains one step and predicts scores."""
import torch
from mmengine.dataset import pseudo_collate
from mmpretrain.structures import DataSample

CONFIG = 'ringmoe-kc-tiny_linear_64x64_cls.py'
NUM_CLASSES = 5


def _batch():
    samples = []
    for label in (1, 4):
        sample = DataSample(metainfo=dict(img_shape=(64, 64), ori_shape=(64, 64))).set_gt_label(label)
        samples.append(
            dict(inputs=torch.randint(0, 256, (3, 64, 64), dtype=torch.uint8), data_samples=sample))
    return pseudo_collate(samples)


def test_image_classifier_ringmoe_kc(build_model, check_backbone, train_one_step, predict):
    cfg, model = build_model(CONFIG)
    # Classification keeps mmpretrain's default: only the last stage, no padding of small maps.
    check_backbone(model.backbone, model.data_preprocessor(_batch())['inputs'], out_indices=(3, ))
    assert [stage.blocks[0].attn.window_size for stage in model.backbone.stages] == [4, 4, 4, 2]

    log_vars = train_one_step(cfg, model, _batch(), model.backbone)
    assert set(log_vars) == {'loss'}
    assert log_vars['loss'] > 0

    results = predict(model, _batch())
    assert len(results) == 2
    for result in results:
        assert result.pred_score.shape == (NUM_CLASSES, )
        torch.testing.assert_close(result.pred_score.sum(), torch.tensor(1.))
        assert result.pred_label.shape == (1, )
        assert result.pred_label.item() == result.pred_score.argmax().item()
