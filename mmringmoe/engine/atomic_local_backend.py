"""mmengine file backend for local checkpoints that never leaves half a file (issue 18.4)."""
from pathlib import Path
from typing import Union

from mmengine.fileio import LocalBackend, register_backend
from mmengine.utils import mkdir_or_exist

from mmringmoe.utils.atomic_io import atomic_write_bytes


class AtomicLocalBackend(LocalBackend):
    """mmengine's ``LocalBackend`` whose writes go through a temporary file renamed into place.

    mmengine's ``save_checkpoint`` hands the serialised checkpoint to its file backend's ``put``, and
    ``CheckpointHook`` writes ``last_checkpoint`` with ``put_text``; the local backend writes both straight
    to the final name, so a disk that fills during a save leaves a truncated ``iter_N.pth`` that
    ``--resume`` then picks. Here a file appears complete or not at all, and a failed write raises
    :class:`~mmringmoe.utils.atomic_io.OutputWriteError` (one line naming the folder). Reads, listing and
    removal are the local backend's. Selected by ``backend_args=dict(backend='atomic_local')`` of the
    checkpoint hook (the project runtime sets it).
    """

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        mkdir_or_exist(Path(filepath).parent)
        atomic_write_bytes(str(filepath), obj)

    def put_text(self, obj: str, filepath: Union[str, Path], encoding: str = 'utf-8') -> None:
        self.put(obj.encode(encoding), filepath)


register_backend('atomic_local', AtomicLocalBackend)
