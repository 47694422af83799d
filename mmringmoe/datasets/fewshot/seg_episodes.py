"""Few-shot segmentation folds and 1-shot episodes (paper App. B.5.8, Table A3).

Table A3 splits each dataset's classes into three folds; a fold's model is trained on its training (base)
classes and tested on its testing (novel) classes. The paper's names are mapped here to the class names as
the datasets spell them (mmseg's ``iSAIDDataset``, the LoveDA release's README); LoveDA's background class is
in no fold ("the background category is excluded", App. B.5.8).

An episode is a (query, support) pair of two different images that both contain the episode's class. Which
images contain which class comes from a :class:`ClassPresenceIndex` built once, from the label files, when a
dataset is built.
"""
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Dict, List, Mapping, Sequence, Tuple

import numpy as np
from tqdm import tqdm

from .episode_sampler import FewShotDataError, choose, episode_rng

# Table A3's class names -> the datasets' spelling
ISAID_NAMES = {
    'Ship': 'ship', 'Storage tank': 'store_tank', 'Baseball diamond': 'baseball_diamond',
    'Tennis court': 'tennis_court', 'Basketball court': 'basketball_court', 'Ground track field':
    'Ground_Track_Field', 'Bridge': 'Bridge', 'Large vehicle': 'Large_Vehicle', 'Small vehicle': 'Small_Vehicle',
    'Helicopter': 'Helicopter', 'Swimming pool': 'Swimming_pool', 'Roundabout': 'Roundabout',
    'Soccer ball field': 'Soccer_ball_field', 'Plane': 'plane', 'Harbor': 'Harbor'
}
LOVEDA_NAMES = {
    'Building': 'building', 'Road': 'road', 'Water': 'water', 'Barren': 'barren', 'Forest': 'forest',
    'Agriculture': 'agriculture'
}
# Table A3: the testing classes of each fold, in the table's order and spelling; the training classes of a
# fold are the dataset's other classes of this list (which is exactly what the table lists).
TABLE_A3_TEST_CLASSES = {
    'isaid': (('Ship', 'Storage tank', 'Baseball diamond', 'Tennis court', 'Basketball court'),
              ('Ground track field', 'Bridge', 'Large vehicle', 'Small vehicle', 'Helicopter'),
              ('Swimming pool', 'Roundabout', 'Soccer ball field', 'Plane', 'Harbor')),
    'loveda': (('Building', 'Road'), ('Water', 'Barren'), ('Forest', 'Agriculture')),
}
DATASET_NAMES = {'isaid': ISAID_NAMES, 'loveda': LOVEDA_NAMES}


def fold_classes(benchmark: str, fold: int) -> Dict[str, Tuple[str, ...]]:
    """``{'train': base classes, 'test': novel classes}`` of Table A3's ``fold`` of ``benchmark``
    (``'isaid'`` or ``'loveda'``), spelled as the dataset spells them."""
    if benchmark not in TABLE_A3_TEST_CLASSES:
        raise ValueError(f'few-shot segmentation benchmark {benchmark!r}: Table A3 has {sorted(DATASET_NAMES)}')
    folds = TABLE_A3_TEST_CLASSES[benchmark]
    if not 0 <= fold < len(folds):
        raise ValueError(f'{benchmark} has folds 0-{len(folds) - 1} (Table A3), got {fold}')
    names = DATASET_NAMES[benchmark]
    test = tuple(names[name] for name in folds[fold])
    train = tuple(names[name] for other, classes in enumerate(folds) if other != fold for name in classes)
    return dict(train=train, test=test)


SEG_FOLDS = {benchmark: tuple(fold_classes(benchmark, f) for f in range(3)) for benchmark in TABLE_A3_TEST_CLASSES}


class ClassPresenceIndex:
    """Which images contain which classes: ``images[c]`` lists (ascending) the images with at least
    ``min_pixels`` pixels of class ``c`` (class indices of the dataset's label encoding).

    Args:
        pixel_counts (np.ndarray): ``[num_images, num_classes]`` pixel count of each class in each image;
            :meth:`from_loader` counts them from the label files.
        min_pixels (int): the fewest pixels of a class for an image to contain it. Defaults to 1.
    """

    def __init__(self, pixel_counts: np.ndarray, min_pixels: int = 1) -> None:
        if min_pixels < 1:
            raise ValueError(f'min_pixels must be >= 1, got {min_pixels}')
        self.pixel_counts = pixel_counts
        self.min_pixels = min_pixels
        present = pixel_counts >= min_pixels
        self.images: Dict[int, List[int]] = {c: np.flatnonzero(present[:, c]).tolist()
                                             for c in range(pixel_counts.shape[1])}

    @classmethod
    def from_loader(cls,
                    num_images: int,
                    num_classes: int,
                    load_label: Callable[[int], np.ndarray],
                    min_pixels: int = 1,
                    desc: str = 'class presence',
                    threads: int = 8) -> 'ClassPresenceIndex':
        """Count each class's pixels in ``load_label(i)`` for every image ``i`` (values outside
        ``0 .. num_classes - 1``, such as the ignore index, are not counted), ``threads`` labels at a time
        (GDAL's decoding releases the GIL)."""

        def count(i: int) -> np.ndarray:
            label = np.asarray(load_label(i)).ravel()
            label = label[(label >= 0) & (label < num_classes)]
            return np.bincount(label.astype(np.int64), minlength=num_classes)

        with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
            rows = list(tqdm(pool.map(count, range(num_images)), total=num_images, desc=desc, unit='label',
                             disable=num_images < 100))
        counts = np.stack(rows) if rows else np.zeros((0, num_classes), dtype=np.int64)
        return cls(counts, min_pixels)

    def contains(self, image: int, cls: int) -> bool:
        """Whether ``image`` contains class ``cls``."""
        return bool(self.pixel_counts[image, cls] >= self.min_pixels)

    def images_with(self, classes: Sequence[int]) -> List[int]:
        """The images containing at least one of ``classes``, ascending."""
        present = (self.pixel_counts[:, list(classes)] >= self.min_pixels).any(axis=1)
        return np.flatnonzero(present).tolist()

    def check_episode_classes(self, classes: Mapping[int, str], source: str) -> None:
        """Raise :class:`FewShotDataError` (one line) when a class is in fewer than two images: an episode needs
        a query and a different support image that both contain it."""
        for index, name in classes.items():
            count = len(self.images[index])
            if count < 2:
                found = 'no image contains' if count == 0 else 'only one image contains'
                raise FewShotDataError(f'{source}: {found} class {name!r} (at least {self.min_pixels} pixels); '
                                       'a 1-shot episode needs a query and a support image with it')


def draw_test_episodes(index: ClassPresenceIndex, classes: Sequence[int], num_episodes: int,
                       seed: int) -> List[Tuple[int, int, int]]:
    """``num_episodes`` test episodes ``(class, query image, support image)``, class-balanced: episode ``i``
    tests ``classes[i % len(classes)]`` and draws two different images containing it from
    ``episode_rng(seed, i)`` (so episode ``i`` does not depend on any other)."""
    episodes = []
    for i in range(num_episodes):
        cls = int(classes[i % len(classes)])
        query, support = choose(episode_rng(seed, i), index.images[cls], 2)
        episodes.append((cls, int(query), int(support)))
    return episodes


def draw_train_episode(rng: np.random.Generator, index: ClassPresenceIndex, query: int,
                       classes: Sequence[int]) -> Tuple[int, int]:
    """A training episode around ``query``: ``(class, support image)``, the class drawn among the ``classes``
    present in the query, the support among the other images containing that class."""
    present = [int(c) for c in classes if index.contains(query, int(c)) and len(index.images[int(c)]) > 1]
    if not present:
        raise ValueError(f'image {query} contains none of the classes {list(classes)} in another image too')
    cls = present[int(rng.integers(len(present)))]
    others = [i for i in index.images[cls] if i != query]
    return cls, int(others[int(rng.integers(len(others)))])
