"""Build paper-size models on the ``meta`` device (no memory) to count their parameters."""
from contextlib import contextmanager
from typing import Iterator

import torch
import torch.nn as nn
from torch.overrides import TorchFunctionMode


class _LinspaceOnCPU(TorchFunctionMode):
    """Create ``torch.linspace`` tensors on the CPU inside a ``torch.device('meta')`` block.

    mmpretrain's ``SwinTransformerV2.__init__`` computes the stochastic-depth rates with
    ``torch.linspace(...)`` followed by ``.item()``, which a meta tensor cannot answer. Only that
    (tiny) tensor is moved to the CPU; every parameter and buffer stays on ``meta``.
    """

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        if func is torch.linspace:
            kwargs['device'] = 'cpu'
        return func(*args, **kwargs)


@contextmanager
def meta_device() -> Iterator[None]:
    """Context in which modules are built on ``meta`` (SwinV2 included)."""
    with torch.device('meta'), _LinspaceOnCPU():
        yield


def count_parameters(module: nn.Module) -> int:
    """Number of parameters (trainable or not) of ``module``."""
    return sum(p.numel() for p in module.parameters())
