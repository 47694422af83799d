"""mmseg: UPerNet (EncoderDecoder + UPerHead) on RingMoE-KC trains one step and predicts a label map."""
import torch
from mmengine.dataset import pseudo_collate
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

CONFIG = 'upernet_ringmoe-kc-tiny_64x64_seg.py'
NUM_CLASSES = 4
# The 64x64 inputs were resized from 48x56 images: predictions come back at that size.
ORI_SHAPE = (48, 56)


def _batch():
    samples = []
    for i in range(2):
        label = torch.zeros(1, 64, 64, dtype=torch.long)
        label[:, :32] = 1
        label[:, :, 40:] = 2 + i
        label[:, 60:, :4] = 255  # ignored pixels
        sample = SegDataSample(metainfo=dict(img_shape=(64, 64), ori_shape=ORI_SHAPE))
        sample.gt_sem_seg = PixelData(data=label)
        samples.append(
            dict(inputs=torch.randint(0, 256, (3, 64, 64), dtype=torch.uint8), data_samples=sample))
    return pseudo_collate(samples)


def test_upernet_ringmoe_kc(build_model, check_backbone, train_one_step, predict):
    cfg, model = build_model(CONFIG)
    check_backbone(model.backbone, model.data_preprocessor(_batch())['inputs'])

    log_vars = train_one_step(cfg, model, _batch(), model.backbone)
    assert {'loss', 'decode.loss_ce', 'decode.acc_seg'} <= set(log_vars)
    assert log_vars['decode.loss_ce'] > 0

    results = predict(model, _batch())
    assert len(results) == 2
    for result in results:
        seg = result.pred_sem_seg.data
        assert seg.shape == (1, *ORI_SHAPE) and seg.dtype == torch.int64
        assert 0 <= seg.min() and seg.max() < NUM_CLASSES
        logits = result.seg_logits.data
        assert logits.shape == (NUM_CLASSES, *ORI_SHAPE)
        torch.testing.assert_close(logits.argmax(0, keepdim=True), seg)
