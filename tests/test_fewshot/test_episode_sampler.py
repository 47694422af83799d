"""Seeded episodes (App. B.5.8): shot and query counts, no image in both, only the given classes, the same
episodes for the same seed whatever the order, the dataloader workers or the process; the training batch
sampler's layout and its one-line errors."""
from collections import Counter

import numpy as np
import pytest
from torch.utils.data import DataLoader, Dataset

from mmringmoe.datasets.fewshot import (EpisodeBatchSampler, check_class_sizes, draw_episode, draw_episodes,
                                        episode_rng, group_by_class)
from mmringmoe.datasets.fewshot import episode_batch_sampler as batch_sampler_module

LABELS = [label for label in range(8) for _ in range(20)]  # 8 classes x 20 images, indices grouped


def test_group_by_class():
    groups = group_by_class([2, 0, 2, 1, 0])
    assert groups == {0: [1, 4], 1: [3], 2: [0, 2]}
    assert list(groups) == [0, 1, 2]


@pytest.mark.parametrize('n_way, k_shot, n_query', [(5, 1, 15), (5, 5, 15), (3, 2, 4)])
def test_episode_counts_and_disjoint_shots_and_queries(n_way, k_shot, n_query):
    groups = group_by_class(LABELS)
    for episode in draw_episodes(groups, n_way, k_shot, n_query, seed=3, num_episodes=20):
        assert len(set(episode.classes)) == n_way
        assert [len(s) for s in episode.support] == [k_shot] * n_way
        assert [len(q) for q in episode.query] == [n_query] * n_way
        assert len(set(episode.indices())) == n_way * (k_shot + n_query)  # no image twice
        for label, shots, queries in zip(episode.classes, episode.support, episode.query):
            assert all(LABELS[i] == label for i in shots + queries)
        assert episode.indices() == episode.support_indices() + episode.query_indices()
        assert episode.support_indices() == [i for shots in episode.support for i in shots]


def test_only_the_given_classes_are_drawn():
    novel = {label: images for label, images in group_by_class(LABELS).items() if label >= 3}
    drawn = {label for e in draw_episodes(novel, 5, 1, 15, seed=0, num_episodes=50) for label in e.classes}
    assert drawn == {3, 4, 5, 6, 7}


def test_same_seed_same_episodes_in_any_order():
    groups = group_by_class(LABELS)
    first = draw_episodes(groups, 5, 1, 15, seed=7, num_episodes=10)
    assert draw_episodes(groups, 5, 1, 15, seed=7, num_episodes=10) == first
    assert draw_episodes(groups, 5, 1, 15, seed=7, num_episodes=4, start=6) == first[6:]  # no history
    assert draw_episode(episode_rng(7, 3), groups, 5, 1, 15) == first[3]
    assert draw_episodes(groups, 5, 1, 15, seed=8, num_episodes=10) != first
    # every class and image is reachable: a fair draw over 2000 episodes
    counts = Counter(
        label for e in draw_episodes(groups, 5, 1, 15, seed=0, num_episodes=2000) for label in e.classes)
    assert set(counts) == set(range(8)) and max(counts.values()) / min(counts.values()) < 1.2


def test_episode_rng_refuses_negative_seeds():
    with pytest.raises(ValueError, match='non-negative'):
        episode_rng(-1, 0)


def test_class_with_too_few_images_one_line():
    with pytest.raises(ValueError) as err:
        check_class_sizes({'airport': 16, 'Pond': 15}, 1, 15, 'WHU-RS19')
    assert str(err.value) == ("WHU-RS19: class 'Pond' has 15 images, fewer than shot + query = 1 + 15 = 16")


class _Labelled(Dataset):
    """A stand-in dataset: item i is its index."""
    metainfo = dict(classes=tuple(f'class{i}' for i in range(8)))

    def __init__(self, labels):
        self.labels = labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        return index

    def get_gt_labels(self):
        return np.array(self.labels)


class _Sampler:

    def __init__(self, dataset, seed=0):
        self.dataset, self.seed = dataset, seed


def _batches(sampler, count):
    iterator = iter(sampler)
    return [next(iterator) for _ in range(count)]


def test_batch_sampler_layout_and_seed():
    sampler = EpisodeBatchSampler(
        _Sampler(_Labelled(LABELS), seed=5), batch_size=5 * (2 + 3), n_way=5, k_shot=2, n_query=3)
    batches = _batches(sampler, 6)
    for i, batch in enumerate(batches):
        assert batch == draw_episode(episode_rng(5, i), group_by_class(LABELS), 5, 2, 3).indices()
        shots = np.array([LABELS[j] for j in batch[:10]]).reshape(5, 2)
        queries = np.array([LABELS[j] for j in batch[10:]]).reshape(5, 3)
        assert (shots == shots[:, :1]).all() and (queries == shots[:, :1]).all()  # class-major blocks
    assert _batches(EpisodeBatchSampler(_Sampler(_Labelled(LABELS), seed=5), 25, 5, 2, 3), 6) == batches


def test_batch_sampler_same_batches_with_workers():
    sampler = EpisodeBatchSampler(_Sampler(_Labelled(LABELS)), batch_size=20, n_way=5, k_shot=1, n_query=3)
    loaders = [DataLoader(_Labelled(LABELS), batch_sampler=sampler, num_workers=w) for w in (0, 2)]
    seen = [[next(it).tolist() for _ in range(4)] for it in map(iter, loaders)]
    assert seen[0] == seen[1] == _batches(sampler, 4)


def test_batch_sampler_ranks_draw_different_episodes(monkeypatch):
    streams = []
    for rank in (0, 1):
        monkeypatch.setattr(batch_sampler_module, 'get_dist_info', lambda rank=rank: (rank, 2))
        streams.append(_batches(EpisodeBatchSampler(_Sampler(_Labelled(LABELS)), 20, 5, 1, 3), 3))
    groups = group_by_class(LABELS)
    for rank, stream in enumerate(streams):
        assert stream == [
            draw_episode(episode_rng(0, 2 * i + rank), groups, 5, 1, 3).indices() for i in range(3)
        ]


def test_batch_sampler_one_line_errors():
    with pytest.raises(
            ValueError,
            match=r'batch_size is 16, but a 5-way 1-shot episode with 15 queries per class '
            r'has 80 images'):
        EpisodeBatchSampler(_Sampler(_Labelled(LABELS)), batch_size=16)
    few = LABELS[:-15]  # class 7 keeps 5 images
    with pytest.raises(
            ValueError,
            match=r"_Labelled: class 'class7' has 5 images, fewer than shot \+ query = "
            r'1 \+ 15 = 16'):
        EpisodeBatchSampler(_Sampler(_Labelled(few)), batch_size=80)
    with pytest.raises(ValueError, match='3 classes with images, fewer than the 5 of an episode'):
        EpisodeBatchSampler(_Sampler(_Labelled(LABELS[:60])), batch_size=80)
