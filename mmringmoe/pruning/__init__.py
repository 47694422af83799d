"""Expert statistics, decomposition, sparse expert pruning and dense merging (paper Sec. 3.4, App. B.4).

- :mod:`.frequencies`: routing statistics, Eq. 15, and their JSON file and heatmaps.
- :mod:`.expert_pruning`: RingMoE-EP's expert selection, Eq. 16 and Table A1's policies.
- :mod:`.merging`: knowledge summing / averaging / compressing, Eq. 17-20.
- :mod:`.conversion`: the checkpoint conversions built from them, planned on ``meta`` and streamed.
- :mod:`.checkpoint_io`: reading and writing checkpoints tensor by tensor.

The command-line tools are in ``tools/prune`` (see ``docs/pruning.md``, "Step by step").
"""
from .checkpoint_io import CheckpointReader, CheckpointWriter, StateDictReader, TensorSpec
from .conversion import (Conversion, SourceCheckpoint, open_source, plan_decomposition, plan_expert_pruning,
                         plan_merging)
from .expert_pruning import POLICIES, kept_experts, percentile_threshold, select_collaborative_experts
from .frequencies import (build_expert_stats, check_stats_layers, collect_expert_counts, expert_frequencies,
                          load_expert_stats, plot_expert_stats, save_expert_stats, stats_frequencies)
from .merging import (default_rank, knowledge_average, knowledge_compress, knowledge_sum, low_rank_merge,
                      merge_biases, truncated_svd)

__all__ = [
    'CheckpointReader', 'CheckpointWriter', 'StateDictReader', 'TensorSpec', 'Conversion', 'SourceCheckpoint',
    'open_source', 'plan_decomposition', 'plan_expert_pruning', 'plan_merging', 'POLICIES', 'kept_experts',
    'percentile_threshold', 'select_collaborative_experts', 'build_expert_stats', 'check_stats_layers',
    'collect_expert_counts', 'expert_frequencies', 'load_expert_stats', 'plot_expert_stats',
    'save_expert_stats', 'stats_frequencies', 'default_rank', 'knowledge_average', 'knowledge_compress',
    'knowledge_sum', 'low_rank_merge', 'merge_biases', 'truncated_svd'
]
