"""1-shot segmentation episodes over a segmentation dataset's images (paper App. B.5.8, Table A3)."""
import copy
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.dataset import BaseDataset

from mmringmoe.datasets.transforms import LoadSegAnnotations, LoadSegEpisode
from mmringmoe.registry import DATASETS
from .episode_sampler import FewShotDataError
from .seg_episodes import ClassPresenceIndex, draw_test_episodes, draw_train_episode, fold_classes

MODES = ('train', 'test')


@DATASETS.register_module()
class FewShotSegDataset(BaseDataset):
    """The episodes of one fold of Table A3, drawn from the images of a segmentation dataset.

    ``mode='test'``: ``num_episodes`` episodes of the fold's testing (novel) classes, fixed by ``seed``
    (:func:`~mmringmoe.datasets.fewshot.seg_episodes.draw_test_episodes`: class-balanced, episode ``i`` from
    its own generator), so every evaluation and every rerun sees the same episodes. ``mode='train'``: one
    episode per image containing a training (base) class, the class and the support image drawn anew each
    time the image is visited (from numpy's global generator, which mmengine seeds per dataloader worker and
    replays on ``--resume``); one pass over the dataset is one epoch.

    Which image contains which class is counted once, from the label files, when the dataset is built
    (:class:`~mmringmoe.datasets.fewshot.seg_episodes.ClassPresenceIndex`). A fold class that is not a class
    of the dataset, or that fewer than two images contain, stops the build with one line.

    Each episode goes through ``pipeline`` as ``dict(support=<data info>, query=<data info>, class_index=c,
    class_name=name, query_index=q, support_index=s)`` (see :class:`~mmringmoe.datasets.transforms.LoadSegEpisode`;
    ``q`` and ``s`` index the source's images, :meth:`load_image`).

    Args:
        dataset (dict): the segmentation dataset that lists the images (e.g. ``mmringmoe.ISAIDDataset`` on
            the val split for testing); its own ``pipeline`` is not used, its classes name the fold's.
        benchmark (str): Table A3's ``'isaid'`` or ``'loveda'``.
        fold (int): the fold, 0-2.
        mode (str): ``'train'`` (base classes) or ``'test'`` (novel classes). Defaults to ``'test'``.
        num_episodes (int): test episodes. Defaults to 1000.
        seed (int): the seed of the test episodes. Defaults to 0.
        min_pixels (int): the fewest pixels of a class (at the label's resolution) for an image to contain
            it. Defaults to 2048 (2 x 32 x 32).
        **kwargs: the other arguments of mmengine's ``BaseDataset`` (``pipeline``, ``indices``, ...).
    """

    def __init__(self,
                 dataset: dict,
                 benchmark: str,
                 fold: int,
                 mode: str = 'test',
                 num_episodes: int = 1000,
                 seed: int = 0,
                 min_pixels: int = 2048,
                 **kwargs) -> None:
        if mode not in MODES:
            raise ValueError(f'FewShotSegDataset mode {mode!r}: choose from {MODES}')
        if num_episodes < 1:
            raise ValueError(f'num_episodes must be >= 1, got {num_episodes}')
        self.source_cfg = copy.deepcopy(dataset)
        self.benchmark = benchmark
        self.fold = fold
        self.mode = mode
        self.num_episodes = num_episodes
        self.seed = seed
        self.min_pixels = min_pixels
        self.classes = fold_classes(benchmark, fold)[mode]
        self.source_infos: List[dict] = []
        self.presence: Optional[ClassPresenceIndex] = None
        self.class_indices: List[int] = []
        metainfo = dict(classes=self.classes, fold=fold)
        super().__init__(metainfo=metainfo, test_mode=mode == 'test', **kwargs)

    def load_data_list(self) -> List[dict]:
        """Build the source dataset and its class-presence index, then list the episodes (test) or the
        images that start one (train)."""
        # the source's infos are copied out here, so it need not pack them for dataloader workers itself
        source = DATASETS.build(dict(self.source_cfg, pipeline=[], serialize_data=False))
        where = f'{self.benchmark} fold {self.fold} ({self.mode})'
        self.class_indices = self._source_class_indices(source, where)
        self.source_infos = [source.get_data_info(i) for i in range(len(source))]
        load_label = LoadSegAnnotations()
        self.presence = ClassPresenceIndex.from_loader(
            len(self.source_infos),
            len(source.metainfo['classes']),
            lambda i: load_label(copy.deepcopy(self.source_infos[i]))['gt_seg_map'],
            self.min_pixels,
            desc=f'classes in {where} labels')
        self.presence.check_episode_classes(self.class_names, where)
        if self.mode == 'test':
            return [
                self._episode(cls, query, support)
                for cls, query, support in draw_test_episodes(self.presence, self.class_indices, self.num_episodes,
                                                              self.seed)
            ]
        return [dict(query_image=i) for i in self.presence.images_with(self.class_indices)]

    def prepare_data(self, idx: int):
        """The test episode ``idx``, or a training episode drawn around image ``idx``, through the pipeline."""
        info = self.get_data_info(idx)
        if self.mode == 'train':
            query = info['query_image']
            rng = np.random.default_rng(np.random.randint(2**31 - 1))
            cls, support = draw_train_episode(rng, self.presence, query, self.class_indices)
            info = self._episode(cls, query, support)
        return self.pipeline(info)

    def load_image(self, index: int) -> dict:
        """Image ``index`` of the source dataset through the per-image transforms of the pipeline's
        :class:`~mmringmoe.datasets.transforms.LoadSegEpisode` (``img``, the full label map ``gt_seg_map``,
        ``img_path``, ...): what an episode loads for its support or query, for
        :class:`~mmringmoe.engine.loops.EpisodicSegTestLoop`, which loads each image of the test once."""
        loaders = [t for t in self.pipeline.transforms if isinstance(t, LoadSegEpisode)]
        if not loaders:
            raise ValueError('FewShotSegDataset.load_image: the pipeline has no mmringmoe.LoadSegEpisode')
        return loaders[0].load_image(self.source_infos[index])

    def _episode(self, cls: int, query: int, support: int) -> dict:
        # copies: the loading transforms append to an info's lists (``seg_fields``)
        return dict(query=copy.deepcopy(self.source_infos[query]), support=copy.deepcopy(self.source_infos[support]),
                    class_index=cls, class_name=self.class_names[cls], query_index=query, support_index=support)

    @property
    def class_names(self) -> Dict[int, str]:
        """``{class index in the source's encoding: name}`` of this mode's fold classes."""
        return dict(zip(self.class_indices, self.classes))

    def _source_class_indices(self, source: BaseDataset, where: str) -> List[int]:
        names: Sequence[str] = source.metainfo['classes']
        missing = [name for name in self.classes if name not in names]
        if missing:
            raise FewShotDataError(f'{where}: class {missing[0]!r} is not a class of {type(source).__name__} '
                             f'({", ".join(names)})')
        return [list(names).index(name) for name in self.classes]
