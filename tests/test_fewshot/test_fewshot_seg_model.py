"""The prototype segmentor: masked average pooling and cosine scores against hand computations, a frozen
backbone, and test-time features computed once per unique image."""
import numpy as np
import pytest
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmringmoe.models.fewshot import PrototypeFewShotSegmentor
from mmringmoe.models.fewshot.prototype_seg import masked_average_pooling, prototype_logits

TINY = dict(type='mmringmoe.RingMoE-KC', arch='tiny', modality='opt', img_size=64, window_size=[4, 4, 4, 2],
            out_indices=(2, ), pad_small_map=True)


def test_masked_average_pooling_weights_each_cell_by_its_mask_fraction():
    features = torch.randn(1, 3, 2, 2)
    mask = torch.zeros(1, 4, 4)
    mask[0, 0, :2] = 1  # top-left cell: 2 of 4 pixels
    mask[0, 2:, 2:] = 1  # bottom-right cell: 4 of 4
    f = features[0].numpy()
    expected = (0.5 * f[:, 0, 0] + 1.0 * f[:, 1, 1]) / 1.5
    np.testing.assert_allclose(masked_average_pooling(features, mask)[0].numpy(), expected, rtol=1e-5)
    assert torch.equal(masked_average_pooling(features, torch.zeros(1, 4, 4)), torch.zeros(1, 3))


def test_prototype_logits_are_scaled_cosine_similarities():
    query, background, foreground = torch.randn(2, 5, 3, 4), torch.randn(2, 5), torch.randn(2, 5)
    logits = prototype_logits(query, background, foreground, 7.0).numpy()
    q = query.numpy()
    for b in range(2):
        for channel, proto in enumerate((background[b].numpy(), foreground[b].numpy())):
            cos = np.einsum('chw,c->hw', q[b], proto) / (np.linalg.norm(q[b], axis=0) * np.linalg.norm(proto))
            np.testing.assert_allclose(logits[b, channel], 7.0 * cos, rtol=1e-4, atol=1e-5)


def _episodes(names, seed=0):
    """Episodes (support name, query name): images are a fixed random tensor per name, masks per name."""
    images, samples = [], []
    for support, query in names:
        pair = []
        for name in (support, query):
            g = torch.Generator().manual_seed(sum(map(ord, name)) + seed)
            pair.append(torch.randn(3, 64, 64, generator=g))
        images.append(torch.cat(pair))
        mask = torch.zeros(1, 64, 64, dtype=torch.long)
        mask[:, 16:48, 8:40] = 1
        mask[:, :4] = 255
        sample = SegDataSample(metainfo=dict(img_path=query, support_path=support, img_shape=(64, 64)))
        sample.gt_sem_seg = PixelData(data=mask.clone())
        sample.support_sem_seg = PixelData(data=mask.roll(8, dims=2))
        samples.append(sample)
    return torch.stack(images), samples


def test_segment_matches_the_hand_computed_prototype_prediction():
    model = PrototypeFewShotSegmentor(TINY, in_channels=128, channels=None, scale=1.0, learn_scale=False).eval()
    inputs, samples = _episodes([('a', 'b')])
    logits = model(inputs, samples, mode='tensor')
    support_feats = model.backbone(inputs[:, :3])[0]
    query_feats = model.backbone(inputs[:, 3:])[0]
    mask = samples[0].support_sem_seg.data[0]
    cell = torch.nn.functional.avg_pool2d((mask == 1).float()[None, None], 16)[0, 0]  # 4 x 4 cells of 16 px
    fg = (support_feats[0] * cell).sum((1, 2)) / cell.sum()
    cell_bg = torch.nn.functional.avg_pool2d((mask == 0).float()[None, None], 16)[0, 0]
    bg = (support_feats[0] * cell_bg).sum((1, 2)) / cell_bg.sum()
    scores = torch.stack([torch.cosine_similarity(query_feats[0], p[:, None, None], dim=0) for p in (bg, fg)])
    expected = torch.nn.functional.interpolate(scores[None], (64, 64), mode='bilinear', align_corners=False)
    torch.testing.assert_close(logits, expected, rtol=1e-4, atol=1e-5)


def test_training_changes_the_projection_and_scale_never_the_backbone():
    model = PrototypeFewShotSegmentor(TINY, in_channels=128, channels=16)
    model.train()
    assert not model.backbone.training and not any(p.requires_grad for p in model.backbone.parameters())
    assert {n for n, p in model.named_parameters() if p.requires_grad} == {'projection.weight', 'projection.bias',
                                                                         'scale'}
    before = {k: v.clone() for k, v in model.state_dict().items()}
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
    inputs, samples = _episodes([('a', 'b'), ('c', 'd')])
    loss = model(inputs, samples, mode='loss')['loss_ce']
    loss.backward()
    optimizer.step()
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before if k.startswith('backbone.'))
    assert not torch.equal(before['projection.weight'], after['projection.weight'])
    assert not torch.equal(before['scale'], after['scale'])


@pytest.mark.parametrize('cache_on_cpu', [False, True])
def test_predictions_use_each_unique_images_features_once(cache_on_cpu):
    model = PrototypeFewShotSegmentor(TINY, in_channels=128, channels=16, cache_on_cpu=cache_on_cpu).eval()
    names = [('a', 'b'), ('b', 'c'), ('a', 'c'), ('c', 'a')]
    inputs, samples = _episodes(names)
    expected = model(inputs, _episodes(names)[1], mode='tensor')
    predicted = model(inputs, samples, mode='predict')
    assert model.feature_cache.forwarded == 3  # a, b, c
    for sample, logits in zip(predicted, expected):
        torch.testing.assert_close(sample.seg_logits.data, logits)
        assert torch.equal(sample.pred_sem_seg.data[0], logits.argmax(0))
    model(*_episodes([('c', 'b')]), mode='predict')
    assert model.feature_cache.forwarded == 3  # a later batch of the same evaluation: nothing new
