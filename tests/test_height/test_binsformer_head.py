"""BinsFormer's bins (widths sum to the range, centres ordered, heights inside the range), the head's
outputs, its auxiliary losses and its handling of padded and missing label pixels."""
import pytest
import torch
from height_layouts import CHANNELS, SIZE, TINY_DIMS
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmringmoe.models.heads import BinsFormerHead, bins_from_logits, height_from_bins
from mmringmoe.registry import MODELS


def test_bin_widths_sum_to_the_range_and_centres_are_ordered_midpoints():
    logits = torch.randn(3, 64)
    edges, centres = bins_from_logits(logits, 2.0, 40.0)
    assert edges.shape == (3, 65) and centres.shape == (3, 64)
    widths = edges[:, 1:] - edges[:, :-1]
    assert torch.all(widths > 0)
    torch.testing.assert_close(widths.sum(1), torch.full((3, ), 38.0))
    torch.testing.assert_close(edges[:, 0], torch.full((3, ), 2.0))
    torch.testing.assert_close(edges[:, -1], torch.full((3, ), 40.0))
    assert torch.all(centres[:, 1:] > centres[:, :-1])
    torch.testing.assert_close(centres, (edges[:, 1:] + edges[:, :-1]) / 2)
    # widths are the range times the softmax of the logits (the reference's normalisation)
    torch.testing.assert_close(widths, 38.0 * torch.softmax(logits, 1))


def test_height_is_the_probability_weighted_sum_of_centres_inside_the_range():
    logits = torch.randn(2, 64) * 3
    _, centres = bins_from_logits(logits, 0.0, 50.0)
    pixel_logits = torch.randn(2, 64, 5, 7) * 10
    heights = height_from_bins(pixel_logits, centres)
    assert heights.shape == (2, 1, 5, 7)
    direct = (pixel_logits.softmax(1) * centres[:, :, None, None]).sum(1, keepdim=True)
    torch.testing.assert_close(heights, direct)
    assert torch.all(heights >= centres[:, :1, None, None]) and torch.all(heights <= 50.0)
    # a pixel sure of one bin gets that bin's centre
    sure = torch.full((2, 64, 1, 1), -1e4)
    sure[:, 10] = 1e4
    torch.testing.assert_close(height_from_bins(sure, centres)[:, 0, 0, 0], centres[:, 10])


def tiny_head(**kwargs) -> BinsFormerHead:
    layer = dict(embed_dims=CHANNELS, num_heads=4, dropout=0.0, batch_first=True)
    ffn = dict(embed_dims=CHANNELS, feedforward_channels=2 * CHANNELS, num_fcs=2, ffn_drop=0.0)
    cfg = dict(type='mmringmoe.BinsFormerHead',
               in_channels=TINY_DIMS,
               channels=CHANNELS,
               num_bins=16,
               max_height=30.0,
               pixel_decoder=dict(num_outs=3,
                                  norm_cfg=dict(type='GN', num_groups=32),
                                  encoder=dict(num_layers=1,
                                               layer_cfg=dict(self_attn_cfg=dict(embed_dims=CHANNELS,
                                                                                 num_heads=4,
                                                                                 num_levels=3,
                                                                                 num_points=4,
                                                                                 batch_first=True),
                                                              ffn_cfg=ffn)),
                                  positional_encoding=dict(num_feats=CHANNELS // 2, normalize=True)),
               transformer_decoder=dict(num_layers=3,
                                        layer_cfg=dict(self_attn_cfg=layer, cross_attn_cfg=layer,
                                                       ffn_cfg=ffn)),
               aux_indices=(0, 1),
               aux_weights=(0.25, 0.5))
    cfg.update(kwargs)
    head = MODELS.build(cfg)
    head.init_weights()
    return head


def features(batch: int = 2):
    return [torch.randn(batch, c, SIZE // s, SIZE // s) for c, s in zip(TINY_DIMS, (4, 8, 16, 32))]


def sample(label: torch.Tensor, padding=(0, 0, 0, 0)) -> SegDataSample:
    data_sample = SegDataSample(
        metainfo=dict(img_shape=(SIZE, SIZE), pad_shape=(SIZE, SIZE), padding_size=padding))
    data_sample.gt_depth_map = PixelData(data=label[None])
    return data_sample


def test_head_predicts_one_map_per_decoder_layer_inside_the_range():
    head = tiny_head()
    heights = head(features())
    assert len(heights) == 3 and all(h.shape == (2, 1, SIZE // 4, SIZE // 4) for h in heights)
    assert all(torch.all((h >= 0) & (h <= 30.0)) for h in heights)
    predicted = head.predict(features(), [dict(img_shape=(SIZE, SIZE), pad_shape=(SIZE, SIZE))] * 2, None)
    assert predicted.shape == (2, 1, SIZE, SIZE)
    assert not hasattr(head, 'conv_seg')  # mmseg's classifier conv would be an unused parameter


def test_losses_of_the_last_layer_and_the_weighted_auxiliary_layers_train_every_parameter():
    head = tiny_head()
    labels = torch.rand(2, SIZE, SIZE) * 20
    samples = [sample(label) for label in labels]
    assert sorted(head.loss(features(), samples,
                            None)) == ['loss_silog', 'loss_silog_aux0', 'loss_silog_aux1']
    maps = head(features())
    losses = head.loss_by_feat(maps, samples)
    for name, index, weight in (('loss_silog', 2, 1.0), ('loss_silog_aux0', 0, 0.25), ('loss_silog_aux1', 1,
                                                                                       0.5)):
        resized = torch.nn.functional.interpolate(maps[index],
                                                  size=(SIZE, SIZE),
                                                  mode='bilinear',
                                                  align_corners=True)
        torch.testing.assert_close(losses[name], weight * head.loss_decode(resized, labels[:, None]))
    sum(losses.values()).backward()
    assert [n for n, p in head.named_parameters() if p.grad is None] == []


def test_padding_and_missing_heights_are_left_out_of_the_loss():
    head = tiny_head()
    maps = [m.detach() for m in head(features(1))]
    label = torch.rand(SIZE, SIZE) * 20
    clean = head.loss_by_feat(maps, [sample(label)])['loss_silog']
    # the preprocessor padded 8 px at the right and bottom with 255; and 10 pixels have no height
    padded = label.clone()
    padded[:, -8:] = 255.0
    padded[-8:, :] = 255.0
    padded[0, :10] = float('nan')
    loss = head.loss_by_feat(maps, [sample(padded, padding=(0, 8, 0, 8))])['loss_silog']
    expected_label = label.clone()
    expected_label[:, -8:] = float('nan')
    expected_label[-8:, :] = float('nan')
    expected_label[0, :10] = float('nan')
    expected = head.loss_by_feat(maps, [sample(expected_label)])['loss_silog']
    assert torch.isfinite(loss) and not torch.isclose(loss, clean)
    torch.testing.assert_close(loss, expected)


def test_bad_head_arguments_are_refused():
    with pytest.raises(ValueError, match='max_height'):
        tiny_head(min_height=5.0, max_height=5.0)
    with pytest.raises(ValueError, match='intermediate'):
        tiny_head(aux_indices=(0, 2))
