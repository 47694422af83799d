"""Training episodes as dataloader batches (RelationNet's episodic training, Sung et al. CVPR 2018)."""
from typing import Iterator, List, Optional

from mmengine.dist import get_dist_info
from torch.utils.data import Sampler

from mmringmoe.registry import DATA_SAMPLERS
from .episode_sampler import check_class_count, check_class_sizes, draw_episode, episode_rng, group_by_class


@DATA_SAMPLERS.register_module()
class EpisodeBatchSampler(Sampler):
    """Yield the dataset indices of one N-way K-shot episode per batch, without end.

    A batch is an episode's ``n_way * (k_shot + n_query)`` images: the shots class by class, then the queries
    class by class (:meth:`Episode.indices`), which is the layout
    :class:`~mmringmoe.models.fewshot.RelationNetClassifier` reads. Episode ``i`` of process ``rank`` (of
    ``world_size``) is drawn from ``episode_rng(seed, i * world_size + rank)``: the stream depends on the seed
    only, not on dataloader workers, and ``--resume`` (which replays the dataloader up to the resumed
    iteration) continues it exactly. The loop counts iterations (``IterBasedTrainLoop``), so the stream never
    ends; ``len()`` is a nominal one pass over the images, as for mmengine's ``InfiniteSampler``.

    Args:
        sampler: the dataloader's sampler (mmengine passes it), used for its ``dataset`` and ``seed``.
        batch_size (int): must be ``n_way * (k_shot + n_query)``.
        n_way, k_shot, n_query (int): classes, shots and queries per class of an episode.
        seed (int, optional): defaults to the sampler's (mmengine gives it the run's ``randomness.seed``).
    """

    def __init__(self,
                 sampler,
                 batch_size: int,
                 n_way: int = 5,
                 k_shot: int = 1,
                 n_query: int = 15,
                 seed: Optional[int] = None) -> None:
        if min(n_way, k_shot, n_query) < 1:
            raise ValueError(
                f'EpisodeBatchSampler: n_way, k_shot, n_query must be >= 1, got {n_way}, {k_shot}, '
                f'{n_query}')
        if batch_size != n_way * (k_shot + n_query):
            raise ValueError(
                f'EpisodeBatchSampler: batch_size is {batch_size}, but a {n_way}-way {k_shot}-shot '
                f'episode with {n_query} queries per class has {n_way * (k_shot + n_query)} images')
        self.sampler = sampler  # mmengine's DistSamplerSeedHook sets its epoch; episodes do not use it
        self.dataset = sampler.dataset
        self.n_way, self.k_shot, self.n_query = n_way, k_shot, n_query
        self.seed = int(sampler.seed if seed is None else seed)
        self.rank, self.world_size = get_dist_info()
        self.groups = group_by_class(self.dataset.get_gt_labels())
        classes = self.dataset.metainfo['classes']
        sizes = {classes[label]: len(images) for label, images in self.groups.items()}
        check_class_sizes(sizes, k_shot, n_query, type(self.dataset).__name__)
        check_class_count(len(self.groups), n_way, type(self.dataset).__name__)

    def __iter__(self) -> Iterator[List[int]]:
        index = 0
        while True:
            rng = episode_rng(self.seed, index * self.world_size + self.rank)
            yield draw_episode(rng, self.groups, self.n_way, self.k_shot, self.n_query).indices()
            index += 1

    def __len__(self) -> int:
        return max(1, len(self.dataset) // (self.n_way * (self.k_shot + self.n_query)))
