"""Environment checks with a clear message and the fix, instead of a traceback from inside a toolkit.

``python tools/env/check_env.py`` prints a report and exits non-zero on a problem; ``make env``
runs it last. ``check_versions()`` runs at ``import mmringmoe`` (cheap: metadata only).
"""
import importlib.metadata as metadata
import sys
from typing import Dict, List, Tuple

from packaging.version import Version

SETUP_HINT = 'run `make env` (or see README "Set-up")'

# package -> (lowest allowed, highest allowed) inclusive; see requirements/constraints.txt and README.
SUPPORTED: Dict[str, Tuple[str, str]] = {
    'mmengine': ('0.10.0', '0.10.7'),
    'mmcv': ('2.0.0', '2.0.1'),
    'mmpretrain': ('1.2.0', '1.2.0'),
    'mmsegmentation': ('1.2.0', '1.2.2'),
    'mmdet': ('3.1.0', '3.1.0'),
    'mmrotate': ('1.0.0rc1', '1.0.0rc1'),
}


class EnvironmentProblem(ImportError):
    """The installed stack cannot run mmringmoe; the message says how to fix it."""


def _installed(package: str):
    try:
        return Version(metadata.version(package))
    except metadata.PackageNotFoundError:
        return None


def version_problems() -> List[str]:
    """One line per installed toolkit whose version is outside the supported range."""
    problems = []
    for package, (low, high) in SUPPORTED.items():
        found = _installed(package)
        if found is not None and not Version(low) <= found <= Version(high):
            problems.append(f'{package} {found} is installed but mmringmoe supports {low}..{high}')
    return problems


def check_versions() -> None:
    """Raise ``EnvironmentProblem`` when a toolkit version is unsupported."""
    problems = version_problems()
    if problems:
        raise EnvironmentProblem('; '.join(problems) + f'. Fix: {SETUP_HINT}.')


def mmcv_ops_problem() -> str:
    """'' when mmcv's compiled ops load, else the problem and its fix."""
    try:
        from mmcv.utils import ext_loader
        ext_loader.load_ext('_ext', ['nms'])
    except (ImportError, ModuleNotFoundError, AttributeError, AssertionError) as err:
        return (f'mmcv has no compiled ops ({err}); mmcv-lite or a wheel for another torch is installed. '
                f'Fix: `pip uninstall -y mmcv mmcv-lite` then {SETUP_HINT} (it builds mmcv with CPU ops).')
    return ''


def torch_build_problem() -> str:
    """'' unless a CUDA torch was pulled in on a machine without a GPU (several GB for nothing)."""
    import torch
    if torch.version.cuda is not None and not torch.cuda.is_available():
        return (f'torch {torch.__version__} is a CUDA build but this machine has no GPU; an unpinned '
                'requirement pulled it in. Fix: reinstall with `-c requirements/constraints.txt` '
                '(pins torch==2.13.0+cpu).')
    return ''


def main() -> int:
    problems = version_problems()
    for check in (mmcv_ops_problem, torch_build_problem):
        problem = check()
        if problem:
            problems.append(problem)
    if problems:
        for problem in problems:
            print(f'check_env: {problem}', file=sys.stderr)
        return 1
    import torch
    versions = ', '.join(f'{p} {_installed(p)}' for p in SUPPORTED)
    print(f'check_env: ok (torch {torch.__version__}, {versions})')
    return 0

