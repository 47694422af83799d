"""Writing files so that a reader never sees half of one: temporary file in the same folder, then rename."""
import contextlib
import errno
import glob
import io
import os
import os.path as osp
import re
import shutil
import tempfile
from typing import Any, Callable, Iterator, List, Mapping, Optional


def publish(tmp: str, path: str) -> None:
    """Give ``tmp`` (a ``tempfile`` file or folder, private to its owner) the usual permissions of a new file
    or folder, and rename it to ``path``."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, (0o777 if osp.isdir(tmp) else 0o666) & ~umask)
    os.replace(tmp, path)


def atomic_write_text(path: str, text: str) -> None:
    """Write ``text`` to ``path`` (UTF-8) through a temporary file that is renamed into place, or removed
    if writing fails. The folder of ``path`` must exist."""
    handle, tmp = tempfile.mkstemp(prefix=f'.{osp.basename(path)}.', suffix='.tmp',
                                   dir=osp.dirname(osp.abspath(path)))
    try:
        with os.fdopen(handle, 'w', encoding='utf-8') as f:
            f.write(text)
        publish(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise


TEMPORARY_MARK = '.tmp'
# ``mkstemp(prefix=f'.{name}.', suffix=TEMPORARY_MARK + extension)``: the random part has no dot.
_TEMPORARY_NAME = re.compile(r'^\..+\.[A-Za-z0-9_]+\.tmp(\.[^.]+)?$')


class OutputWriteError(OSError):
    """A write into an output folder failed (disk full, read-only file system, no permission).

    ``str()`` is one line naming the folder and the reason, for a tool's ``sys.exit(f'tool.py: {err}')``;
    ``errno`` and ``strerror`` are those of the original error.
    """

    def __init__(self, folder: str, err: OSError) -> None:
        super().__init__(err.errno, err.strerror or str(err))
        self.folder = folder

    def __str__(self) -> str:
        return f'cannot write to {self.folder}: {self.strerror}'


@contextlib.contextmanager
def output_errors(folder: str) -> Iterator[None]:
    """Turn an ``OSError`` raised inside the block into :class:`OutputWriteError` naming ``folder``.

    Wrap only code that writes into ``folder``: a failed read inside the block would be reported as a
    failed write.
    """
    try:
        yield
    except OutputWriteError:
        raise
    except OSError as err:
        raise OutputWriteError(folder, err) from err


@contextlib.contextmanager
def atomic_output(path: str) -> Iterator[str]:
    """Yield a temporary path next to ``path`` for any writer (rasterio, cv2, torch.save, matplotlib);
    when the block ends normally it is renamed to ``path`` (usual permissions), when it raises it is removed.

    The temporary name is hidden and keeps the extension (``.name.ext.XXXXXX.tmp.ext``), so writers that pick
    the format from the extension work and ``*.ext`` globs do not list it. An ``OSError`` (creating,
    writing, renaming) becomes :class:`OutputWriteError` naming the folder of ``path``, which must exist.
    A writer that reports failure by its return value (``cv2.imwrite``) must raise inside the block; for
    writers that hide write errors use :func:`atomic_write_raster` (GDAL) and :func:`atomic_torch_save`.
    """
    folder = osp.dirname(osp.abspath(path))
    extension = osp.splitext(path)[1]
    with output_errors(folder):
        handle, tmp = tempfile.mkstemp(prefix=f'.{osp.basename(path)}.', suffix=TEMPORARY_MARK + extension,
                                       dir=folder)
        os.close(handle)
        try:
            yield tmp
            publish(tmp, path)
        except BaseException:
            if osp.lexists(tmp):
                os.remove(tmp)
            raise


def atomic_write_bytes(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` through :func:`atomic_output`; failures raise :class:`OutputWriteError`."""
    with atomic_output(path) as tmp, open(tmp, 'wb') as f:
        f.write(data)


def atomic_write_raster(path: str, profile: Mapping[str, Any], fill: Callable[[Any], None]) -> None:
    """Write a raster with rasterio: ``fill(dataset)`` writes the bands (and descriptions, tags) into a
    dataset opened with ``profile``; the file appears at ``path`` complete or not at all.

    GDAL does not report failed writes: on a full disk ``rasterio.open(path, 'w', ...)`` leaves a zero-byte
    or truncated file and raises nothing (it prints ``_tiffWriteProc: No space left on device``). The
    raster is therefore built in memory (``rasterio.io.MemoryFile``) and written by
    :func:`atomic_write_bytes`, which raises :class:`OutputWriteError`. Memory: one encoded file.
    """
    from rasterio.io import MemoryFile

    with MemoryFile() as memory:
        with memory.open(**profile) as dataset:
            fill(dataset)
        data = memory.read()
    atomic_write_bytes(path, data)


def image_bytes(image: Any, format: str) -> bytes:
    """A PIL image encoded as ``format`` (``'PNG'``, ``'BMP'``...) in memory.

    Pillow saves to a file through C code that ignores a short ``write()``: on a full disk (or past a file
    size limit) ``image.save(path)`` can leave the file cut short and raise nothing. Write these bytes with
    Python's I/O instead (:func:`atomic_write_bytes`), which reports the failure."""
    buffer = io.BytesIO()
    image.save(buffer, format=format)
    return buffer.getvalue()


def atomic_write_image(path: str, image: Any, format: str) -> None:
    """Save a PIL image to ``path`` as ``format``, complete or not at all (see :func:`image_bytes`);
    failures raise :class:`OutputWriteError`."""
    atomic_write_bytes(path, image_bytes(image, format))


class _RecordingFile(io.FileIO):
    """A file that keeps the ``OSError`` of a failed write (torch reports it as an unrelated RuntimeError)."""
    error: Optional[OSError] = None

    def write(self, data) -> int:
        try:
            return super().write(data)
        except OSError as err:
            self.error = err
            raise


def save_torch(obj: Any, path: str) -> None:
    """``torch.save(obj, path)`` that raises the ``OSError`` of a failed write.

    torch turns a failed write into ``RuntimeError('[enforce fail at inline_container.cc] unexpected pos
    ...')``; the file object records the ``OSError`` underneath, and that is raised instead. Not atomic by
    itself: see :func:`atomic_torch_save`.
    """
    import torch

    with _RecordingFile(path, 'wb') as f:
        try:
            torch.save(obj, f)
        except RuntimeError:
            if f.error is not None:
                raise f.error from None
            raise


def atomic_torch_save(obj: Any, path: str) -> None:
    """``torch.save(obj, path)`` through :func:`atomic_output`; failures raise :class:`OutputWriteError`."""
    with atomic_output(path) as tmp:
        save_torch(obj, tmp)


WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG})


def is_write_failure(err: BaseException) -> bool:
    """Whether ``err`` is an ``OSError`` that only a write raises: disk full, quota exceeded, read-only file
    system, file too large (for code that cannot wrap its writes in :func:`output_errors`, e.g. a library's
    checkpoint saving inside a training loop)."""
    return isinstance(err, OSError) and err.errno in WRITE_ERRNOS


def prepare_output_folder(folder: str) -> str:
    """Create ``folder`` (and its parents) if needed and check that a file can be created in it, before
    any work is done; returns ``folder``. Raises :class:`OutputWriteError` naming it otherwise."""
    with output_errors(folder):
        os.makedirs(folder, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    return folder


def remove_temporaries(folder: str) -> List[str]:
    """Remove the temporary files that :func:`atomic_output` and :func:`atomic_write_text` leave in
    ``folder`` (not its subfolders) when their process is killed; returns their paths. Call it before
    writing into a folder again."""
    stale = [p for p in glob.glob(osp.join(glob.escape(folder), f'.*{TEMPORARY_MARK}*'))
             if _TEMPORARY_NAME.match(osp.basename(p))]
    for path in stale:
        os.remove(path)
    return stale


STAGING_PREFIX = '.staging-'


@contextlib.contextmanager
def staging_folder(out_dir: str, name: str) -> Iterator[str]:
    """A hidden temporary folder ``OUT/.staging-<name>-XXXXXX`` for a writer that builds whole folder trees
    and reports no progress per file (mmseg's dataset converters): what it writes there reaches ``out_dir``
    through :func:`publish_tree`. The folder, with whatever was not published, is removed when the block
    ends, normally or not; ``.staging-<name>-*`` folders a killed run left behind are removed first.
    ``out_dir`` is created; failures raise :class:`OutputWriteError` naming it."""
    prepare_output_folder(out_dir)
    for stale in glob.glob(osp.join(glob.escape(out_dir), f'{STAGING_PREFIX}{name}-*')):
        shutil.rmtree(stale, ignore_errors=True)
    with output_errors(out_dir):
        staging = tempfile.mkdtemp(prefix=f'{STAGING_PREFIX}{name}-', dir=out_dir)
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def publish_tree(staging: str, out_dir: str) -> int:
    """Move every file under ``staging`` (a :func:`staging_folder` of ``out_dir``) to the same relative path
    under ``out_dir``, replacing what is there; returns the number of files moved. Each move is a rename on
    one file system, so a file appears complete or not at all. Failures raise :class:`OutputWriteError`."""
    moved = 0
    with output_errors(out_dir):
        for root, _, files in os.walk(staging):
            target = osp.join(out_dir, osp.relpath(root, staging))
            if files:
                os.makedirs(target, exist_ok=True)
            for name in files:
                os.replace(osp.join(root, name), osp.join(target, name))
                moved += 1
    return moved
