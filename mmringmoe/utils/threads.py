"""CPU threads of a tool's process: OpenMP threads that sleep while they wait, and one thread per core.

PyTorch's CPU wheels run their parallel ops on GNU OpenMP, whose threads by default spin at the end of
every parallel region until the slowest thread of the team arrives. When another process holds one of
the cores, that thread is descheduled and the others burn their time slices spinning for it, at every
op: on a 2-core machine shared with other jobs, the tiny RingMoE training step took 1-35 s per iteration
instead of about 0.1 s (measurements in the README, "Threads"). Hence:

- ``OMP_WAIT_POLICY=PASSIVE`` (threads sleep instead of spinning) unless the user set the variable.
  GNU OpenMP reads it once, when ``import torch`` loads the library, so ``mmringmoe/__init__.py`` sets it
  before it imports torch (:func:`prefer_passive_openmp_wait`); it has no effect in a process that had
  imported torch before mmringmoe, but is inherited by the processes it starts.
- One intra-op thread per usable core (:func:`configure_threads`, called by every tool's ``main``):
  ``OMP_NUM_THREADS`` (else ``MKL_NUM_THREADS``) when set, as torch itself reads them; otherwise the
  physical cores among the CPUs the process may run on, capped by a cgroup CPU quota (a container's
  ``--cpus``), divided among the ``LOCAL_WORLD_SIZE`` processes of a launcher that sets it. torchrun with
  more than one process sets ``OMP_NUM_THREADS=1`` for its workers unless it is set, and that is honoured.

The inter-op pool (``torch.set_num_interop_threads``) is left alone: only ``torch.jit.fork`` uses it,
its threads block rather than spin, and it can be sized only once per process.
"""
import glob
import os
import os.path as osp
import sys
from typing import Mapping, MutableMapping, Optional, Set

THREAD_VARIABLES = ('OMP_NUM_THREADS', 'MKL_NUM_THREADS')


def prefer_passive_openmp_wait(environ: MutableMapping[str, str] = os.environ) -> None:
    """``OMP_WAIT_POLICY=PASSIVE`` unless the variable is set (call before torch is imported)."""
    environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')


def _allowed_cpus() -> Set[int]:
    try:
        return os.sched_getaffinity(0)
    except AttributeError:  # not Linux
        return set(range(os.cpu_count() or 1))


def physical_cores(cpus: Set[int], sysfs: str = '/sys/devices/system/cpu') -> int:
    """How many physical cores ``cpus`` (logical CPU ids) span; ``len(cpus)`` without the sysfs topology."""
    cores = set()
    for cpu in cpus:
        topology = osp.join(sysfs, f'cpu{cpu}', 'topology')
        try:
            with open(osp.join(topology, 'physical_package_id')) as package, \
                    open(osp.join(topology, 'core_id')) as core:
                cores.add((package.read().strip(), core.read().strip()))
        except OSError:
            return len(cpus)
    return len(cores)


def cgroup_cpu_limit(root: str = '/sys/fs/cgroup') -> Optional[int]:
    """The CPUs a cgroup quota grants (cgroup v2 ``cpu.max``, v1 ``cpu.cfs_quota_us``), rounded up; None if
    unlimited or unknown."""
    for path in [osp.join(root, 'cpu.max')] + glob.glob(osp.join(root, 'cpu*', 'cpu.cfs_quota_us')):
        try:
            with open(path) as f:
                fields = f.read().split()
            if path.endswith('cfs_quota_us'):
                with open(osp.join(osp.dirname(path), 'cpu.cfs_period_us')) as f:
                    fields.append(f.read().strip())
        except OSError:
            continue
        quota, period = fields[0], fields[1]
        if quota in ('max', '-1'):
            return None
        return max(1, -(-int(quota) // int(period)))
    return None


def usable_cores() -> int:
    """Physical cores among the CPUs this process may run on, capped by the cgroup quota; at least 1."""
    cores = physical_cores(_allowed_cpus())
    limit = cgroup_cpu_limit()
    return max(1, min(cores, limit) if limit else cores)


def thread_count(environ: Mapping[str, str], cores: int) -> int:
    """The intra-op thread count of this process: the first thread variable set, else ``cores`` shared
    among the ``LOCAL_WORLD_SIZE`` processes of this machine.

    Raises:
        ValueError: a thread variable that is not a positive whole number.
    """
    for name in THREAD_VARIABLES:
        value = environ.get(name, '').strip()
        if value:
            first = value.split(',')[0].strip()  # OpenMP's list form "4,2" gives the outer level first
            if not first.isdigit() or int(first) < 1:
                raise ValueError(f'{name}={value!r} is not a positive whole number')
            return int(first)
    return max(1, cores // int(environ.get('LOCAL_WORLD_SIZE') or 1))


def configure_threads(environ: MutableMapping[str, str] = os.environ) -> int:
    """Set torch's intra-op threads for a tool (see the module docstring) and export the count in
    ``OMP_NUM_THREADS`` / ``MKL_NUM_THREADS`` where unset, for the processes the tool starts. Exits with
    one line on an invalid thread variable. Returns the count."""
    import torch  # here, not above: mmringmoe/__init__.py imports this module before torch is loaded
    try:
        threads = thread_count(environ, usable_cores())
    except ValueError as err:
        sys.exit(f'{osp.basename(sys.argv[0])}: {err}')
    torch.set_num_threads(threads)
    for name in THREAD_VARIABLES:
        environ.setdefault(name, str(threads))
    return threads
