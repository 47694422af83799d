"""Import shims act only when needed, the toolkits import after ``import mmringmoe``, and the environment
checks report what is wrong."""
import collections
import collections.abc
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.version import Version

from mmringmoe.utils import check_env, compat

REPO_ROOT = Path(__file__).resolve().parents[2]


class _RecordingLibrary:
    """Stands in for ``torch.library.Library``: records the schemas a shim would define."""

    def __init__(self):
        self.defined = []

    def define(self, schema):
        self.defined.append(schema)


@pytest.fixture
def library(monkeypatch):
    recorder = _RecordingLibrary()
    monkeypatch.setattr(compat, '_torchvision_library', recorder)
    return recorder


def _find_spec_without(monkeypatch, missing):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, 'find_spec', lambda name, *args: None
                        if name == missing else real_find_spec(name, *args))


def test_torchvision_shim_noop_without_torchvision(monkeypatch, library):
    _find_spec_without(monkeypatch, 'torchvision')
    monkeypatch.setattr(compat, '_torchvision_op_declared', lambda name: False)
    assert compat.declare_missing_torchvision_ops() is False
    assert library.defined == []


def test_torchvision_shim_noop_when_extension_loads(monkeypatch, library):
    monkeypatch.setattr(compat, '_torchvision_extension_loads', lambda: True)
    monkeypatch.setattr(compat, '_torchvision_op_declared', lambda name: False)
    assert compat.declare_missing_torchvision_ops() is False
    assert library.defined == []


def test_torchvision_shim_noop_when_schemas_exist(monkeypatch, library):
    monkeypatch.setattr(compat, '_torchvision_extension_loads', lambda: False)
    monkeypatch.setattr(compat, '_torchvision_op_declared', lambda name: True)
    assert compat.declare_missing_torchvision_ops() is False
    assert library.defined == []


def test_torchvision_shim_declares_missing_schemas(monkeypatch, library):
    monkeypatch.setattr(compat, '_torchvision_extension_loads', lambda: False)
    monkeypatch.setattr(compat, '_torchvision_op_declared', lambda name: name == 'qnms')
    assert compat.declare_missing_torchvision_ops() is True
    assert library.defined == ['nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor']


def test_torchvision_nms_schema_exists_after_import():
    # Either torchvision's extension loaded or the shim declared the schema; torchvision's import needs it.
    assert compat._torchvision_op_declared('nms')
    assert compat._torchvision_op_declared('qnms')
    assert compat.declare_missing_torchvision_ops() is False  # a second call has nothing to do


def test_collections_shim_noop_when_alias_present(monkeypatch):
    sentinel = object()
    monkeypatch.setattr(collections, 'Sequence', sentinel, raising=False)
    assert compat.restore_collections_abc_aliases() is False
    assert collections.Sequence is sentinel


def test_collections_shim_noop_without_mmrotate(monkeypatch):
    monkeypatch.delattr(collections, 'Sequence', raising=False)
    _find_spec_without(monkeypatch, 'mmrotate')
    assert compat.restore_collections_abc_aliases() is False
    assert not hasattr(collections, 'Sequence')


def test_collections_shim_restores_alias(monkeypatch):
    monkeypatch.delattr(collections, 'Sequence', raising=False)
    assert compat.restore_collections_abc_aliases() is True
    assert collections.Sequence is collections.abc.Sequence


@pytest.mark.slow
def test_toolkits_import_after_mmringmoe():
    code = ('import mmringmoe\n'
            'import torchvision, mmseg.models, mmdet.models, mmpretrain.models, mmrotate.models\n'
            'from mmrotate.models.detectors import refine_single_stage\n'
            'print("imported", torchvision.__version__)\n')
    result = subprocess.run([sys.executable, '-c', code],
                            cwd=REPO_ROOT,
                            capture_output=True,
                            text=True,
                            timeout=300,
                            env={
                                **os.environ, 'OMP_NUM_THREADS': '1'
                            })
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith('imported ')


@pytest.mark.parametrize('package,version', [('mmdet', '3.2.0'), ('mmengine', '0.9.1'), ('mmcv', '2.1.0')])
def test_version_problems_reports_out_of_range(monkeypatch, package, version):
    real_installed = check_env._installed
    monkeypatch.setattr(check_env, '_installed', lambda name: Version(version)
                        if name == package else real_installed(name))
    low, high = check_env.SUPPORTED[package]
    assert check_env.version_problems() == [
        f'{package} {version} is installed but mmringmoe supports {low}..{high}'
    ]
    with pytest.raises(check_env.EnvironmentProblem, match=f'{package} {version}.*make env'):
        check_env.check_versions()


def test_version_problems_ignores_missing_packages(monkeypatch):
    monkeypatch.setattr(check_env, '_installed', lambda name: None)
    assert check_env.version_problems() == []


def test_this_environment_passes_the_checks(capsys):
    assert check_env.version_problems() == []
    assert check_env.mmcv_ops_problem() == ''
    assert check_env.torch_build_problem() == ''
    assert check_env.main() == 0
    assert capsys.readouterr().out.startswith('check_env: ok (torch ')
