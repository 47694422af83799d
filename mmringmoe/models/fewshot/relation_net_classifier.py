"""Few-shot scene classification on a frozen backbone with RelationNet (paper App. B.5.8, Table A4)."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmpretrain.structures import DataSample
from torch import Tensor

from mmringmoe.registry import MODELS


@MODELS.register_module()
class RelationNetClassifier(BaseModel):
    """A frozen backbone, class prototypes and RelationNet's relation module, trained with episodes.

    The paper follows RelationNet (Sung et al., CVPR 2018) with RingMoE-KC, frozen in training and testing,
    as the embedding module (App. B.5.8). Here:

    - features: the backbone stage ``feature_index`` (default the last), computed in eval mode without
      gradients; the backbone's parameters never train;
    - class prototype: the mean of the class's ``k_shot`` feature maps (RelationNet sums them; the mean keeps
      1-shot and 5-shot inputs on one scale, a choice: README "Where the paper is silent");
    - score: :class:`RelationModule` of the prototype and the query, in (0, 1);
    - loss: RelationNet's mean squared error between the scores and the one-hot episode labels.

    An episode arrives as one batch (:class:`~mmringmoe.datasets.fewshot.EpisodeBatchSampler`): the
    ``n_way * k_shot`` shots class by class, then the queries. Episode class ``j`` is the class of the
    ``j``-th block of shots; a query's target is the block of its dataset label.

    Args:
        backbone (dict): the backbone config (e.g. ``mmringmoe.RingMoE-KC`` with a pretrained ``init_cfg``).
        relation (dict): the relation module config (``mmringmoe.RelationModule``).
        n_way (int): classes of an episode. Defaults to 5.
        k_shot (int): shots per class. Defaults to 1.
        feature_index (int): which of the backbone's outputs to use. Defaults to -1 (the last).
        data_preprocessor (dict, optional): e.g. mmpretrain's ``ClsDataPreprocessor`` with the statistics.
        init_cfg (dict, optional): mmengine's initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 relation: dict,
                 n_way: int = 5,
                 k_shot: int = 1,
                 feature_index: int = -1,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if n_way < 2 or k_shot < 1:
            raise ValueError(
                f'RelationNetClassifier: n_way must be >= 2 and k_shot >= 1, got {n_way}, {k_shot}')
        self.backbone = MODELS.build(backbone)
        self.backbone.requires_grad_(False)
        self.relation = MODELS.build(relation)
        self.n_way, self.k_shot, self.feature_index = n_way, k_shot, feature_index

    def train(self, mode: bool = True) -> 'RelationNetClassifier':
        """Train the relation module; the frozen backbone stays in eval mode (no dropout, drop path or
        routing noise)."""
        super().train(mode)
        self.backbone.eval()
        return self

    def extract_feat(self, inputs: Tensor) -> Tensor:
        """The frozen backbone's features of ``inputs`` (stage ``feature_index``), without gradients."""
        self.backbone.eval()
        with torch.no_grad():
            return self.backbone(inputs)[self.feature_index]

    def embed(self, inputs: Tensor) -> Tuple[Tensor, Tensor]:
        """The relation module's projections (:meth:`RelationModule.project`) of the frozen features of
        ``inputs``, in :meth:`RelationModule.window_major` order when the maps' sides are even: what an
        evaluation keeps per unique image while the relation module is fixed."""
        with torch.no_grad():
            parts = self.relation.project(self.extract_feat(inputs))
            return tuple(map(self.relation.window_major, parts)) if self._window_major else parts

    @property
    def _window_major(self) -> bool:
        return self.relation.feat_size % 2 == 0

    @staticmethod
    def prototypes(support: Tensor, n_way: int, k_shot: int) -> Tensor:
        """Class prototypes ``[..., n_way, C, h, w]``: the mean of each class's ``k_shot`` consecutive support
        maps ``[..., n_way * k_shot, C, h, w]`` (leading dimensions: e.g. episodes)."""
        dim = support.dim() - 4
        return support.unflatten(dim, (n_way, k_shot)).mean(dim=dim + 1)

    def episode_scores(self, support: Tensor, queries: Tensor, n_way: int, k_shot: int) -> Tensor:
        """Relation scores ``[..., Q, n_way]`` of query features ``[..., Q, C, h, w]`` and the class-major
        support features ``[..., n_way * k_shot, C, h, w]`` of one or more episodes."""
        return self.relation(queries, self.prototypes(support, n_way, k_shot))

    def projected_episode_scores(self, support: Tensor, queries: Tensor, n_way: int, k_shot: int) -> Tensor:
        """:meth:`episode_scores` from :meth:`embed`'s projections: the class parts of the shots
        ``[..., n_way * k_shot, mid, h, w]`` and the query parts of the queries ``[..., Q, mid, h, w]``
        (equal, as the first convolution is linear: the projection of a prototype is the mean of the shots'
        projections). Eval mode (the running BatchNorm statistics)."""
        return self.relation.score(queries, self.prototypes(support, n_way, k_shot), self._window_major)

    def forward(self,
                inputs: Tensor,
                data_samples: Optional[List[DataSample]] = None,
                mode: str = 'tensor') -> Union[Tensor, Dict[str, Tensor], List[DataSample]]:
        """One episode batch: ``'tensor'`` -> scores ``[Q, n_way]``; ``'loss'`` -> ``dict(loss=...)``;
        ``'predict'`` -> the queries' data samples with ``pred_label`` (a dataset label) and ``pred_score``
        (the relation scores of the episode classes, in episode order)."""
        n_support = self.n_way * self.k_shot
        if len(inputs) <= n_support:
            raise ValueError(f'RelationNetClassifier: a batch of {len(inputs)} images has no query after the '
                             f'{n_support} shots of a {self.n_way}-way {self.k_shot}-shot episode')
        features = self.extract_feat(inputs)
        scores = self.episode_scores(features[:n_support], features[n_support:], self.n_way, self.k_shot)
        if mode == 'tensor':
            return scores
        if data_samples is None:
            raise ValueError(f'RelationNetClassifier: mode {mode!r} needs the data samples (labels)')
        classes = self._episode_classes(data_samples[:n_support])
        if mode == 'loss':
            targets = self._episode_targets(data_samples[n_support:], classes)
            return dict(loss=F.mse_loss(scores, F.one_hot(targets, self.n_way).to(scores.dtype)))
        if mode == 'predict':
            queries = data_samples[n_support:]
            for sample, row in zip(queries, scores.detach()):
                sample.set_pred_score(row).set_pred_label(classes[int(row.argmax())])
            return queries
        raise ValueError(f'RelationNetClassifier: unknown mode {mode!r} (tensor, loss, predict)')

    def _episode_classes(self, shots: Sequence[DataSample]) -> List[int]:
        """The dataset label of each episode class, from the class-major shots (checked)."""
        labels = torch.stack([s.gt_label.view(()) for s in shots]).view(self.n_way, self.k_shot)
        classes = labels[:, 0].tolist()
        if not bool((labels == labels[:, :1]).all()) or len(set(classes)) != self.n_way:
            raise ValueError(
                f'RelationNetClassifier: the shots are not {self.n_way} blocks of {self.k_shot} of one '
                f'class each (labels {labels.tolist()}); use mmringmoe.EpisodeBatchSampler')
        return classes

    @staticmethod
    def _episode_targets(queries: Sequence[DataSample], classes: List[int]) -> Tensor:
        """Each query's episode class index."""
        position = {label: j for j, label in enumerate(classes)}
        labels = [int(s.gt_label) for s in queries]
        unknown = sorted(set(labels) - set(position))
        if unknown:
            raise ValueError(
                f'RelationNetClassifier: query labels {unknown} are not among the episode classes '
                f'{classes}')
        return torch.tensor([position[label] for label in labels], device=queries[0].gt_label.device)
