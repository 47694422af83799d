"""Batches with a fixed number of tiles per modality, for unpaired multi-modal pretraining."""
import itertools
import math
from typing import Dict, Iterator, List, Mapping, Optional

import numpy as np
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import BatchSampler, Sampler

from mmringmoe.registry import DATA_SAMPLERS


def allocate_batch(proportions: Mapping[str, float], batch_size: int) -> Dict[str, int]:
    """Split ``batch_size`` into per-modality counts proportional to ``proportions``.

    Counts that already sum to ``batch_size`` are kept as they are; otherwise the largest-remainder rule
    (ties to the earlier modality) makes them sum to ``batch_size``.
    """
    total = float(sum(proportions.values()))
    quotas = {m: batch_size * p / total for m, p in proportions.items()}
    counts = {m: int(math.floor(q)) for m, q in quotas.items()}
    by_remainder = sorted(quotas, key=lambda m: counts[m] - quotas[m])  # stable: earlier first on ties
    for m in by_remainder[:batch_size - sum(counts.values())]:
        counts[m] += 1
    return counts


@DATA_SAMPLERS.register_module()
class ModalityBatchSampler(BatchSampler):
    """Every batch holds the modalities in fixed counts; shorter datasets cycle; DDP-aware.

    Built by mmengine's runner from ``train_dataloader.batch_sampler`` with the ``sampler`` and
    ``batch_size`` of the dataloader config (as mmdet's ``AspectRatioBatchSampler``). ``sampler.dataset``
    must be a :class:`~mmringmoe.datasets.MultiModalDataset`. The base sampler supplies the dataset, the
    seed, ``shuffle`` and the epoch (``set_epoch`` reaches it through the loops and ``DistSamplerSeedHook``);
    its own index order is not used, because exact per-batch counts with cycling need one index stream per
    modality (the approach of mmdet's ``MultiSourceSampler``).

    Each modality's stream is a new permutation of its indices per pass (or the indices in order without
    shuffle), seeded by ``(seed, epoch, modality, pass)`` and therefore the same on every rank; rank ``r``
    of ``W`` takes the stream's items ``r, r + W, r + 2W, ...`` (mmengine's ``InfiniteSampler`` habit), so
    within one pass over a modality the ranks see disjoint tiles. A batch is the modalities' counts in
    dataset order (for ``dict(opt=2, ms=1, sar_l1=1)``: two Opt indices, then MS, then SAR-L1).

    An epoch has ``max_m ceil(len_m / (count_m * W))`` batches per rank: the modality that needs most
    batches is seen once, the others cycle. Every rank yields the same number of full batches.

    Args:
        sampler (Sampler): the base sampler (``DefaultSampler``); only its ``dataset``, ``seed``,
            ``shuffle`` and ``epoch`` are read.
        batch_size (int): tiles per batch (per rank).
        proportions (dict): ``{modality: weight}``; a weight may be 0 (the modality is never drawn).
            Modalities of the dataset missing here get 0. Weights summing to ``batch_size`` are the exact
            counts; other weights are scaled (largest remainder), e.g. ``dict(opt=2, ms=1, sar_l1=1)``
            with ``batch_size=8`` gives 4, 2, 2.
        seed (int, optional): overrides the base sampler's seed (else ``sampler.seed``, else a seed
            synchronised across ranks).
        shuffle (bool, optional): overrides the base sampler's ``shuffle`` (default True).
        rank (int, optional): this process's rank; default from ``mmengine.dist.get_dist_info``.
        world_size (int, optional): the number of ranks; default from ``get_dist_info``.
    """

    def __init__(self,
                 sampler: Sampler,
                 batch_size: int,
                 proportions: Mapping[str, float],
                 seed: Optional[int] = None,
                 shuffle: Optional[bool] = None,
                 rank: Optional[int] = None,
                 world_size: Optional[int] = None) -> None:
        dataset = getattr(sampler, 'dataset', None)
        if not hasattr(dataset, 'modality_ranges'):
            raise TypeError('ModalityBatchSampler: the sampler\'s dataset must be a MultiModalDataset, got '
                            f'{type(dataset).__name__}')
        if not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f'ModalityBatchSampler: batch_size must be a positive integer, got {batch_size}')
        ranges = dataset.modality_ranges
        unknown = sorted(set(proportions) - set(ranges))
        if unknown:
            raise ValueError(f'ModalityBatchSampler: proportions name modalities {unknown} that the dataset '
                             f'lacks (it has {list(ranges)})')
        if any(p < 0 for p in proportions.values()) or sum(proportions.values()) <= 0:
            raise ValueError(f'ModalityBatchSampler: proportions must be >= 0 with a positive sum, got '
                             f'{dict(proportions)}')
        weights = {m: proportions.get(m, 0) for m in ranges}
        counts = allocate_batch(weights, batch_size)
        for m, weight in weights.items():
            if weight > 0 and counts[m] == 0:
                raise ValueError(f'ModalityBatchSampler: batch_size {batch_size} is too small to hold '
                                 f'{m!r} at proportions {dict(proportions)}')
            if counts[m] > 0 and len(ranges[m]) == 0:
                raise ValueError(f'ModalityBatchSampler: modality {m!r} has no tiles')
        default_rank, default_world_size = get_dist_info()
        self.rank = default_rank if rank is None else rank
        self.world_size = default_world_size if world_size is None else world_size
        if not 0 <= self.rank < self.world_size:
            raise ValueError(f'ModalityBatchSampler: rank {self.rank} outside world size {self.world_size}')

        self.sampler = sampler
        self.batch_size = batch_size
        self.counts: Dict[str, int] = {m: n for m, n in counts.items() if n > 0}
        self.ranges: Dict[str, range] = {m: ranges[m] for m in self.counts}
        if seed is None:
            seed = getattr(sampler, 'seed', None)
        self.seed = sync_random_seed() if seed is None else int(seed)
        self.shuffle = getattr(sampler, 'shuffle', True) if shuffle is None else shuffle
        self._passes = 0  # epoch fallback for base samplers without ``epoch`` (InfiniteSampler)
        self.num_batches = max(
            math.ceil(len(self.ranges[m]) / (n * self.world_size)) for m, n in self.counts.items())

    def _stream(self, modality_id: int, epoch: int) -> Iterator[int]:
        """This rank's endless share of one modality's global indices."""
        indices = self.ranges[list(self.counts)[modality_id]]

        def passes() -> Iterator[int]:
            for pass_id in itertools.count():
                if self.shuffle:
                    rng = np.random.default_rng([self.seed, epoch, modality_id, pass_id])
                    yield from (indices[i] for i in rng.permutation(len(indices)))
                else:
                    yield from indices

        return itertools.islice(passes(), self.rank, None, self.world_size)

    def __iter__(self) -> Iterator[List[int]]:
        epoch = getattr(self.sampler, 'epoch', self._passes)
        self._passes += 1
        streams = [self._stream(i, epoch) for i in range(len(self.counts))]
        for _ in range(self.num_batches):
            yield [i for stream, n in zip(streams, self.counts.values()) for i in itertools.islice(stream, n)]

    def __len__(self) -> int:
        return self.num_batches

    def set_epoch(self, epoch: int) -> None:
        """Forward the epoch to the base sampler (where ``__iter__`` reads it) or keep it here."""
        if hasattr(self.sampler, 'set_epoch') and hasattr(self.sampler, 'epoch'):
            self.sampler.set_epoch(epoch)
        else:
            self._passes = epoch
