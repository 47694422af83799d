"""Loops of mmringmoe: few-shot episodic evaluation."""
from .episodic_eval_loop import EpisodicSegTestLoop, EpisodicSegValLoop, EpisodicTestLoop, EpisodicValLoop
from .epoch_length_train_loop import EpochLengthIterTrainLoop

__all__ = [
    'EpisodicSegTestLoop', 'EpisodicSegValLoop', 'EpisodicTestLoop', 'EpisodicValLoop', 'EpochLengthIterTrainLoop'
]
