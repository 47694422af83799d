"""Make writes into a test's output folder fail like a full disk or a read-only folder (issue 18.4).

    from fs_limits import full_disk, read_only

    with full_disk(tmp_path / 'out', capacity=64 * 1024) as limit:
        result = limit.run([sys.executable, TOOL, ..., '--out', str(limit.folder)])
        assert result.returncode != 0 and limit.strerror in result.stderr
        ...  # inspect limit.folder before the block ends: a tmpfs is unmounted with its files
        limit.resize(1 << 30)  # free space, then rerun

Run the tool with :meth:`Limit.run` (a subprocess): every mechanism below applies to it, and the tool
goes through its real failure path (``write()`` or ``open()`` returning an error from the kernel, in
Python or in C code such as GDAL, torch or libpng). ``limit.strerror`` is the reason the tool will see.

Mechanisms, picked automatically in this order:

1. A real small file system: ``mount -t tmpfs -o size=CAPACITY`` on the folder (``-o ro`` for read-only).
   Needs root with CAP_SYS_ADMIN (a plain root shell or a privileged container: the case of this project's
   machines and CI). Writes fail with ENOSPC ("No space left on device") once the folder holds CAPACITY
   bytes (counted in 4 KiB pages: every non-empty file takes at least one), or with EROFS ("Read-only file
   system"). The limit also holds in the test's own process (``limit.in_process``).
2. Without mount rights, a full disk is ``RLIMIT_FSIZE = CAPACITY`` in the subprocess with SIGXFSZ
   ignored: a write that would make any file larger than CAPACITY fails with EFBIG ("File too large").
   It is per file, not per folder: ``full_disk(..., file_limit=N)`` sets the limit to N bytes instead.
3. Without mount rights, read-only is permission bits: the folder gets mode 0o555 (EACCES, "Permission
   denied"). A user other than root is bound by them (also in the test's process). Root is not, through
   CAP_DAC_OVERRIDE, so as root the subprocess drops that capability from its bounding set before it
   starts (``prctl(PR_CAPBSET_DROP)``, which needs CAP_SETPCAP, in Docker's default set): it stays root
   and reads and writes everything root owns through the owner bits, but not the 0o555 folder. (Running
   the tool as ``nobody`` instead fails on an interpreter under /root; ``RLIMIT_FSIZE = 0`` breaks
   mmengine, which writes a temporary copy of every config it loads.)

Set ``MMRINGMOE_FS_LIMITS=fallback`` to force mechanisms 2 and 3 (to check the tests on a machine where
mounting works).
"""
import ctypes
import errno
import os
import os.path as osp
import resource
import shutil
import signal
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Optional, Sequence, Union

PathLike = Union[str, 'os.PathLike[str]']
_PR_CAPBSET_DROP = 24  # <linux/prctl.h>
_CAP_DAC_OVERRIDE = 1  # <linux/capability.h>


class Limit:
    """A folder whose writes fail, and how to run a command that sees it.

    Attributes:
        folder (Path): the limited folder (exists).
        kind (str): ``'tmpfs'``, ``'tmpfs-ro'``, ``'rlimit'``, ``'chmod'`` or ``'chmod-capdrop'``.
        strerror (str): the error text the command will see (``os.strerror`` of its errno).
        in_process (bool): whether the limit also holds for writes by the test's own process.
    """

    def __init__(self, folder: Path, kind: str, error: int, in_process: bool,
                 preexec: Optional[Callable[[], None]] = None) -> None:
        self.folder = folder
        self.kind = kind
        self.errno = error
        self.strerror = os.strerror(error)
        self.in_process = in_process
        self._preexec = preexec

    def resize(self, capacity: int) -> None:
        """Give a full disk ``capacity`` bytes from now on (files kept): "free some space and rerun"."""
        if self.kind == 'tmpfs':
            subprocess.run(['mount', '-o', f'remount,size={capacity}', str(self.folder)], check=True,
                           capture_output=True)
        elif self.kind == 'rlimit' and self.errno == errno.EFBIG:
            self._preexec = _limit_file_size(capacity)
        else:
            raise ValueError(f'a {self.kind} limit cannot be resized')

    def run(self, argv: Sequence[str], timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
        """``subprocess.run(argv, **kwargs)`` under the limit, text output captured; ``env`` entries are
        added to the environment (which gets ``OMP_NUM_THREADS=1`` unless set)."""
        env = dict(os.environ)
        env.setdefault('OMP_NUM_THREADS', '1')
        env.update(kwargs.pop('env', {}))
        return subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout, env=env,
                              preexec_fn=self._preexec, **kwargs)


def _mount_tmpfs(folder: Path, options: str) -> bool:
    """Mount a tmpfs with ``options`` on ``folder``; False when this machine does not allow it."""
    if os.environ.get('MMRINGMOE_FS_LIMITS') == 'fallback' or shutil.which('mount') is None:
        return False
    result = subprocess.run(['mount', '-t', 'tmpfs', '-o', options, 'tmpfs', str(folder)],
                            capture_output=True, text=True)
    return result.returncode == 0


def _unmount(folder: Path) -> None:
    subprocess.run(['umount', '-l', str(folder)], check=True, capture_output=True)


def _limit_file_size(capacity: int) -> Callable[[], None]:
    def preexec() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (capacity, capacity))

    return preexec


def _drop_dac_override() -> None:
    """In a child before ``exec``: take CAP_DAC_OVERRIDE out of the bounding set, so the program it runs
    as root is bound by permission bits (its permitted set is the bounding set)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_CAPBSET_DROP, _CAP_DAC_OVERRIDE, 0, 0, 0) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f'prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE): {os.strerror(error)}')


@contextmanager
def full_disk(folder: PathLike, capacity: int, file_limit: Optional[int] = None) -> Iterator[Limit]:
    """``folder`` (created, must be empty or absent) holds at most ``capacity`` bytes: writes beyond fail.

    See the module docstring for the mechanism (a tmpfs of that size, else ``RLIMIT_FSIZE``). Without mount
    rights, no file can grow beyond ``file_limit`` bytes (default ``capacity``): give a size between the
    files that must be written and the ones that should fail.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if _mount_tmpfs(folder, f'size={capacity}'):
        try:
            yield Limit(folder, 'tmpfs', errno.ENOSPC, in_process=True)
        finally:
            _unmount(folder)
    else:
        yield Limit(folder, 'rlimit', errno.EFBIG, in_process=False,
                    preexec=_limit_file_size(capacity if file_limit is None else file_limit))


@contextmanager
def read_only(folder: PathLike) -> Iterator[Limit]:
    """``folder`` (created) exists, but nothing can be created, written or removed in it.

    See the module docstring for the mechanism (a read-only tmpfs, else mode 0o555, for root with
    CAP_DAC_OVERRIDE dropped in the subprocess).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if _mount_tmpfs(folder, 'ro,size=4k'):
        try:
            yield Limit(folder, 'tmpfs-ro', errno.EROFS, in_process=True)
        finally:
            _unmount(folder)
        return
    mode = os.stat(folder).st_mode & 0o7777
    os.chmod(folder, 0o555)
    try:
        if os.geteuid() == 0:
            yield Limit(folder, 'chmod-capdrop', errno.EACCES, in_process=False, preexec=_drop_dac_override)
        else:
            yield Limit(folder, 'chmod', errno.EACCES, in_process=True)
    finally:
        os.chmod(folder, mode)
