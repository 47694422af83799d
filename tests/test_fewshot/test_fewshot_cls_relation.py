"""RelationNet on frozen features (App. B.5.8): prototypes are the mean of the shots, the relation scores
equal RelationNet's direct computation on every concatenated (class, query) pair, the evaluation's projected
path gives the same scores, the loss is RelationNet's MSE, and only the relation module trains."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope
from mmpretrain.structures import DataSample
from torch import nn

from mmringmoe.models.fewshot import RelationModule, RelationNetClassifier
from mmringmoe.registry import MODELS

TINY = dict(
    type='mmringmoe.RingMoE-KC',
    arch='tiny',
    img_size=64,
    window_size=[4, 4, 4, 2],
    pretrained_window_sizes=[4, 4, 4, 2],
    out_indices=(3, ))


def _random_bn_statistics(module):
    for bn in (module.bn1, module.bn2):
        bn.running_mean.uniform_(-1, 1)
        bn.running_var.uniform_(0.5, 2)
        bn.weight.data.uniform_(-1.5, 1.5)  # negative scales too
        bn.bias.data.uniform_(-1, 1)


def direct_scores(module, queries, classes):
    """RelationNet as written: concatenate (class, query) for each pair, then conv-BN-ReLU-pool twice,
    FC-ReLU, FC-sigmoid."""
    pool = nn.MaxPool2d(2, ceil_mode=True)
    pairs = torch.stack([torch.cat([c, q]) for q in queries for c in classes])
    x = pool(F.relu(module.bn1(module.conv1(pairs))))
    x = pool(F.relu(module.bn2(module.conv2(x))))
    x = torch.sigmoid(module.fc2(F.relu(module.fc1(x.flatten(1)))))
    return x.view(len(queries), len(classes))


@pytest.mark.parametrize('feat_size', [8, 7, 2])
@pytest.mark.parametrize('training', [False, True])
def test_relation_scores_equal_the_concatenated_pairs(feat_size, training):
    module = RelationModule(in_channels=6, feat_size=feat_size, mid_channels=5, hidden_dims=4)
    _random_bn_statistics(module)
    module.train(training)
    queries, classes = torch.randn(7, 6, feat_size, feat_size), torch.randn(3, 6, feat_size, feat_size)
    with torch.no_grad():
        expected = direct_scores(module, queries, classes)
        scores = module(queries, classes)
    assert scores.shape == (7, 3)
    torch.testing.assert_close(scores, expected, rtol=1e-5, atol=1e-6)
    assert ((scores > 0) & (scores < 1)).all()


def test_window_major_parts_give_the_same_scores():
    module = RelationModule(in_channels=6, feat_size=8, mid_channels=5, hidden_dims=4)
    _random_bn_statistics(module)
    module.eval()
    queries, classes = torch.randn(2, 7, 6, 8, 8), torch.randn(2, 3, 6, 8, 8)
    with torch.no_grad():
        (_, query_part), (class_part, _) = module.project(queries), module.project(classes)
        window_major = module.score(module.window_major(query_part), module.window_major(class_part), True)
        expected = torch.stack([direct_scores(module, q, c) for q, c in zip(queries, classes)])
    torch.testing.assert_close(window_major, expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match='needs even map sides, got 7 x 8'):
        module.window_major(torch.randn(5, 7, 8))
    with pytest.raises(ValueError, match='in eval mode only'):
        module.train().score(query_part, class_part, True)


def test_prototype_is_the_mean_of_the_shots():
    support = torch.randn(5 * 3, 4, 2, 2)  # 5 classes x 3 shots, class-major
    prototypes = RelationNetClassifier.prototypes(support, 5, 3)
    for j in range(5):
        torch.testing.assert_close(prototypes[j],
                                   (support[3 * j] + support[3 * j + 1] + support[3 * j + 2]) / 3)
    batched = RelationNetClassifier.prototypes(torch.stack([support, support * 2]), 5, 3)
    torch.testing.assert_close(batched[1], prototypes * 2)


def _model(k_shot=2):
    init_default_scope('mmringmoe')
    return MODELS.build(
        dict(
            type='mmringmoe.RelationNetClassifier',
            n_way=3,
            k_shot=k_shot,
            backbone=TINY,
            relation=dict(type='mmringmoe.RelationModule', in_channels=256, feat_size=2)))


def test_projected_episode_scores_equal_the_direct_path():
    model = _model().eval()
    _random_bn_statistics(model.relation)
    images = torch.randn(4, 3 * 2 + 5, 3, 64, 64)  # 4 episodes: 3 x 2 shots, then 5 queries
    features = model.extract_feat(images.flatten(0, 1)).unflatten(0, (4, -1))
    class_part, query_part = model.embed(images.flatten(0, 1))
    with torch.no_grad():
        direct = model.episode_scores(features[:, :6], features[:, 6:], 3, 2)
        projected = model.projected_episode_scores(
            class_part.unflatten(0, (4, -1))[:, :6],
            query_part.unflatten(0, (4, -1))[:, 6:], 3, 2)
    assert projected.shape == (4, 5, 3)
    torch.testing.assert_close(projected, direct, rtol=1e-5, atol=1e-6)
    for e in range(4):  # each episode alone, as RelationNet scores it
        prototypes = features[e, :6].view(3, 2, *features.shape[2:]).mean(1)
        torch.testing.assert_close(
            direct[e], direct_scores(model.relation, features[e, 6:], prototypes), rtol=1e-5, atol=1e-6)


def _episode_samples(labels):
    return [DataSample().set_gt_label(label) for label in labels]


def test_loss_is_relationnet_mse_and_only_the_relation_module_trains():
    model = _model().train()
    assert not model.backbone.training and not any(p.requires_grad for p in model.backbone.parameters())
    shots, queries = [7, 7, 2, 2, 4, 4], [2, 4, 7, 7, 2]  # dataset labels; episode classes 7, 2, 4
    inputs = torch.randn(11, 3, 64, 64)
    with torch.no_grad():
        scores = model(inputs, mode='tensor')
    targets = torch.tensor([[0, 1, 0], [0, 0, 1], [1, 0, 0], [1, 0, 0], [0, 1, 0]], dtype=torch.float32)
    loss = model(inputs, _episode_samples(shots + queries), mode='loss')['loss']
    torch.testing.assert_close(loss, ((scores - targets)**2).mean())
    before = {k: v.clone() for k, v in model.state_dict().items()}
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
    loss.backward()
    optimizer.step()
    changed = {k for k, v in model.state_dict().items() if not torch.equal(v, before[k])}
    assert changed and all(k.startswith('relation.') for k in changed)
    predicted = model(inputs, _episode_samples(shots + queries), mode='predict')
    assert len(predicted) == 5 and all(int(s.pred_label) in (7, 2, 4) for s in predicted)
    assert predicted[0].pred_score.shape == (3, )


def test_episode_layout_errors():
    model = _model()
    inputs = torch.randn(8, 3, 64, 64)
    with pytest.raises(ValueError, match='not 3 blocks of 2 of one class each'):
        model(inputs, _episode_samples([7, 2, 7, 2, 4, 4, 7, 2]), mode='loss')
    with pytest.raises(ValueError, match=r'query labels \[9\] are not among the episode classes \[7, 2, 4\]'):
        model(inputs, _episode_samples([7, 7, 2, 2, 4, 4, 9, 2]), mode='loss')
    with pytest.raises(ValueError, match='no query after the 6 shots'):
        model(inputs[:6], mode='tensor')
    with pytest.raises(ValueError, match=r'features of shape \(2, 256, 4, 4\), expected \[..., 256, 2, 2\]'):
        model.relation(torch.randn(2, 256, 4, 4), torch.randn(2, 256, 4, 4))


def test_sparse_backbone_variant_trains_only_the_relation_module():
    """Table A4's sparse variants (RingMoE-Opt, RingMoE-EP) replace the backbone: frozen, no routing noise."""
    init_default_scope('mmringmoe')
    sparse = dict(
        type='mmringmoe.RingMoE',
        arch='tiny',
        modalities=['opt'],
        num_specialized_experts=2,
        num_collaborative_experts=2,
        img_size=64,
        window_size=[4, 4, 4, 2],
        pretrained_window_sizes=[4, 4, 4, 2],
        out_indices=(3, ))
    model = MODELS.build(
        dict(
            type='mmringmoe.RelationNetClassifier',
            n_way=3,
            k_shot=1,
            backbone=sparse,
            relation=dict(type='mmringmoe.RelationModule', in_channels=256, feat_size=2))).train()
    inputs = torch.randn(6, 3, 64, 64)
    loss = model(inputs, _episode_samples([3, 1, 2, 1, 2, 3]), mode='loss')['loss']
    loss.backward()
    assert all(p.grad is None for p in model.backbone.parameters())
    assert all(p.grad is not None for p in model.relation.parameters())
    with torch.no_grad():
        assert torch.equal(model.extract_feat(inputs), model.extract_feat(inputs))  # eval: no routing noise
