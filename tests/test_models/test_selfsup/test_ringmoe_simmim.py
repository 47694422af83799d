"""RingMoE's multi-modal SimMIM: power target (Eq. 5), masked loss (Eq. 6), total (Eq. 7), decoders,
the data preprocessor's guards."""
import copy
import logging
import math

import pytest
import torch
from mmengine.logging import MMLogger
from mmpretrain.structures import DataSample

from mmringmoe.models.backbones import SimMIMRingMoE
from mmringmoe.models.heads import MultiModalMIMHead, polarimetric_power
from mmringmoe.models.necks import MultiModalLinearDecoder
from mmringmoe.models.selfsup import RingMoESimMIM
from mmringmoe.registry import MODELS

CHANNELS = dict(opt=3, ms=4, sar_l1=8, sar_l2=1)
SIZE, PATCH = 64, 4  # 16 x 16 tokens
BACKBONE = dict(type='SimMIMRingMoE', arch='tiny', img_size=SIZE, window_size=[4, 4, 4, 2], drop_path_rate=0.)
STATS = dict(  # distinct per channel, and the normalised images of make_batch come out O(1)
    mean={m: [0. if m == 'sar_l1' else 90. + 5 * i for i in range(c)] for m, c in CHANNELS.items()},
    std={m: [50. + i for i in range(c)] for m, c in CHANNELS.items()})


def build_model(**kwargs):
    cfg = dict(
        type='RingMoESimMIM',
        backbone=dict(BACKBONE, **kwargs.pop('backbone', {})),
        neck=dict(type='MultiModalLinearDecoder', in_channels=256, encoder_stride=32),
        head=dict(type='MultiModalMIMHead', power_norm=dict(sar_l1=dict(mean=10., std=3.))),
        data_preprocessor=dict(STATS))
    cfg.update(kwargs)
    return MODELS.build(cfg)


def make_batch(modalities, seed=0, mask_ratio=0.6):
    """``pseudo_collate`` output: raw images and data samples with a token mask and the modality."""
    gen = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for i, m in enumerate(modalities):
        offset = 100 if m == 'sar_l1' else 0  # SAR-L1 real/imaginary parts are signed
        inputs.append(torch.rand(CHANNELS[m], SIZE, SIZE, generator=gen) * 200 - offset)
        sample = DataSample(metainfo=dict(modality=m, img_path=f'/tiles/{m}_{i}.tif'))
        sample.set_mask((torch.rand(SIZE // PATCH, SIZE // PATCH, generator=gen) < mask_ratio).long())
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def losses_of(model, data, seed=0):
    torch.manual_seed(seed)  # the same router noise for every call
    return model(**model.data_preprocessor(copy.deepcopy(data), True), mode='loss')


# --- Eq. 5: the SAR-L1 power target ---------------------------------------------------------------------
def test_power_is_the_sum_of_squared_moduli():
    hh, hv, vh, vv = 1 + 2j, 3 - 1j, 0.5j, -2 + 0j  # |.|^2 = 5, 10, 0.25, 4
    raw = torch.zeros(1, 8, 2, 2)
    for p, value in enumerate((hh, hv, vh, vv)):
        raw[0, 2 * p] = value.real
        raw[0, 2 * p + 1] = value.imag
    raw[0, :, 1, 1] = torch.arange(1., 9.)  # 1 + 4 + ... + 64 = 204
    expected = torch.tensor([[[[19.25, 19.25], [19.25, 204.]]]])
    torch.testing.assert_close(polarimetric_power(raw), expected)


def test_power_target_is_normalised_power_of_the_raw_values():
    raw = torch.zeros(2, 8, 4, 4)
    raw[:, 0], raw[:, 3], raw[:, 7] = 3., -4., 12.  # power 9 + 16 + 144 = 169
    normalised_input = torch.randn(2, 8, 4, 4)  # must not matter
    log_head = MultiModalMIMHead(power_norm=dict(sar_l1=dict(log=True, eps=1., mean=2., std=4.)))
    target = log_head.target('sar_l1', normalised_input, raw)
    assert target.shape == (2, 1, 4, 4)
    torch.testing.assert_close(target, torch.full((2, 1, 4, 4), (math.log(170.) - 2.) / 4.))
    linear_head = MultiModalMIMHead(power_norm=dict(sar_l1=dict(log=False, mean=100., std=10.)))
    torch.testing.assert_close(linear_head.target('sar_l1', normalised_input, raw),
                               torch.full((2, 1, 4, 4), 6.9))


def test_pixel_targets_are_the_normalised_inputs():
    head = MultiModalMIMHead(targets=dict(sar_l1='pixel'))
    x = torch.randn(2, 8, 4, 4)
    assert head.target('sar_l1', x, None) is x and head.target('opt', x[:, :3], None) is not None
    assert head.target_channels('sar_l1', 8) == 8 and MultiModalMIMHead().target_channels('sar_l1', 8) == 1


@pytest.mark.parametrize('kwargs, match', [
    (dict(targets=dict(sar_l1='amplitude')), 'pixel'),
    (dict(power_norm=dict(sar_l1=dict(std=0.))), 'std > 0'),
    (dict(power_norm=dict(sar_l1=dict(scale=2.))), 'unknown keys'),
    (dict(loss=dict(type='mmpretrain.PixelReconstructionLoss', criterion='L2', channel=3)), 'channel'),
])
def test_bad_head_settings_are_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MultiModalMIMHead(**kwargs)


# --- Eq. 6: squared error over masked pixels only ------------------------------------------------------
def test_loss_is_the_mean_squared_error_over_masked_pixels_only():
    head = MultiModalMIMHead()
    pred, target = torch.randn(2, 3, 8, 8), torch.randn(2, 3, 8, 8)
    mask = torch.tensor([[[1, 0], [0, 0]], [[0, 1], [1, 1]]])  # 4 x 4 pixel patches
    pixel_mask = mask.repeat_interleave(4, 1).repeat_interleave(4, 2)[:, None].expand(-1, 3, -1, -1).bool()
    expected = ((pred - target)**2)[pixel_mask].mean()
    torch.testing.assert_close(head.loss(pred, target, mask), expected)

    visible_changed = torch.where(pixel_mask, target, target + 100.)
    torch.testing.assert_close(head.loss(pred, visible_changed, mask), expected)
    masked_changed = torch.where(pixel_mask, target + 1., target)
    assert not torch.allclose(head.loss(pred, masked_changed, mask), expected)


def test_nothing_masked_gives_zero_with_a_graph():
    pred = torch.randn(1, 1, 8, 8, requires_grad=True)
    loss = MultiModalMIMHead().loss(pred, torch.randn(1, 1, 8, 8), torch.zeros(1, 2, 2, dtype=torch.long))
    assert loss.item() == 0. and loss.requires_grad


def test_model_loss_ignores_the_targets_at_visible_pixels(monkeypatch):
    """End to end: the algorithm hands each modality's mask to Eq. 6 (targets shifted where visible)."""
    model = build_model()
    data = make_batch(['opt', 'sar_l1'])
    before = losses_of(model, data)
    pixel_masks = {s.metainfo['modality']: s.mask.repeat_interleave(PATCH, 0).repeat_interleave(PATCH, 1)
                   for s in data['data_samples']}
    target = model.head.target

    def shifted_where_visible(modality, inputs, raw):
        return target(modality, inputs, raw) + 100. * (pixel_masks[modality] == 0)

    monkeypatch.setattr(model.head, 'target', shifted_where_visible)
    after = losses_of(model, data)
    for m in ('opt', 'sar_l1'):
        torch.testing.assert_close(after[f'loss_rec_{m}'], before[f'loss_rec_{m}'])

    def shifted_where_masked(modality, inputs, raw):
        return target(modality, inputs, raw) + 100. * (pixel_masks[modality] == 1)

    monkeypatch.setattr(model.head, 'target', shifted_where_masked)
    assert losses_of(model, data)['loss_rec_opt'] > before['loss_rec_opt'] + 1000.


# --- per-modality losses ------------------------------------------------------------------------------
def test_each_modality_loss_depends_only_on_its_own_predictions():
    model = build_model()
    data = make_batch(['opt', 'ms', 'sar_l1', 'sar_l2'])
    before = losses_of(model, data)
    with torch.no_grad():
        model.neck.decoders['opt'][0].weight.add_(torch.randn(3072, 256, 1, 1))  # only Opt's decoder changes
    after = losses_of(model, data)
    assert after['loss_rec_opt'] != before['loss_rec_opt']
    for m in ('ms', 'sar_l1', 'sar_l2'):
        assert after[f'loss_rec_{m}'] == before[f'loss_rec_{m}']

    model.zero_grad()
    losses_of(model, data)['loss_rec_ms'].backward()
    assert model.neck.decoders['ms'][0].weight.grad.abs().sum() > 0
    for m in ('opt', 'sar_l1', 'sar_l2'):
        grad = model.neck.decoders[m][0].weight.grad
        assert grad is None or grad.abs().sum() == 0


def test_absent_modality_has_no_key_and_no_nan():
    model = build_model()
    losses = losses_of(model, make_batch(['opt', 'sar_l1', 'opt']))
    assert set(losses) == {'loss_rec_opt', 'loss_rec_sar_l1', 'loss_balance_collaborative',
                           'loss_balance_specialized_opt', 'loss_balance_specialized_sar_l1'}
    assert all(torch.isfinite(v) for v in losses.values())
    total, _ = model.parse_losses(losses)
    total.backward()
    assert all(torch.isfinite(p.grad).all() for p in model.parameters() if p.grad is not None)


def test_decoder_output_shape_per_modality():
    decoder = MultiModalLinearDecoder(in_channels=256, encoder_stride=32,
                                      out_channels=dict(opt=3, ms=4, sar_l1=1))
    x = torch.randn(2, 256, 2, 2)
    assert {m: tuple(decoder(x, m).shape) for m in ('opt', 'ms', 'sar_l1')} == {
        'opt': (2, 3, 64, 64), 'ms': (2, 4, 64, 64), 'sar_l1': (2, 1, 64, 64)}
    with pytest.raises(ValueError, match='no decoder for modality'):
        decoder(x, 'sar_l2')


def test_decoder_channels_follow_the_target_choice():
    """The Table A18 ablation is one setting: head.targets.sar_l1 = 'pixel' gives an 8-channel decoder."""
    assert build_model().neck.out_channels == dict(opt=3, ms=4, sar_l1=1, sar_l2=1)
    pixel = build_model(head=dict(type='MultiModalMIMHead', targets=dict(sar_l1='pixel')))
    assert pixel.neck.out_channels == dict(opt=3, ms=4, sar_l1=8, sar_l2=1)
    losses = losses_of(pixel, make_batch(['sar_l1']))
    assert torch.isfinite(losses['loss_rec_sar_l1'])


# --- Eq. 7: L = L_recon + alpha * L_balance -----------------------------------------------------------
def test_balance_term_weighting():
    data = make_batch(['opt', 'ms', 'sar_l1', 'sar_l2', 'ms'])
    without = build_model(alpha=0.)
    with_balance = build_model(alpha=0.25)
    # strict=False: SwinV2 re-creates its position buffers and drops them from loaded state dicts.
    result = with_balance.load_state_dict(without.state_dict(), strict=False)
    assert not result.unexpected_keys and all('relative_' in k for k in result.missing_keys)
    total_0, _ = without.parse_losses(losses_of(without, data))
    losses = losses_of(with_balance, data)
    raw_balance = sum(with_balance.backbone.balance_losses().values())
    total_1, log_vars = with_balance.parse_losses(losses)
    assert raw_balance > 0
    torch.testing.assert_close(total_1 - total_0, 0.25 * raw_balance)
    # Eq. 7 exactly once: the total is the reconstruction terms plus alpha times Eq. 4's sum.
    rec = sum(v for k, v in losses.items() if k.startswith('loss_rec_'))
    torch.testing.assert_close(total_1, rec + 0.25 * raw_balance)
    assert set(k for k in log_vars if k.startswith('loss_balance_')) == {
        'loss_balance_collaborative', 'loss_balance_specialized_opt', 'loss_balance_specialized_ms',
        'loss_balance_specialized_sar_l1', 'loss_balance_specialized_sar_l2'}


def test_balance_term_trains_the_routers_under_gradient_checkpointing():
    """The 1B FSDP config sets with_cp=True: the balance terms must reach the routers exactly as without."""
    data = make_batch(['opt', 'ms', 'sar_l1', 'sar_l2'])
    plain, checkpointed = build_model(), build_model(backbone=dict(with_cp=True))
    checkpointed.load_state_dict(plain.state_dict(), strict=False)  # SwinV2 drops its index buffers
    grads = []
    for model in (plain.train(), checkpointed.train()):
        balance = {k: v for k, v in losses_of(model, data).items() if k.startswith('loss_balance_')}
        assert len(balance) == 5 and all(v.requires_grad for v in balance.values())
        sum(balance.values()).backward()
        grads.append({n: p.grad for n, p in model.named_parameters() if 'router' in n and p.grad is not None})
    assert len(grads[0]) == len(grads[1]) == 2 * 5 * len(plain.backbone.rmoe_layers)
    for name in grads[0]:
        torch.testing.assert_close(grads[1][name], grads[0][name], rtol=1e-5, atol=1e-9)


def test_losses_under_bf16_autocast():
    """tools/train.py --amp and the FSDP config train under bf16 autocast: finite fp32 losses, gradients."""
    model = build_model()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        losses = losses_of(model, make_batch(['opt', 'ms', 'sar_l1', 'sar_l2']))
    assert all(v.dtype == torch.float32 and torch.isfinite(v) for v in losses.values())
    model.parse_losses(losses)[0].backward()
    assert model.backbone.mask_token.grad is not None


# --- backbone mask token -------------------------------------------------------------------------------
def test_mask_token_replaces_masked_patches():
    backbone = SimMIMRingMoE(arch='tiny', img_size=SIZE, window_size=[4, 4, 4, 2], drop_path_rate=0.,
                             noisy_gating=False).eval()
    backbone.init_weights()
    a, b = torch.randn(1, 3, SIZE, SIZE), torch.randn(1, 3, SIZE, SIZE)
    everything = torch.ones(1, SIZE // PATCH, SIZE // PATCH)
    with torch.no_grad():
        torch.testing.assert_close(backbone(a, 'opt', mask=everything)[-1],
                                   backbone(b, 'opt', mask=everything)[-1])
        assert not torch.allclose(backbone(a, 'opt')[-1], backbone(b, 'opt')[-1])
        torch.testing.assert_close(backbone(a, 'opt', mask=torch.zeros_like(everything))[-1],
                                   backbone(a, 'opt')[-1])
    with pytest.raises(ValueError, match='model_patch_size'):
        backbone(a, 'opt', mask=torch.ones(1, 2, 2))


# --- data preprocessor ---------------------------------------------------------------------------------
def test_preprocessor_normalises_each_modality_with_its_statistics():
    model = build_model()
    data = make_batch(['opt', 'sar_l2'])
    raw = [img.clone() for img in data['inputs']]
    out = model.data_preprocessor(data, True)
    for img, r, m in zip(out['inputs'], raw, ['opt', 'sar_l2']):
        mean = torch.tensor(STATS['mean'][m]).view(-1, 1, 1)
        std = torch.tensor(STATS['std'][m]).view(-1, 1, 1)
        torch.testing.assert_close(img, (r - mean) / std)
    torch.testing.assert_close(out['data_samples'][0].raw_img, raw[0])


def test_preprocessor_rejects_nan_inf_and_wrong_bands_naming_the_file():
    model = build_model()
    data = make_batch(['opt', 'ms', 'sar_l1', 'sar_l2'])
    data['inputs'][0][1, 5, 5] = float('nan')
    data['inputs'][2][0, 0, 0] = float('inf')
    data['inputs'][1] = data['inputs'][1][:3]  # an MS tile with 3 bands
    logger = MMLogger.get_instance('test_preprocessor_rejects')
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger.addHandler(handler)
    try:
        out = model.data_preprocessor(data, True)
    finally:
        logger.removeHandler(handler)
    assert [s.metainfo['modality'] for s in out['data_samples']] == ['sar_l2']
    assert model.data_preprocessor.num_rejected == 3
    messages = ' '.join(r.getMessage() for r in records)
    expected = (('opt_0.tif', 'NaN/Inf'), ('ms_1.tif', 'expected 4 channels'), ('sar_l1_2.tif', 'NaN/Inf'))
    for name, problem in expected:
        assert name in messages and problem in messages
    assert '3 rejected so far' in messages
    losses = model(**out, mode='loss')
    assert all(torch.isfinite(v) for v in losses.values())


def test_all_rejected_batch_trains_on_nothing():
    model = build_model()
    data = make_batch(['opt', 'ms'])
    for img in data['inputs']:
        img[0, 0, 0] = float('nan')
    losses = model(**model.data_preprocessor(data, True), mode='loss')
    assert list(losses) == ['loss_rec'] and losses['loss_rec'].item() == 0.
    losses['loss_rec'].backward()  # every rank can still run backward (DDP)
    assert all(p.grad is not None and p.grad.abs().sum() == 0 for p in model.parameters())


@pytest.mark.parametrize('kwargs, match', [
    (dict(neck=dict(type='MultiModalLinearDecoder', in_channels=256, encoder_stride=32,
                    out_channels=dict(opt=3, ms=4, sar_l1=8, sar_l2=1))), "'power' target has 1"),
    (dict(data_preprocessor=dict(mean=dict(STATS['mean'], ms=[0.] * 3), std=dict(STATS['std'], ms=[1.] * 3))),
     'normalises 3 channels'),
    (dict(data_preprocessor=None), 'required'),
    (dict(alpha=-1.), 'alpha'),
])
def test_inconsistent_settings_fail_at_build(kwargs, match):
    with pytest.raises(ValueError, match=match):
        build_model(**kwargs)


def test_tensor_mode_gives_unmasked_features():
    model = build_model().eval()
    data = model.data_preprocessor(make_batch(['opt', 'sar_l1']), False)
    feats = model(**data, mode='tensor')
    assert isinstance(model, RingMoESimMIM) and tuple(feats[-1].shape) == (2, 256, 2, 2)
