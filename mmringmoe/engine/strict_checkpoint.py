"""Whether a checkpoint fits the model that ``tools/test.py`` evaluates or ``tools/train.py`` starts from.

mmengine's Runner loads ``load_from`` with ``strict=False``: a checkpoint of another model is evaluated with
whatever keys happen to match (or none) and exit code 0, the only sign a "do not match exactly" among
hundreds of log lines. The tools therefore compare the keys and shapes first (read without the tensor
data, so the check costs no second load) and stop with one line when the checkpoint does not fit.
"""
import re
from typing import Optional

import torch.nn as nn
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner

from mmringmoe.utils.checkpoint_files import checkpoint_shapes, compare_keys, fit_message, shapes_of

# Runner.load_checkpoint's default ``revise_keys``: a DDP-wrapped model's keys lose their ``module.``.
_WRAPPER_PREFIX = re.compile(r'^module\.')


def runner_model(runner: Runner) -> Optional[nn.Module]:
    """The runner's model without its DDP wrapper; None while it is still a config (FlexibleRunner builds
    it inside ``train()``/``test()``, through its strategy, which loads checkpoints its own way)."""
    model = runner.model
    if is_model_wrapper(model):
        model = model.module
    return model if isinstance(model, nn.Module) else None


def checkpoint_fit_problem(model: nn.Module, path: str, strict: bool) -> Optional[str]:
    """None when the checkpoint ``path`` fits ``model``, else one line saying how it does not and why.

    Args:
        model: the model to load into.
        path: a local checkpoint file.
        strict: every key of the model and of the checkpoint must match, with its shape (SwinV2's
            re-created position buffers aside): evaluation. Otherwise at least one key must match and, when
            the model has a ``backbone``, at least one of its keys: fine-tuning from a checkpoint whose
            head differs is fine, loading nothing is not.

    Raises:
        CheckpointError: ``path`` is not a readable checkpoint.
    """
    ckpt = {_WRAPPER_PREFIX.sub('', k): shape for k, shape in checkpoint_shapes(path).items()}
    model_shapes = shapes_of(model.state_dict())
    fit = compare_keys(model_shapes, ckpt)
    if strict:
        fits = fit.exact
    else:
        has_backbone = any(k.startswith('backbone.') for k in model_shapes)
        fits = bool(fit.matched) and (not has_backbone or any(k.startswith('backbone.') for k in fit.matched))
    return None if fits else fit_message(path, 'the model of the config', model_shapes, ckpt, fit)
