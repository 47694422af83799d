"""``init_cfg=dict(type='Pretrained', ...)`` loading shared by the RingMoE backbones, with a key report."""
import re
from typing import Callable, Dict, Optional

import torch
import torch.nn as nn
from mmengine.logging import MMLogger, print_log

from mmringmoe.utils.checkpoint_files import (CheckpointError, KeyFit, compare_keys, fit_message,
                                              read_checkpoint, shapes_of, state_dict_of, strip_prefix)
from .state_dict import summarize_keys

StateDict = Dict[str, torch.Tensor]
_OUTPUT_NORM = re.compile(r'^norm\d+\.')  # SwinV2's LayerNorm of each out_indices entry


def load_pretrained(module: nn.Module,
                    init_cfg: dict,
                    convert: Optional[Callable[[StateDict], StateDict]] = None,
                    require_all: bool = False) -> KeyFit:
    """Load ``init_cfg``'s checkpoint into ``module`` (a backbone) and log what did not fit.

    The keys are the checkpoint's ``state_dict`` (or the checkpoint itself). When some start with
    ``init_cfg['prefix']`` (default ``'backbone.'``), only those are kept, without the prefix (a whole
    model, e.g. a Runner checkpoint); otherwise every key is used as it is (a backbone file, as
    ``tools/prune/prune.py`` and ``tools/model_converters/upcycle_swinv2.py`` write). Either file thus loads
    with or without ``prefix='backbone.'``. ``convert`` then maps the keys onto ``module``'s names.

    Args:
        module: the backbone.
        init_cfg: ``dict(type='Pretrained', checkpoint=PATH[, prefix=...])``.
        convert: a state-dict mapping applied after the prefix (e.g. dense SwinV2 -> RingMoE).
        require_all: every key of ``module`` must be in the checkpoint (a dense backbone: a partly loaded
            one is never what was meant), except SwinV2's output norms ``norm<i>``: one per ``out_indices``
            entry, so a checkpoint saved with other ``out_indices`` (pretraining's ``(3, )``) lacks some.

    Returns:
        KeyFit: the key report (missing and unexpected keys are also logged, grouped by pattern).

    Raises:
        CheckpointError: an unreadable file, no key that fits, a key of another shape, or (``require_all``)
            a missing key; one line with the counts, the first keys and the likely cause.
    """
    path = init_cfg['checkpoint']
    state = strip_prefix(state_dict_of(read_checkpoint(path), path), init_cfg.get('prefix') or 'backbone.')
    if convert is not None:
        state = convert(state)
    model_shapes, ckpt_shapes = shapes_of(module.state_dict()), shapes_of(state)
    fit = compare_keys(model_shapes, ckpt_shapes)
    required_missing = [k for k in fit.missing if not _OUTPUT_NORM.match(k)]
    if not fit.matched or fit.mismatched or (require_all and required_missing):
        what = f'the backbone {type(module).__name__}'
        raise CheckpointError(fit_message(path, what, model_shapes, ckpt_shapes, fit))
    module.load_state_dict(state, strict=False)
    logger = MMLogger.get_current_instance()
    print_log(f'{type(module).__name__}: loaded {path} ({len(fit.matched)} of {fit.num_model_keys} keys)',
              logger=logger)
    for kind, keys in (('missing', fit.missing), ('unexpected', fit.unexpected)):
        if keys:
            print_log(f'{type(module).__name__}: {len(keys)} {kind} keys:\n' + summarize_keys(keys),
                      logger=logger,
                      level=30)
    return fit
