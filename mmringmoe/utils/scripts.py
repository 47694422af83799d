"""Importing the repository's tool scripts from other tools (``tools/`` is not a package)."""
import importlib.util
import os.path as osp
from types import ModuleType


def load_script(path: str) -> ModuleType:
    """Import the Python script at ``path`` as a module named after its file, to call its ``main`` or
    helpers (e.g. a demo running a dataset converter)."""
    spec = importlib.util.spec_from_file_location(osp.splitext(osp.basename(path))[0], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
