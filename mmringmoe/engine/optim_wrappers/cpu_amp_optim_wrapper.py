"""Mixed precision on the CPU for ``tools/train.py --amp``."""
from contextlib import contextmanager

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper

from mmringmoe.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class CPUAmpOptimWrapper(OptimWrapper):
    """``OptimWrapper`` whose forward runs under ``torch.autocast('cpu', dtype=bfloat16)``.

    Written because mmengine's ``AmpOptimWrapper`` asserts a CUDA/NPU/MLU device. bfloat16 has float32's
    exponent range, so no loss scaling (GradScaler) is needed; parameters and optimizer state stay float32.
    """

    @contextmanager
    def optim_context(self, model: nn.Module):
        with super().optim_context(model), torch.autocast('cpu', dtype=torch.bfloat16):
            yield
