"""mmcv's compiled ops that the detection / rotated-detection toolkits call run on CPU; values by hand."""
import math

import pytest
import torch
import torch.nn.functional as F
from mmcv.ops import (DeformConv2dPack, ModulatedDeformConv2dPack, MultiScaleDeformableAttention, RoIAlign,
                      RoIAlignRotated, batched_nms, box_iou_rotated, nms, nms_rotated)

# Two boxes with IoU 81 / 119 = 0.68 and a third far away.
BOXES = torch.tensor([[0., 0., 10., 10.], [1., 1., 11., 11.], [20., 20., 30., 30.]])
SCORES = torch.tensor([0.9, 0.8, 0.7])


def test_nms_suppresses_the_overlapping_box():
    dets, keep = nms(BOXES, SCORES, iou_threshold=0.5)
    assert keep.tolist() == [0, 2]
    torch.testing.assert_close(dets, torch.cat([BOXES[[0, 2]], SCORES[[0, 2], None]], dim=1))
    # IoU 0.68 is under a 0.7 threshold: nothing is suppressed.
    _, keep = nms(BOXES, SCORES, iou_threshold=0.7)
    assert keep.tolist() == [0, 1, 2]


def test_batched_nms_only_suppresses_within_a_class():
    cfg = dict(type='nms', iou_threshold=0.5)
    _, keep = batched_nms(BOXES, SCORES, torch.tensor([0, 0, 0]), cfg)
    assert keep.tolist() == [0, 2]
    dets, keep = batched_nms(BOXES, SCORES, torch.tensor([0, 1, 0]), cfg)
    assert keep.tolist() == [0, 1, 2]
    torch.testing.assert_close(dets[:, 4], SCORES)


def _ramp_x(size=8):
    """A 1x1xHxW map whose value is the column index."""
    return torch.arange(size, dtype=torch.float32).repeat(size, 1)[None, None]


def test_roi_align_constant_and_ramp():
    constant = torch.full((1, 2, 8, 8), 3.0)
    rois = torch.tensor([[0., 1.3, 2.1, 6.2, 5.7]])
    out = RoIAlign((3, 3), spatial_scale=1.0, sampling_ratio=2)(constant, rois)
    torch.testing.assert_close(out, torch.full((1, 2, 3, 3), 3.0))

    # RoI x in [2, 6], two bins of width 2, two samples per bin. aligned=True shifts by half a pixel, so the
    # samples fall on columns 2, 3 | 4, 5: means 2.5 | 4.5. Unaligned (legacy): 2.5, 3.5 | 4.5, 5.5.
    rois = torch.tensor([[0., 2., 2., 6., 6.]])
    aligned = RoIAlign((2, 2), spatial_scale=1.0, sampling_ratio=2, aligned=True)(_ramp_x(), rois)
    torch.testing.assert_close(aligned[0, 0], torch.tensor([[2.5, 4.5], [2.5, 4.5]]))
    legacy = RoIAlign((2, 2), spatial_scale=1.0, sampling_ratio=2, aligned=False)(_ramp_x(), rois)
    torch.testing.assert_close(legacy[0, 0], torch.tensor([[3.0, 5.0], [3.0, 5.0]]))


@pytest.mark.parametrize(
    'box1,box2,iou',
    [
        ((10., 10., 8., 4., 0.), (10., 10., 8., 4., 0.), 1.0),  # identical
        ((10., 10., 8., 4., 0.),
         (10., 10., 4., 8., math.pi / 2), 1.0),  # the same rectangle, other parameters
        ((10., 10., 8., 4., 0.), (10., 10., 8., 4., math.pi / 2), 1 / 3),  # a cross: 16 / (32 + 32 - 16)
        ((0., 0., 2., 2., 0.), (1., 0., 2., 2., 0.), 1 / 3),  # shifted by half: 2 / (4 + 4 - 2)
        ((0., 0., 2., 2., 0.),
         (0., 0., 2., 2., math.pi / 4), 1 / math.sqrt(2)),  # square vs diamond: an octagon
    ])
def test_box_iou_rotated(box1, box2, iou):
    out = box_iou_rotated(torch.tensor([box1]), torch.tensor([box2]))
    assert out.shape == (1, 1)
    assert out.item() == pytest.approx(iou, abs=1e-5)
    assert box_iou_rotated(
        torch.tensor([box1]), torch.tensor([box2]), aligned=True).item() == pytest.approx(
            iou, abs=1e-5)


def test_nms_rotated_suppresses_the_overlapping_box():
    boxes = torch.tensor([[10., 10., 8., 4., 0.], [10., 10., 8., 4., 0.1], [30., 30., 8., 4., math.pi / 4]])
    assert box_iou_rotated(boxes[:1], boxes[1:2]).item() > 0.5
    dets, keep = nms_rotated(boxes, SCORES, iou_threshold=0.5)
    assert keep.tolist() == [0, 2]
    torch.testing.assert_close(dets, torch.cat([boxes[[0, 2]], SCORES[[0, 2], None]], dim=1))
    # Per-class NMS as the toolkits run it (mmdet's multiclass_nms -> batched_nms with nms_rotated): boxes of
    # different classes are not compared. (mmcv 2.0.1's CPU kernel ignores nms_rotated's own ``labels``.)
    cfg = dict(type='nms_rotated', iou_threshold=0.5)
    _, keep = batched_nms(boxes, SCORES, torch.tensor([0, 0, 0]), cfg)
    assert keep.tolist() == [0, 2]
    dets, keep = batched_nms(boxes, SCORES, torch.tensor([0, 1, 0]), cfg)
    assert keep.tolist() == [0, 1, 2]
    torch.testing.assert_close(dets[:, :5], boxes)


def test_roi_align_rotated_constant_unrotated_and_quarter_turn():
    constant = torch.full((1, 2, 8, 8), 3.0)
    rois = torch.tensor([[0., 4., 4., 3., 2., 0.7]])
    out = RoIAlignRotated((2, 2), spatial_scale=1.0, sampling_ratio=2)(constant, rois)
    torch.testing.assert_close(out, torch.full((1, 2, 2, 2), 3.0))

    # Angle 0 is RoIAlign of the same box (centre (4, 4), size 4 -> x in [2, 6]).
    feats = torch.rand(1, 3, 8, 8)
    rotated = RoIAlignRotated((2, 2), spatial_scale=1.0,
                              sampling_ratio=2)(feats, torch.tensor([[0., 4., 4., 4., 4., 0.]]))
    plain = RoIAlign((2, 2), spatial_scale=1.0, sampling_ratio=2)(feats, torch.tensor([[0., 2., 2., 6., 6.]]))
    torch.testing.assert_close(rotated, plain)

    # A quarter turn: x = yy * sin(theta) + centre, so on a column-index ramp the output varies down the rows;
    # counter-clockwise rows read 2.5 then 4.5, clockwise the reverse.
    rois = torch.tensor([[0., 4., 4., 4., 4., math.pi / 2]])
    ccw = RoIAlignRotated((2, 2), spatial_scale=1.0, sampling_ratio=2, clockwise=False)(_ramp_x(), rois)
    torch.testing.assert_close(ccw[0, 0], torch.tensor([[2.5, 2.5], [4.5, 4.5]]))
    cw = RoIAlignRotated((2, 2), spatial_scale=1.0, sampling_ratio=2, clockwise=True)(_ramp_x(), rois)
    torch.testing.assert_close(cw[0, 0], torch.tensor([[4.5, 4.5], [2.5, 2.5]]))


def _zero_offsets(conv, dx=0.0):
    """Offset convolution that predicts the constant offset (dy, dx) = (0, dx) at every kernel tap."""
    with torch.no_grad():
        conv.conv_offset.weight.zero_()
        conv.conv_offset.bias.zero_()
        num_taps = conv.kernel_size[0] * conv.kernel_size[1]
        conv.conv_offset.bias[1:2 * num_taps:2] = dx  # channels are (dy, dx) pairs per tap


def test_deform_conv_with_zero_offsets_is_a_plain_conv():
    x = torch.rand(2, 4, 9, 9)
    conv = DeformConv2dPack(4, 6, kernel_size=3, padding=1)
    _zero_offsets(conv)
    torch.testing.assert_close(conv(x), F.conv2d(x, conv.weight, padding=1), rtol=1e-4, atol=1e-5)

    # A constant offset dx = 1 reads one column to the right: tap k of output column j samples x[j + k + 1].
    _zero_offsets(conv, dx=1.0)
    shifted = F.pad(x, (1, 2, 1, 1))[..., 1:]
    torch.testing.assert_close(conv(x), F.conv2d(shifted, conv.weight), rtol=1e-4, atol=1e-5)


def test_modulated_deform_conv_with_zero_offsets_is_half_a_conv():
    x = torch.rand(2, 4, 9, 9)
    conv = ModulatedDeformConv2dPack(4, 6, kernel_size=3, padding=1, bias=True)
    _zero_offsets(conv)  # the mask logits are zero too: mask = sigmoid(0) = 0.5
    with torch.no_grad():
        conv.bias.copy_(torch.arange(6.))
    expected = 0.5 * F.conv2d(x, conv.weight, padding=1) + conv.bias[None, :, None, None]
    torch.testing.assert_close(conv(x), expected, rtol=1e-4, atol=1e-5)


def test_multi_scale_deformable_attention_samples_the_reference_points():
    """Zero sampling offsets, uniform attention and identity projections: the output is the mean over
    levels of the value at each level's reference point."""
    embed_dims, shapes = 8, [(4, 4), (2, 2)]
    attn = MultiScaleDeformableAttention(
        embed_dims=embed_dims, num_heads=2, num_levels=2, num_points=2, dropout=0.0, batch_first=True)
    with torch.no_grad():
        for linear in (attn.sampling_offsets, attn.attention_weights):
            linear.weight.zero_()
            linear.bias.zero_()
        for linear in (attn.value_proj, attn.output_proj):
            linear.weight.copy_(torch.eye(embed_dims))
            linear.bias.zero_()
    levels = [torch.rand(1, embed_dims, h, w) for h, w in shapes]
    value = torch.cat([level.flatten(2).transpose(1, 2) for level in levels], dim=1)
    spatial_shapes = torch.tensor(shapes)
    level_start_index = torch.tensor([0, shapes[0][0] * shapes[0][1]])
    # Reference points at pixel centres, (x + 0.5) / W and (y + 0.5) / H: level 0 pixel (x=1, y=2),
    # level 1 pixel (0, 1).
    reference_points = torch.tensor([[[[1.5 / 4, 2.5 / 4], [0.5 / 2, 1.5 / 2]]]])
    query = torch.zeros(1, 1, embed_dims)
    out = attn(
        query,
        value=value,
        reference_points=reference_points,
        spatial_shapes=spatial_shapes,
        level_start_index=level_start_index)
    expected = (levels[0][0, :, 2, 1] + levels[1][0, :, 1, 0]) / 2
    assert out.shape == (1, 1, embed_dims)
    torch.testing.assert_close(out[0, 0], expected, rtol=1e-5, atol=1e-6)
