"""Seeded, deterministic few-shot episodes (paper App. B.5.8: 5-way K-shot classification, 1-shot
segmentation).

An episode is drawn from its own generator, ``numpy.random.default_rng(SeedSequence([seed, *path]))``, where
``path`` names the episode (e.g. ``(epoch, index)`` in training, ``(index,)`` in a test): episode ``i`` is the
same whatever was drawn before it, in whatever order, in however many processes or dataloader workers. A rerun
with the same seed therefore evaluates the same episodes and gives the same number.

The primitives here know nothing of images: classes are labels, images are dataset indices.
"""
from dataclasses import dataclass
from typing import Dict, Hashable, List, Mapping, Sequence, Tuple

import numpy as np

from ..oriented_annotations import AnnotationError


class FewShotDataError(AnnotationError):
    """A dataset whose classes cannot give the episodes asked for: a class of the split without images, a
    class with fewer images than shot + query, fewer classes than ways. The class folders are the labels of a
    scene dataset, so this is an :class:`~mmringmoe.datasets.AnnotationError`, which ``tools/train.py`` and
    ``tools/test.py`` report in one line."""


def episode_rng(seed: int, *path: int) -> np.random.Generator:
    """The generator of the episode named ``path`` under ``seed`` (all non-negative integers)."""
    entropy = [int(seed), *(int(p) for p in path)]
    if any(value < 0 for value in entropy):
        raise ValueError(f'episode seed and path must be non-negative integers, got {entropy}')
    return np.random.default_rng(np.random.SeedSequence(entropy))


def choose(rng: np.random.Generator, population: Sequence, count: int) -> List:
    """``count`` distinct items of ``population`` in the order drawn (without replacement)."""
    if count > len(population):
        raise ValueError(f'cannot choose {count} of {len(population)} items')
    return [population[i] for i in rng.choice(len(population), size=count, replace=False)]


def group_by_class(labels: Sequence[int]) -> Dict[int, List[int]]:
    """``{label: [indices of that label, ascending]}``, labels in ascending order."""
    groups: Dict[int, List[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(int(label), []).append(index)
    return {label: groups[label] for label in sorted(groups)}


def check_class_sizes(counts: Mapping[Hashable, int], k_shot: int, n_query: int, source: str) -> None:
    """Raise :class:`FewShotDataError` (one line naming the class and the counts) when a class has fewer than
    shot + query images."""
    needed = k_shot + n_query
    for name, count in counts.items():
        if count < needed:
            raise FewShotDataError(f'{source}: class {name!r} has {count} images, fewer than shot + query = '
                                   f'{k_shot} + {n_query} = {needed}')


@dataclass(frozen=True)
class Episode:
    """One N-way K-shot episode: ``classes[j]`` is the dataset label of episode class ``j``.

    ``support[j]`` and ``query[j]`` are the dataset indices of class ``j``'s shots and queries.
    """
    classes: Tuple[int, ...]
    support: Tuple[Tuple[int, ...], ...]
    query: Tuple[Tuple[int, ...], ...]

    def support_indices(self) -> List[int]:
        """The shots, class-major: class 0's K shots, then class 1's, ..."""
        return [i for shots in self.support for i in shots]

    def query_indices(self) -> List[int]:
        """The queries, class-major: class 0's Q queries, then class 1's, ..."""
        return [i for queries in self.query for i in queries]

    def indices(self) -> List[int]:
        """Every image of the episode: the shots, then the queries (the layout of a training batch)."""
        return self.support_indices() + self.query_indices()


def draw_episode(rng: np.random.Generator, images_by_class: Mapping[int, Sequence[int]], n_way: int,
                 k_shot: int, n_query: int) -> Episode:
    """Draw ``n_way`` classes of ``images_by_class`` (in its key order), then ``k_shot + n_query`` distinct
    images of each: the first ``k_shot`` are the shots, the rest the queries.

    Shots and queries never share an image, and only the classes of ``images_by_class`` (e.g. the novel
    classes of a split) can appear.
    """
    labels = list(images_by_class)
    if n_way > len(labels):
        raise ValueError(f'a {n_way}-way episode needs {n_way} classes, only {len(labels)} given')
    classes = choose(rng, labels, n_way)
    support, query = [], []
    for label in classes:
        picked = choose(rng, images_by_class[label], k_shot + n_query)
        support.append(tuple(int(i) for i in picked[:k_shot]))
        query.append(tuple(int(i) for i in picked[k_shot:]))
    return Episode(tuple(int(c) for c in classes), tuple(support), tuple(query))


def check_class_count(num_classes: int, n_way: int, source: str) -> None:
    """Raise :class:`FewShotDataError` (one line) when fewer than ``n_way`` classes have images."""
    if num_classes < n_way:
        raise FewShotDataError(
            f'{source}: {num_classes} classes with images, fewer than the {n_way} of an episode')


def draw_episodes(images_by_class: Mapping[int, Sequence[int]],
                  n_way: int,
                  k_shot: int,
                  n_query: int,
                  seed: int,
                  num_episodes: int,
                  start: int = 0) -> List[Episode]:
    """Episodes ``start .. start + num_episodes - 1`` under ``seed``: episode ``i`` is drawn from
    ``episode_rng(seed, i)``."""
    return [
        draw_episode(episode_rng(seed, i), images_by_class, n_way, k_shot, n_query)
        for i in range(start, start + num_episodes)
    ]
