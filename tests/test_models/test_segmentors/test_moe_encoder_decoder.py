"""Fine-tuning a sparse RingMoE in mmseg: the balance term enters the loss, also under with_cp."""
import torch
from mmseg.structures import SegDataSample
from mmengine.structures import PixelData

from mmringmoe.registry import MODELS


def segmentor(balance_loss_weight=0.01, **backbone):
    return MODELS.build(dict(
        type='mmringmoe.MoEEncoderDecoder',
        balance_loss_weight=balance_loss_weight,
        backbone=dict(type='mmringmoe.RingMoE', arch='tiny', modalities=['opt'], window_size=4,
                      pad_small_map=True, drop_path_rate=0.1, out_indices=(0, 1, 2, 3), **backbone),
        decode_head=dict(type='mmseg.FCNHead', in_channels=256, in_index=3, channels=16, num_convs=1,
                         num_classes=3, norm_cfg=None, loss_decode=dict(type='mmseg.CrossEntropyLoss')),
        train_cfg=dict(), test_cfg=dict(mode='whole'))).train()


def batch():
    gen = torch.Generator().manual_seed(0)
    inputs = torch.randn(2, 3, 64, 64, generator=gen)
    samples = []
    for _ in range(2):
        sample = SegDataSample(metainfo=dict(img_shape=(64, 64), pad_shape=(64, 64)))
        sample.gt_sem_seg = PixelData(data=torch.randint(0, 3, (1, 64, 64), generator=gen))
        samples.append(sample)
    return inputs, samples


def test_balance_losses_are_weighted_into_the_loss():
    model = segmentor(balance_loss_weight=0.5)
    inputs, samples = batch()
    losses = model.loss(inputs, samples)
    raw = model.backbone.balance_losses()
    assert set(k for k in losses if k.startswith('loss_balance_')) == {
        'loss_balance_collaborative', 'loss_balance_specialized_opt'}
    torch.testing.assert_close(losses['loss_balance_collaborative'], 0.5 * raw['collaborative'])
    total, _ = model.parse_losses(losses)
    torch.testing.assert_close(total, losses['decode.loss_ce'] + 0.5 * sum(raw.values()))


def test_router_gradients_of_the_balance_term_match_under_with_cp():
    plain, checkpointed = segmentor(), segmentor(with_cp=True)
    checkpointed.load_state_dict(plain.state_dict(), strict=False)  # SwinV2 drops its index buffers
    inputs, samples = batch()
    grads = []
    for model in (plain, checkpointed):
        torch.manual_seed(0)
        losses = model.loss(inputs, samples)
        sum(v for k, v in losses.items() if k.startswith('loss_balance_')).backward()
        grads.append({n: p.grad for n, p in model.named_parameters() if 'router' in n and p.grad is not None})
    assert len(grads[0]) == len(grads[1]) == 2 * 2 * len(plain.backbone.rmoe_layers)
    assert any(g.abs().sum() > 0 for g in grads[0].values())
    for name in grads[0]:
        torch.testing.assert_close(grads[1][name], grads[0][name], rtol=1e-5, atol=1e-8)
