"""The tools' thread settings: the user's variables first, else one thread per usable core (shared under a
launcher), and OpenMP threads that sleep rather than spin while they wait."""
import os
import subprocess
import sys

import pytest
import torch

from mmringmoe.utils import threads
from mmringmoe.utils.threads import (cgroup_cpu_limit, configure_threads, physical_cores,
                                     prefer_passive_openmp_wait, thread_count)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.parametrize('environ, cores, expected', [
    ({'OMP_NUM_THREADS': '3'}, 8, 3),
    ({'MKL_NUM_THREADS': '2'}, 8, 2),
    ({'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '4'}, 8, 1),  # OMP first, as torch reads them
    ({'OMP_NUM_THREADS': '4,2'}, 8, 4),  # OpenMP's nested list: the outer level
    ({'OMP_NUM_THREADS': '6'}, 2, 6),  # the user's choice stands, even above the core count
    ({}, 8, 8),
    ({'OMP_NUM_THREADS': ''}, 8, 8),  # set but empty counts as unset
    ({'LOCAL_WORLD_SIZE': '2'}, 8, 4),  # a launcher's processes share the cores
    ({'LOCAL_WORLD_SIZE': '4'}, 2, 1),
    ({'LOCAL_WORLD_SIZE': '4', 'OMP_NUM_THREADS': '2'}, 8, 2),
])
def test_thread_count(environ, cores, expected):
    assert thread_count(environ, cores) == expected


@pytest.mark.parametrize('value', ['0', '-1', 'two', '2.5'])
def test_thread_count_refuses_what_is_not_a_positive_whole_number(value):
    with pytest.raises(ValueError, match=f"OMP_NUM_THREADS='{value}' is not a positive whole number"):
        thread_count({'OMP_NUM_THREADS': value}, 4)


@pytest.fixture
def set_threads(monkeypatch):
    """Record torch.set_num_threads calls instead of changing this process's threads."""
    calls = []
    monkeypatch.setattr(torch, 'set_num_threads', calls.append)
    return calls


def test_configure_threads_uses_the_cores_and_exports_the_count(monkeypatch, set_threads):
    monkeypatch.setattr(threads, 'usable_cores', lambda: 3)
    environ = {}
    assert configure_threads(environ) == 3
    assert set_threads == [3]
    assert environ == {'OMP_NUM_THREADS': '3', 'MKL_NUM_THREADS': '3'}  # for the processes a tool starts


def test_configure_threads_honours_the_users_variable(monkeypatch, set_threads):
    monkeypatch.setattr(threads, 'usable_cores', lambda: 16)
    environ = {'OMP_NUM_THREADS': '1'}
    assert configure_threads(environ) == 1
    assert set_threads == [1]
    assert environ == {'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1'}


def test_configure_threads_under_a_launcher(monkeypatch, set_threads):
    monkeypatch.setattr(threads, 'usable_cores', lambda: 8)
    assert configure_threads({'LOCAL_WORLD_SIZE': '2', 'LOCAL_RANK': '1'}) == 4
    assert set_threads == [4]


def test_configure_threads_exits_with_one_line_on_a_bad_variable(monkeypatch, set_threads):
    monkeypatch.setattr(sys, 'argv', ['train.py'])
    with pytest.raises(SystemExit) as exit_info:
        configure_threads({'OMP_NUM_THREADS': 'all'})
    assert exit_info.value.code == "train.py: OMP_NUM_THREADS='all' is not a positive whole number"
    assert set_threads == []


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_physical_cores_counts_hyperthread_siblings_once(tmp_path):
    for cpu, (package, core) in enumerate([(0, 0), (0, 1), (0, 0), (0, 1), (1, 0)]):
        write(tmp_path / f'cpu{cpu}' / 'topology' / 'physical_package_id', f'{package}\n')
        write(tmp_path / f'cpu{cpu}' / 'topology' / 'core_id', f'{core}\n')
    assert physical_cores({0, 1, 2, 3, 4}, str(tmp_path)) == 3
    assert physical_cores({0, 2}, str(tmp_path)) == 1  # the affinity holds two siblings of one core
    assert physical_cores({0, 7}, str(tmp_path)) == 2  # no topology for cpu7: count logical CPUs


@pytest.mark.parametrize('files, expected', [
    ({'cpu.max': 'max 100000\n'}, None),
    ({'cpu.max': '150000 100000\n'}, 2),  # 1.5 CPUs of quota: 2 threads
    ({'cpu.max': '50000 100000\n'}, 1),
    ({'cpu/cpu.cfs_quota_us': '-1\n', 'cpu/cpu.cfs_period_us': '100000\n'}, None),
    ({'cpu/cpu.cfs_quota_us': '300000\n', 'cpu/cpu.cfs_period_us': '100000\n'}, 3),
    ({}, None),
])
def test_cgroup_cpu_limit(tmp_path, files, expected):
    for name, text in files.items():
        write(tmp_path / name, text)
    assert cgroup_cpu_limit(str(tmp_path)) == expected


def test_passive_wait_policy_unless_the_user_chose_one():
    environ = {}
    prefer_passive_openmp_wait(environ)
    assert environ == {'OMP_WAIT_POLICY': 'PASSIVE'}
    environ = {'OMP_WAIT_POLICY': 'ACTIVE'}
    prefer_passive_openmp_wait(environ)
    assert environ == {'OMP_WAIT_POLICY': 'ACTIVE'}


def test_importing_mmringmoe_makes_torchs_openmp_threads_wait_passively():
    """GNU OpenMP reads the policy when torch loads it, and prints what it read (GOMP_SPINCOUNT: 300000
    spins before sleeping by default, 0 under PASSIVE)."""
    environ = {k: v for k, v in os.environ.items() if k != 'OMP_WAIT_POLICY'}
    environ.update(OMP_DISPLAY_ENV='VERBOSE', PYTHONPATH=REPO)
    stderr = subprocess.run([sys.executable, '-c', 'import mmringmoe'], env=environ, capture_output=True,
                            text=True, check=True).stderr
    assert "GOMP_SPINCOUNT = '0'" in stderr
