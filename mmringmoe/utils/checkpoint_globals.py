"""Let ``torch.load(weights_only=True)`` read mmengine checkpoints, and nothing more.

torch >= 2.6 loads with ``weights_only=True`` by default, and mmengine 0.10.7 calls ``torch.load`` without
the argument, so ``Runner(resume=True)`` and ``load_checkpoint`` on a checkpoint that a Runner saved fail
with ``Unsupported global``: besides tensors, the ``message_hub`` entry of such a checkpoint holds
``HistoryBuffer`` objects (numpy arrays of logged values, plus the buffer's statistics methods) and numpy
scalars (``eta``, ``best_score``). The globals below are exactly those that a Runner checkpoint contains,
found with ``torch.serialization.get_unsafe_globals_in_checkpoint`` on checkpoints of a Runner that trains,
validates with a metric and keeps the best checkpoint (see ``tests/test_utils/test_checkpoint_globals.py``).
``weights_only`` itself stays on: any other global is still refused.
"""
import pickle
from typing import Any, Callable, List, Tuple, Union

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

# ``HistoryBuffer.__getstate__`` stores its statistics methods; pickle writes each as
# ``getattr(HistoryBuffer, 'mean')``. These are the ones ``HistoryBuffer._set_default_statistics`` registers.
_HISTORY_BUFFER_METHODS = ('min', 'max', 'current', 'mean')

# Plain-number dtypes: logged values, counts and metric scores are stored as these. Rebuilding one runs no
# code; object, string, void and datetime dtypes stay refused.
_NUMERIC_DTYPES = (np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
                   np.float16, np.float32, np.float64)


def _history_buffer_getattr(obj: Any, name: str) -> Callable:
    """``getattr`` restricted to the statistics methods of ``HistoryBuffer``.

    Registered under the name ``builtins.getattr`` for unpickling only: allow-listing the real ``getattr``
    would let a checkpoint reach any attribute of any allowed object (``__globals__`` and from there
    everything), which defeats ``weights_only``.
    """
    if obj is HistoryBuffer and name in _HISTORY_BUFFER_METHODS:
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'weights_only load: getattr({obj!r}, {name!r}) is not allowed; mmringmoe only allows '
        f'HistoryBuffer.{{{",".join(_HISTORY_BUFFER_METHODS)}}}')


def _numpy_multiarray():
    """numpy's ``multiarray`` module: ``numpy._core`` in numpy 2.x (and 1.26's forward shim), else
    ``numpy.core``."""
    try:
        from numpy._core import multiarray
    except ImportError:  # numpy < 1.26
        from numpy.core import multiarray
    return multiarray


def mmengine_checkpoint_globals() -> List[Union[Callable, Tuple[Callable, str]]]:
    """The globals of an mmengine Runner checkpoint, in ``torch.serialization.add_safe_globals`` form."""
    multiarray = _numpy_multiarray()
    safe: List[Union[Callable, Tuple[Callable, str]]] = [
        HistoryBuffer,
        (_history_buffer_getattr, 'builtins.getattr'),
        np.ndarray,
        np.dtype,
    ]
    # A checkpoint names numpy's functions by the module path of the numpy that wrote it: numpy 2.x writes
    # ``numpy._core.multiarray``, numpy 1.x ``numpy.core.multiarray``; accept both.
    for module in ('numpy._core.multiarray', 'numpy.core.multiarray'):
        safe.append((multiarray._reconstruct, f'{module}._reconstruct'))
        safe.append((multiarray.scalar, f'{module}.scalar'))
    # Unpickling a dtype sets its state, which torch allows only for allow-listed types.
    safe.extend(type(np.dtype(scalar_type)) for scalar_type in _NUMERIC_DTYPES)
    return safe


def allow_mmengine_checkpoint_globals() -> None:
    """Allow-list the globals of mmengine checkpoints for ``torch.load(weights_only=True)``.

    Called by ``import mmringmoe``; idempotent (torch keeps the allow-list as a set).
    """
    torch.serialization.add_safe_globals(mmengine_checkpoint_globals())
