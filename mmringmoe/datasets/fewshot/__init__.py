"""Few-shot episodes and the scene datasets they are drawn from (paper App. B.5.8, Table A2)."""
from .episode_sampler import (Episode, FewShotDataError, check_class_count, check_class_sizes, choose,
                              draw_episode, draw_episodes, episode_rng, group_by_class)
from .episode_batch_sampler import EpisodeBatchSampler
from .fewshot_scene_dataset import FewShotSceneDataset
from .fewshot_seg_dataset import FewShotSegDataset
from .scene_splits import RELEASE_CLASSES, TABLE_A2, split_classes
from .seg_episodes import SEG_FOLDS, fold_classes

__all__ = [
    'Episode', 'EpisodeBatchSampler', 'FewShotDataError', 'FewShotSceneDataset', 'RELEASE_CLASSES', 'TABLE_A2',
    'check_class_count', 'check_class_sizes', 'choose', 'draw_episode', 'draw_episodes', 'episode_rng',
    'group_by_class', 'split_classes'
]
__all__ += ['FewShotSegDataset', 'SEG_FOLDS', 'fold_classes']
