"""Few-shot recognition on a frozen backbone (paper App. B.5.8): the feature cache, RelationNet."""
from .frozen_feature_cache import FrozenFeatureCache
from .prototype_seg import PrototypeFewShotSegmentor
from .relation_module import RelationModule
from .relation_net_classifier import RelationNetClassifier

__all__ = ['FrozenFeatureCache', 'PrototypeFewShotSegmentor', 'RelationModule', 'RelationNetClassifier']
