"""Seed torch's random generators from (seed, iteration, rank) so that resumed training is exact."""
from typing import Optional

import numpy as np
import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook

from mmringmoe.registry import HOOKS


@HOOKS.register_module()
class IterationSeedHook(Hook):
    """Before every training iteration, seed torch from ``(runner.seed, iteration, rank)``.

    mmengine's ``--resume`` restores weights, optimizer, schedulers, the iteration and the *seed*, and
    replays the dataloader up to the resumed iteration, but it does not restore the random generators'
    states: after a resume, torch's generator starts again from the freshly seeded state, so the
    randomness used inside the model (RingMoE's noisy-gating noise, Eq. 14; drop path; dropout) differs
    from an uninterrupted run and the two runs diverge. Saving the generator state in the checkpoint is not
    enough under DDP (only rank 0 writes the checkpoint) and is off by the draws made between the save and
    the next step.

    This hook makes the model's randomness a function of the iteration instead: iteration ``i`` on rank
    ``r`` runs with torch (CPU and CUDA) seeded by ``SeedSequence([seed, i, r])``. An uninterrupted run
    and a run stopped and resumed at any checkpoint then draw the same numbers, and DDP ranks draw
    different ones (mmengine seeds every rank alike unless ``diff_rank_seed``). The data pipeline's numpy
    randomness (crops, flips, SimMIM masks) is left to mmengine: it seeds the dataloader workers, or the
    main process when ``num_workers=0``, and the resume replays the dataloader, which reproduces it.

    Args:
        seed (int, optional): overrides ``runner.seed`` (the ``randomness.seed`` of the config, which a
            resumed run takes from the checkpoint).
    """

    priority = 'VERY_HIGH'

    def __init__(self, seed: Optional[int] = None) -> None:
        self.seed = seed

    def iteration_seed(self, runner, iteration: int) -> int:
        """The torch seed of ``iteration`` on this rank."""
        seed = runner.seed if self.seed is None else self.seed
        state = np.random.SeedSequence([int(seed) % 2**32, int(iteration), get_rank()]).generate_state(2)
        return int(state[0]) << 32 | int(state[1])

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        """Seed torch for the coming step (``runner.iter`` is the number of finished steps)."""
        torch.manual_seed(self.iteration_seed(runner, runner.iter))
