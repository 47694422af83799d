"""Writing files so that a reader never sees half of one: temporary file in the same folder, then rename."""
import os
import os.path as osp
import tempfile


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
