"""The state of an unfinished scene run, kept next to the output (``OUT.partial/``), for ``--resume``.

After every row of tiles the run writes the row's strips (:mod:`.raster_writer`); after a row, at most every
``COMMIT_SECONDS`` (:mod:`.inference`), it commits: the blender's carry (``carry.npy``) or the detections so
far, then ``state.json`` naming the next row; each file complete or not at all
(:mod:`mmringmoe.utils.atomic_io`). A continued run trusts only ``state.json``: a strip written
after it is simply written again. ``state.json`` also records the settings that decide the output's values
(model, inputs, tile, overlap, window, batch, outputs); continuing with other settings is refused.
"""
import json
import os
import os.path as osp
import shutil
from typing import Any, Dict, Optional

import numpy as np

from mmringmoe.utils.atomic_io import atomic_output, atomic_write_text, prepare_output_folder

STATE_FILE = 'state.json'
CARRY_FILE = 'carry.npy'


def state_folder(out: str) -> str:
    """The state folder of the output ``out``: ``OUT.partial`` next to it."""
    return osp.abspath(out) + '.partial'


def file_fingerprint(path: str) -> Dict[str, Any]:
    """What identifies an input file cheaply: its absolute path, size and modification time."""
    stat = os.stat(path)
    return dict(path=osp.abspath(path), size=stat.st_size, mtime_ns=stat.st_mtime_ns)


class ResumeState:
    """The state folder of one run.

    Args:
        out: the output file.
        settings: everything that decides the output's values (JSON-serialisable).
    """

    def __init__(self, out: str, settings: Dict[str, Any]) -> None:
        self.folder = state_folder(out)
        self.settings = json.loads(json.dumps(settings))  # as it reads back

    def exists(self) -> bool:
        return osp.isdir(self.folder)

    def start(self) -> None:
        """A fresh state folder (any old one removed)."""
        self.discard()
        prepare_output_folder(self.folder)

    def next_row(self) -> int:
        """The row of tiles to continue from (0 when no row was finished).

        Raises:
            ValueError: the saved run had other settings (names the first that differs).
        """
        path = osp.join(self.folder, STATE_FILE)
        if not osp.isfile(path):
            return 0
        with open(path, encoding='utf-8') as f:
            saved = json.load(f)
        for key in sorted(set(saved['settings']) | set(self.settings)):
            if saved['settings'].get(key) != self.settings.get(key):
                raise ValueError(f'the partial run in {self.folder} was made with {key}='
                                 f'{saved["settings"].get(key)!r}, this run has {self.settings.get(key)!r}: '
                                 f'rerun with the same settings, or with --overwrite to start again')
        return int(saved['next_row'])

    def load_carry(self) -> Optional[np.ndarray]:
        path = osp.join(self.folder, CARRY_FILE)
        return np.load(path) if osp.isfile(path) else None

    def commit(self, next_row: int, carry: Optional[np.ndarray] = None) -> None:
        """Record that the rows before ``next_row`` are written (their strips first), with the carry."""
        if carry is not None:  # written straight from the array: no copy of it in memory
            with atomic_output(osp.join(self.folder, CARRY_FILE)) as tmp, open(tmp, 'wb') as f:
                np.save(f, carry)
        atomic_write_text(osp.join(self.folder, STATE_FILE),
                          json.dumps(dict(next_row=next_row, settings=self.settings), indent=1))

    def path(self, name: str) -> str:
        return osp.join(self.folder, name)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
