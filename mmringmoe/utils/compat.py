"""Import-time shims that make the pinned OpenMMLab stack import on torch 2.13 / Python 3.11.

Each shim is small, acts only when its problem is present (and does nothing, for instance, on a CUDA
machine whose torchvision has working compiled ops), and returns whether it acted so tests can check both
branches. They run from ``mmringmoe/__init__.py``, before any toolkit is imported.
"""
import collections
import collections.abc
import glob
import importlib.util
import os.path as osp
from typing import Optional

import torch

# torchvision's ``_meta_registrations.py`` registers fake kernels for these two ops unconditionally; every
# other op it registers is skipped when the compiled extension is missing.
_TORCHVISION_OP_SCHEMAS = (
    'nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor',
    'qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor',
)
_torchvision_library: Optional[torch.library.Library] = None


def _torchvision_extension_loads() -> bool:
    """Whether torchvision's compiled ``_C`` extension loads against the installed torch."""
    spec = importlib.util.find_spec('torchvision')
    libs = glob.glob(osp.join(osp.dirname(spec.origin), '_C*.so')) if spec and spec.origin else []
    if not libs:
        return False
    try:
        torch.ops.load_library(libs[0])
        return True
    except (OSError, RuntimeError):
        return False


def _torchvision_op_declared(name: str) -> bool:
    try:
        getattr(torch.ops.torchvision, name)
        return True
    except (AttributeError, RuntimeError):
        return False


def declare_missing_torchvision_ops() -> bool:
    """Declare the schemas of ``torchvision::nms`` / ``qnms`` when torchvision's ``_C`` cannot load.

    The registry's torchvision 0.28.0 is a CUDA build; with the CPU torch its ``_C.so`` fails to load and
    ``import torchvision`` dies in ``register_fake('torchvision::nms')`` with "operator torchvision::nms
    does not exist". mmpretrain imports torchvision at module level, so mmseg and mmdet imports die too.
    Declaring the two schemas (no kernels: mmcv supplies the real NMS) lets the import finish.

    Returns:
        True if schemas were declared, False when nothing was needed (no torchvision, its ops load, or
        the schemas already exist).
    """
    global _torchvision_library
    if importlib.util.find_spec('torchvision') is None or _torchvision_extension_loads():
        return False
    missing = [s for s in _TORCHVISION_OP_SCHEMAS if not _torchvision_op_declared(s.split('(')[0])]
    if not missing:
        return False
    if _torchvision_library is None:
        _torchvision_library = torch.library.Library('torchvision', 'FRAGMENT')
    for schema in missing:
        _torchvision_library.define(schema)
    return True


def restore_collections_abc_aliases() -> bool:
    """Give ``collections`` back the ``Sequence`` alias that mmrotate 1.0.0rc1 imports.

    ``mmrotate/models/detectors/refine_single_stage.py`` (1.0.0rc1) does ``from collections
    import Sequence``, removed in Python 3.10. Returns True if the alias was added (only when mmrotate
    is installed and the alias is missing).
    """
    if hasattr(collections, 'Sequence') or importlib.util.find_spec('mmrotate') is None:
        return False
    collections.Sequence = collections.abc.Sequence  # type: ignore[attr-defined]
    return True


def apply_all() -> dict:
    """Run every shim; returns ``{name: acted}``."""
    return {
        'torchvision_op_schemas': declare_missing_torchvision_ops(),
        'collections_sequence': restore_collections_abc_aliases(),
    }
