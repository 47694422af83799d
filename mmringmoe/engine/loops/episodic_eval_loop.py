"""Few-shot evaluation over seeded test episodes with frozen features computed once (paper App. B.5.8)."""
import math
from typing import Dict, Hashable, List, Optional

import numpy as np
import torch
from mmengine.dist import get_dist_info
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner import TestLoop, ValLoop
from torch import Tensor
from torch.utils.data import DataLoader, Dataset, Subset
from tqdm import tqdm

from mmringmoe.datasets.fewshot import (Episode, check_class_count, check_class_sizes, draw_episodes,
                                        group_by_class)
from mmringmoe.datasets.transforms.seg_episode import binary_class_mask, image_tensor
from mmringmoe.models.fewshot import FrozenFeatureCache
from mmringmoe.registry import LOOPS


def _no_load(keys):
    raise RuntimeError(f'episode images {list(keys)[:3]} were not loaded before the episodes ran')


class EpisodicEvaluation:
    """What the episodic loops share: each unique image of the evaluation's episodes is loaded once and
    forwarded once through the frozen backbone, then the episodes are scored from the cached features (the
    paper's backbone is frozen in its few-shot protocols, App. B.5.8, so an image's features do not depend on
    the episode it is in).

    1. :meth:`draw`: this process's episodes. With several processes, process ``r`` of ``W`` evaluates
       episodes ``r, r + W, ...`` (the last round padded from the start, as mmengine's ``DefaultSampler``
       pads), so the evaluator's collection restores episode order and keeps exactly ``len(episodes)``.
    2. The unique images of these episodes (:meth:`episode_images`) are loaded once, through a
       ``DataLoader`` over :meth:`image_dataset` with the dataloader's batch size and workers, and forwarded
       once into a :class:`FrozenFeatureCache` (:meth:`feature_cache`, inputs from :meth:`batch_inputs`).
    3. The episodes are scored ``episode_batch`` at a time from the cache (:meth:`score`), whose data
       samples go to the evaluator.

    Subclasses: :class:`ClsEpisodicEvaluation` (N-way K-shot classification episodes drawn here),
    :class:`SegEpisodicEvaluation` (the 1-shot segmentation episodes of ``FewShotSegDataset``).
    """
    episode_batch: int

    def episode_count(self) -> int:
        """The number of episodes of the evaluation (all processes together)."""
        raise NotImplementedError

    def draw(self) -> List:
        """This process's episodes (all of them in a single process)."""
        raise NotImplementedError

    def episode_images(self, episode) -> List[Hashable]:
        """The keys of the images of ``episode`` (e.g. dataset indices)."""
        raise NotImplementedError

    def image_dataset(self, keys: List[Hashable]) -> Dataset:
        """A dataset of the images of ``keys``, in that order, for a DataLoader with :meth:`collate`."""
        raise NotImplementedError

    def collate(self, batch: List) -> object:
        """The DataLoader's ``collate_fn`` for :meth:`image_dataset`."""
        raise NotImplementedError

    def feature_cache(self, model) -> FrozenFeatureCache:
        """The cache of this evaluation's features, built from ``model``."""
        raise NotImplementedError

    def batch_inputs(self, model, batch, keys: List[Hashable]) -> Tensor:
        """The batched forward inputs of a collated ``batch`` (the images of ``keys``)."""
        raise NotImplementedError

    def score(self, model, cache: FrozenFeatureCache, episodes: List) -> List[dict]:
        """The evaluator's data samples of ``episodes``, from the cached features."""
        raise NotImplementedError

    def describe(self) -> str:
        """What the episodes are, for the log."""
        raise NotImplementedError

    def image_total(self) -> int:
        """The number of images the episodes are drawn from, for the log."""
        raise NotImplementedError

    def release(self, cache: FrozenFeatureCache) -> None:
        """Drop what the evaluation kept (the cached features) when it ends."""
        cache.clear()

    def my_positions(self) -> List[int]:
        """The episode numbers this process evaluates (step 1 of the class docstring)."""
        rank, world_size = get_dist_info()
        total = self.episode_count()
        per_rank = math.ceil(total / world_size)
        return [(rank + world_size * j) % total for j in range(per_rank)]

    def evaluate(self) -> Dict[str, float]:
        """Steps 1-3 of the class docstring; returns the evaluator's metrics."""
        model = self.runner.model.module if is_model_wrapper(self.runner.model) else self.runner.model
        model.eval()
        episodes = self.draw()
        unique = list(dict.fromkeys(key for episode in episodes for key in self.episode_images(episode)))
        print_log(f'{len(episodes)} {self.describe()} use {len(unique)} of {self.image_total()} images',
                  logger='current')
        cache = self.feature_cache(model)
        loader = DataLoader(
            self.image_dataset(unique),
            batch_size=self.dataloader.batch_size,
            num_workers=self.dataloader.num_workers,
            collate_fn=self.collate)
        quiet = get_dist_info()[0] != 0
        start = 0
        for batch in tqdm(loader, desc='features', unit='batch', disable=quiet):
            keys = unique[start:start + self.dataloader.batch_size]
            inputs = self.batch_inputs(model, batch, keys)
            position = {key: row for row, key in enumerate(keys)}
            cache.prefetch(keys, lambda missing: inputs[[position[k] for k in missing]])
            start += len(inputs)
        with torch.no_grad():
            for first in tqdm(
                    range(0, len(episodes), self.episode_batch), desc='episodes', unit='batch',
                    disable=quiet):
                self.evaluator.process(
                    data_samples=self.score(model, cache, episodes[first:first + self.episode_batch]))
        self.release(cache)
        return self.evaluator.evaluate(self.episode_count())

    def run_stage(self, stage: str) -> dict:
        """mmengine's ``run`` of a ``ValLoop`` (``stage='val'``) or ``TestLoop`` (``'test'``) with
        :meth:`evaluate` as the epoch: the per-iteration hooks are not called (an episode is no dataloader
        batch)."""
        self.runner.call_hook(f'before_{stage}')
        self.runner.call_hook(f'before_{stage}_epoch')
        metrics = self.evaluate()
        self.runner.call_hook(f'after_{stage}_epoch', metrics=metrics)
        self.runner.call_hook(f'after_{stage}')
        return metrics


class ClsEpisodicEvaluation(EpisodicEvaluation):
    """The evaluation of :class:`EpisodicValLoop` and :class:`EpisodicTestLoop`.

    1. ``num_episodes`` N-way K-shot episodes with ``n_query`` queries per class are drawn from the
       dataloader's dataset (the novel classes of the split) with ``seed``: episode ``i`` comes from
       ``episode_rng(seed, i)``, so every rerun, with any number of workers, evaluates the same episodes.
    2. Each unique image of these episodes is loaded once (the dataloader's pipeline, batch size and workers)
       and forwarded once through the frozen backbone (:class:`FrozenFeatureCache` of the model's ``embed``).
    3. The episodes are scored from the cached features, ``episode_batch`` at a time (the model's
       ``projected_episode_scores``), and each one's query accuracy goes to the evaluator
       (``mmringmoe.EpisodeAccuracy``: mean and 95% interval).
    """

    def _init_episodes(self, n_way: int, k_shot: int, n_query: int, num_episodes: int, seed: int,
                       episode_batch: int) -> None:
        if min(n_way, k_shot, n_query, num_episodes, episode_batch) < 1:
            raise ValueError(f'{type(self).__name__}: n_way, k_shot, n_query, num_episodes, episode_batch '
                             'must be >= 1')
        self.n_way, self.k_shot, self.n_query = n_way, k_shot, n_query
        self.num_episodes, self.seed, self.episode_batch = num_episodes, seed, episode_batch

    def episode_count(self) -> int:
        return self.num_episodes

    def describe(self) -> str:
        return f'episodes ({self.n_way}-way {self.k_shot}-shot, {self.n_query} queries per class, seed {self.seed})'

    def image_total(self) -> int:
        return len(self.dataloader.dataset)

    def draw(self) -> List[Episode]:
        dataset = self.dataloader.dataset
        groups = group_by_class(dataset.get_gt_labels())
        classes = dataset.metainfo['classes']
        sizes = {classes[label]: len(images) for label, images in groups.items()}
        check_class_sizes(sizes, self.k_shot, self.n_query, type(dataset).__name__)
        check_class_count(len(groups), self.n_way, type(dataset).__name__)
        return [
            draw_episodes(groups, self.n_way, self.k_shot, self.n_query, self.seed, 1, start=i)[0]
            for i in self.my_positions()
        ]

    def episode_images(self, episode: Episode) -> List[int]:
        return episode.indices()

    def image_dataset(self, keys: List[int]) -> Dataset:
        return Subset(self.dataloader.dataset, keys)

    def collate(self, batch: List) -> object:
        return self.dataloader.collate_fn(batch)

    def feature_cache(self, model) -> FrozenFeatureCache:
        # the relation module is fixed during an evaluation: keep its first convolution's projections of each
        # image's frozen features (RelationNetClassifier.embed), 64 channels instead of the backbone's
        return FrozenFeatureCache(model.backbone, forward=model.embed, batch_size=self.dataloader.batch_size)

    def batch_inputs(self, model, batch, keys: List[int]) -> Tensor:
        return model.data_preprocessor(batch, False)['inputs']

    def score(self, model, cache: FrozenFeatureCache, episodes: List[Episode]) -> List[dict]:
        support = cache.features([i for e in episodes for i in e.support_indices()], _no_load)[0]
        queries = cache.features([i for e in episodes for i in e.query_indices()], _no_load)[1]
        scores = model.projected_episode_scores(
            support.unflatten(0, (len(episodes), -1)), queries.unflatten(0, (len(episodes), -1)), self.n_way,
            self.k_shot)
        targets = torch.arange(self.n_way).repeat_interleave(self.n_query)
        correct = (scores.argmax(dim=-1).cpu() == targets).sum(dim=-1)
        return [dict(correct=int(c), total=len(targets)) for c in correct]


class _SegImages(Dataset):
    """The images ``indices`` of a ``FewShotSegDataset``'s source, each through the episode's per-image
    transforms once (``FewShotSegDataset.load_image``)."""

    def __init__(self, dataset, indices: List[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, item: int) -> dict:
        image = self.dataset.load_image(self.indices[item])
        return dict(img=image_tensor(image['img']), label=image['gt_seg_map'])


class SegEpisodicEvaluation(EpisodicEvaluation):
    """The evaluation of :class:`EpisodicSegValLoop` and :class:`EpisodicSegTestLoop`: the 1-shot episodes of
    the dataloader's ``mmringmoe.FewShotSegDataset`` (test mode: seeded, fixed when the dataset is built).

    Instead of loading both images of every episode (1000 episodes per fold share far fewer images), each
    unique image is loaded once with its full label map (the per-image transforms of the pipeline's
    ``LoadSegEpisode``) and forwarded once through the frozen backbone (the model's ``backbone_features``;
    normalised as the data preprocessor normalises an episode, ``image_inputs``). An episode's support and
    query masks are the labels reduced to its class (``binary_class_mask``, as ``LoadSegEpisode`` does), its
    prediction the model's ``segment`` of the cached features, ``episode_batch`` episodes at a time: the same
    samples as the per-episode test, to the same evaluator (``mmringmoe.FewShotSegMetric``).

    Each image's label map is kept during the evaluation (one byte per pixel), its features in the cache (on
    the model's device, or in host memory with the model's ``cache_on_cpu``); both are dropped at the end.
    """

    def _init_episodes(self, episode_batch: Optional[int]) -> None:
        episode_batch = self.dataloader.batch_size if episode_batch is None else episode_batch
        if episode_batch < 1:
            raise ValueError(f'{type(self).__name__}: episode_batch must be >= 1, got {episode_batch}')
        self.episode_batch = episode_batch
        self.labels: Dict[int, np.ndarray] = {}

    def episode_count(self) -> int:
        return len(self.dataloader.dataset)

    def describe(self) -> str:
        dataset = self.dataloader.dataset
        return f'1-shot episodes ({dataset.benchmark} fold {dataset.fold}, seed {dataset.seed})'

    def image_total(self) -> int:
        return len(self.dataloader.dataset.source_infos)

    def draw(self) -> List[dict]:
        dataset = self.dataloader.dataset
        if getattr(dataset, 'mode', None) != 'test':
            raise ValueError(f'{type(self).__name__} evaluates the test episodes of a mmringmoe.FewShotSegDataset '
                             f"(mode='test'), got {type(dataset).__name__}")
        return [dataset.get_data_info(i) for i in self.my_positions()]

    def episode_images(self, episode: dict) -> List[int]:
        return [episode['support_index'], episode['query_index']]

    def image_dataset(self, keys: List[int]) -> Dataset:
        return _SegImages(self.dataloader.dataset, keys)

    def collate(self, batch: List[dict]) -> List[dict]:
        return batch

    def feature_cache(self, model) -> FrozenFeatureCache:
        return FrozenFeatureCache(model.backbone, forward=model.backbone_features,
                                  batch_size=self.dataloader.batch_size, store=model.feature_cache.store)

    def batch_inputs(self, model, batch: List[dict], keys: List[int]) -> Tensor:
        self.labels.update((key, item['label']) for key, item in zip(keys, batch))
        return model.image_inputs([item['img'] for item in batch])

    def score(self, model, cache: FrozenFeatureCache, episodes: List[dict]) -> List[dict]:
        support = cache.features([e['support_index'] for e in episodes], _no_load)
        query = cache.features([e['query_index'] for e in episodes], _no_load)
        device = model.scale.device
        support_mask = self._masks(episodes, 'support_index').to(device)
        query_mask = self._masks(episodes, 'query_index')
        logits = model.segment(support.to(device), support_mask[:, 0], query.to(device), query_mask.shape[-2:])
        return [
            dict(fewshot_class=e['class_name'], pred_sem_seg=dict(data=pred), gt_sem_seg=dict(data=gt))
            for e, pred, gt in zip(episodes, model.foreground(logits), query_mask)
        ]

    def _masks(self, episodes: List[dict], role: str) -> Tensor:
        """``[B, 1, H, W]`` int64: each episode's image of ``role`` reduced to the episode's class."""
        return torch.stack([
            torch.from_numpy(binary_class_mask(self.labels[e[role]], int(e['class_index']))[None].astype(np.int64))
            for e in episodes
        ])

    def release(self, cache: FrozenFeatureCache) -> None:
        super().release(cache)
        self.labels.clear()


@LOOPS.register_module()
class EpisodicValLoop(ClsEpisodicEvaluation, ValLoop):
    """mmengine's ``ValLoop`` over few-shot episodes (:class:`ClsEpisodicEvaluation`), e.g. on the validation
    classes during training; the ``val`` hooks run as for ``ValLoop`` (``before_val``, ``after_val_epoch``
    with the metrics, ...), the per-iteration ones are not called (an episode is no dataloader batch).

    Args:
        runner, dataloader, evaluator: as for ``ValLoop``; the dataloader's dataset holds the episode classes.
        n_way, k_shot, n_query (int): the episodes' shape. Defaults to 5, 1, 15.
        num_episodes (int): Defaults to 600 (the usual count of few-shot work; the paper states none).
        seed (int): the episodes' seed. Defaults to 0.
        episode_batch (int): episodes scored at once (the same numbers): more at once pays on a GPU; on the
            CPU one at a time keeps an episode's pairs in the cache and is fastest. Defaults to 1.
    """

    def __init__(self,
                 runner,
                 dataloader,
                 evaluator,
                 n_way: int = 5,
                 k_shot: int = 1,
                 n_query: int = 15,
                 num_episodes: int = 600,
                 seed: int = 0,
                 episode_batch: int = 1) -> None:
        super().__init__(runner, dataloader, evaluator)
        self._init_episodes(n_way, k_shot, n_query, num_episodes, seed, episode_batch)

    def run(self) -> dict:
        return self.run_stage('val')


@LOOPS.register_module()
class EpisodicTestLoop(ClsEpisodicEvaluation, TestLoop):
    """mmengine's ``TestLoop`` over few-shot episodes (:class:`ClsEpisodicEvaluation`): the reported number.

    Args: as :class:`EpisodicValLoop`.
    """

    def __init__(self,
                 runner,
                 dataloader,
                 evaluator,
                 n_way: int = 5,
                 k_shot: int = 1,
                 n_query: int = 15,
                 num_episodes: int = 600,
                 seed: int = 0,
                 episode_batch: int = 1) -> None:
        super().__init__(runner, dataloader, evaluator)
        self._init_episodes(n_way, k_shot, n_query, num_episodes, seed, episode_batch)

    def run(self) -> dict:
        return self.run_stage('test')


@LOOPS.register_module()
class EpisodicSegValLoop(SegEpisodicEvaluation, ValLoop):
    """mmengine's ``ValLoop`` over the 1-shot segmentation episodes of a ``FewShotSegDataset``
    (:class:`SegEpisodicEvaluation`: each unique image loaded and forwarded once), e.g. every 10 epochs of
    training; the ``val`` hooks run as for ``ValLoop``, the per-iteration ones are not called.

    Args:
        runner, dataloader, evaluator: as for ``ValLoop``; the dataloader's dataset is a test-mode
            ``mmringmoe.FewShotSegDataset``, its batch size and workers load the images.
        episode_batch (int, optional): episodes scored at once (the same numbers). Defaults to the
            dataloader's batch size.
    """

    def __init__(self, runner, dataloader, evaluator, episode_batch: Optional[int] = None) -> None:
        super().__init__(runner, dataloader, evaluator)
        self._init_episodes(episode_batch)

    def run(self) -> dict:
        return self.run_stage('val')


@LOOPS.register_module()
class EpisodicSegTestLoop(SegEpisodicEvaluation, TestLoop):
    """mmengine's ``TestLoop`` over the 1-shot segmentation episodes of a ``FewShotSegDataset``
    (:class:`SegEpisodicEvaluation`): the reported fold mIoU.

    Args: as :class:`EpisodicSegValLoop`.
    """

    def __init__(self, runner, dataloader, evaluator, episode_batch: Optional[int] = None) -> None:
        super().__init__(runner, dataloader, evaluator)
        self._init_episodes(episode_batch)

    def run(self) -> dict:
        return self.run_stage('test')
