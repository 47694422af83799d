"""The BIT head (Chen et al. 2021; paper App. B.5.6): shapes of its tokens, refined maps and logits, its
symmetry in the dates, and the check of its input channels."""
import pytest
import torch
from mmengine.registry import init_default_scope

from mmringmoe.registry import MODELS

DIMS = [8, 16, 32, 64]


def bit_head(**kwargs):
    init_default_scope('mmseg')
    cfg = dict(type='mmringmoe.BITHead', in_channels=DIMS, in_index=[0, 1, 2, 3], channels=32, num_classes=2,
               out_channels=2, dec_depth=2, norm_cfg=dict(type='BN'))
    return MODELS.build({**cfg, **kwargs}).eval()


def pyramid(batch=2, size=64, dims=DIMS):
    """Stacked (date A, date B) maps at strides 4, 8, 16, 32 of a ``size`` px input."""
    return [torch.randn(batch, 2 * d, size // 2**(i + 2), size // 2**(i + 2)) for i, d in enumerate(dims)]


def test_shapes_of_tokens_refined_maps_and_logits():
    head = bit_head()
    feats = pyramid()
    first, second = head.split_dates(feats)
    assert first.shape == second.shape == (2, sum(DIMS), 16, 16)  # every scale resized to stride 4
    reduced = head.reduce(first)
    assert reduced.shape == (2, 32, 16, 16)
    tokens = head.tokenize(reduced)
    assert tokens.shape == (2, 4, 32)  # 4 semantic tokens of width 32 per date
    assert head.pos_embed.shape == (1, 4, 32)
    assert head.decode(reduced, tokens).shape == (2, 32, 16, 16)
    assert len(head.encoder) == 1 and len(head.decoder) == 2
    assert head(feats).shape == (2, 2, 64, 64)  # upsampled x4 to the input size, two classes


def test_tokens_are_attention_weighted_means_of_the_pixels():
    head = bit_head()
    x = torch.randn(1, 32, 8, 8)
    weights = head.tokenizer(x).flatten(2).softmax(-1)  # (1, 4, 64)
    assert torch.allclose(weights.sum(-1), torch.ones(1, 4))
    assert torch.allclose(head.tokenize(x)[0, 2], (x.flatten(2)[0] * weights[0, 2]).sum(-1), atol=1e-6)


def test_swapping_the_dates_leaves_the_difference_and_logits_unchanged():
    head = bit_head()
    feats = pyramid()
    swapped = [torch.cat(f.chunk(2, dim=1)[::-1], dim=1) for f in feats]
    assert not torch.equal(feats[0], swapped[0])
    with torch.no_grad():
        assert torch.allclose(head(feats), head(swapped), atol=1e-5)


def test_the_difference_sees_a_change_in_either_date():
    head = bit_head()
    feats = pyramid()
    same = [torch.cat([f[:, :f.shape[1] // 2]] * 2, dim=1) for f in feats]  # date B := date A
    with torch.no_grad():
        unchanged = head(same)
        assert torch.allclose(unchanged, unchanged[:, :, :1, :1].expand_as(unchanged), atol=1e-5)  # no change
        assert not torch.allclose(head(feats), unchanged, atol=1e-3)


def test_input_that_is_not_a_stacked_pair_is_refused():
    head = bit_head()
    feats = pyramid()
    feats[1] = feats[1][:, :16]
    with pytest.raises(ValueError, match='scale 1 has 16 channels, expected 2 x 16'):
        head(feats)
