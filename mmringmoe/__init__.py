"""mmringmoe: RingMoE as an OpenMMLab plugin.

Importing the package (directly or through ``custom_imports=dict(imports=['mmringmoe'])``) applies the
stack's import shims, checks toolkit versions, allow-lists the globals of mmengine checkpoints for
``torch.load(weights_only=True)`` and registers every module into the ``mmringmoe`` scope. First of all,
before torch loads OpenMP, it sets ``OMP_WAIT_POLICY=PASSIVE`` unless set (``mmringmoe/utils/threads.py``).
"""
from .utils.threads import prefer_passive_openmp_wait as _prefer_passive_openmp_wait

_prefer_passive_openmp_wait()

from .utils import compat as _compat  # noqa: E402

_compat.apply_all()

from .utils.check_env import check_versions as _check_versions  # noqa: E402

_check_versions()

from .utils.checkpoint_globals import allow_mmengine_checkpoint_globals  # noqa: E402

allow_mmengine_checkpoint_globals()

from . import datasets, engine, evaluation, models, visualization  # noqa: E402,F401
from .version import __version__  # noqa: E402

__all__ = ['__version__']
