"""An iteration-based training loop whose length is given in epochs of its dataloader."""
from typing import Dict, Union

from mmengine.logging import print_log
from mmengine.runner import IterBasedTrainLoop
from torch.utils.data import DataLoader

from mmringmoe.registry import LOOPS


@LOOPS.register_module()
class EpochLengthIterTrainLoop(IterBasedTrainLoop):
    """mmengine's ``IterBasedTrainLoop`` with ``max_iters = max_epochs x len(dataloader)``, computed when built.

    For a paper schedule given in epochs over a training set whose size is only known from the data (the
    few-shot segmentation episodes of App. B.5.8: one per training image containing a base class of the
    fold). Training counts iterations, so ``--resume`` replays the data exactly (mmengine resumes an
    epoch-based loop at an epoch boundary without replaying it). Epoch-based parameter schedulers work
    unchanged through mmengine's ``convert_to_iter_based=True``, which uses the same ``len(dataloader)``.

    Args:
        runner (Runner): the runner.
        dataloader (DataLoader or dict): the training dataloader.
        max_epochs (int): training length in epochs.
        val_interval (int): validate every ``val_interval`` epochs. Defaults to 1.
        val_begin (int): the first epoch after which to validate. Defaults to 1.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 max_epochs: int,
                 val_interval: int = 1,
                 val_begin: int = 1) -> None:
        super().__init__(runner, dataloader, max_iters=1)
        epoch_length = len(self.dataloader)
        if epoch_length == 0 or max_epochs < 1:
            raise ValueError(f'EpochLengthIterTrainLoop: {max_epochs} epochs of {epoch_length} iterations')
        self.epoch_length = epoch_length
        self._max_iters = max_epochs * epoch_length
        self.val_interval = val_interval * epoch_length
        self.val_begin = val_begin * epoch_length
        self.dynamic_milestones, self.dynamic_intervals = [0], [self.val_interval]
        print_log(f'{max_epochs} epochs of {epoch_length} iterations (batch {self.dataloader.batch_size}) = '
                  f'{self._max_iters} iterations', logger='current')
