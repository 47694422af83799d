"""Streaming checkpoint I/O: read a torch checkpoint tensor by tensor, write one tensor at a time.

The ``1b`` RingMoE is 59 GB in float32, more than the memory of the machines it is pruned on. The
conversion tools (``tools/prune``) therefore never hold a checkpoint: :class:`CheckpointReader` reads the
tensors one at a time (or single experts of a bank) from the file, :class:`CheckpointWriter` writes each
output tensor into its place in the output file as soon as it is computed. Peak memory is the tensors
in hand, not the checkpoint.

Why not ``torch.load(path, mmap=True)``: it maps the whole file as a private writable mapping, which
Linux's default overcommit heuristic refuses when the file is larger than RAM + swap (a 59 GB checkpoint on
a 24 GB machine fails with ``unable to mmap ... Cannot allocate memory``), and every page read stays in the
process's resident set. Both classes below use torch's own format and serializer; the files they write
load with a plain ``torch.load`` / mmengine ``load_checkpoint``.
"""
import os
import os.path as osp
import struct
import tempfile
import zlib
from collections import OrderedDict
from typing import Any, Dict, Iterator, List, Mapping, NamedTuple, Optional, Sequence, Tuple

import torch
from torch.serialization import skip_data

from mmringmoe.utils.atomic_io import output_errors, publish, save_torch
from mmringmoe.utils.checkpoint_files import read_checkpoint

_READ_CHUNK = 1 << 28  # bytes per read()/write() call (Linux transfers at most ~2 GiB per call)


class TensorSpec(NamedTuple):
    """Shape and dtype of a tensor of a checkpoint."""
    shape: Tuple[int, ...]
    dtype: torch.dtype

    @property
    def numel(self) -> int:
        count = 1
        for size in self.shape:
            count *= size
        return count


class StateDictReader:
    """The reader interface (:meth:`keys`, :meth:`spec`, :meth:`read`) over an in-memory state dict.

    Used by tests, and with ``meta`` tensors to run a conversion plan on a paper-size model without any
    weights (parameter counts).
    """

    def __init__(self, state: Mapping[str, torch.Tensor]) -> None:
        self.state = dict(state)

    def keys(self) -> List[str]:
        return list(self.state)

    def __contains__(self, key: str) -> bool:
        return key in self.state

    def spec(self, key: str) -> TensorSpec:
        tensor = self.state[key]
        return TensorSpec(tuple(tensor.shape), tensor.dtype)

    def read(self, key: str, rows: Optional[Sequence[int]] = None) -> torch.Tensor:
        """The tensor ``key``, or its rows ``rows`` along dim 0 (one expert of a bank is ``rows=[k]``)."""
        tensor = self.state[key]
        if rows is None:
            return tensor
        return tensor.index_select(0, torch.as_tensor(list(rows), dtype=torch.long, device=tensor.device))


class CheckpointReader(StateDictReader):
    """Read the tensors of a torch checkpoint one at a time, without loading or mapping the file.

    The pickle is loaded with ``map_location='meta'``: every tensor becomes a ``meta`` tensor (shape, dtype,
    strides) whose storage carries ``_checkpoint_offset``, the byte offset of its data in the file, which
    torch records on meta loads of zip checkpoints. :meth:`read` then reads exactly the bytes of the
    requested tensor, or of some of its rows along dim 0, with ordinary file reads.

    The state dict is ``checkpoint['state_dict']`` when present, else the checkpoint itself. When some keys
    start with ``prefix`` (``'backbone.'`` in a whole-model checkpoint), only those are kept, without the
    prefix; the others (neck, head: the pretraining decoders) are listed in :attr:`dropped_keys`.

    Args:
        path (str): a checkpoint written by ``torch.save`` (zip format, torch >= 1.6).
        prefix (str, optional): see above. Defaults to ``'backbone.'``.

    Raises:
        ValueError: the file cannot be read as a checkpoint of tensors; the message names the file.
    """

    def __init__(self, path: str, prefix: Optional[str] = 'backbone.') -> None:
        self.path = str(path)
        if not osp.isfile(self.path):
            raise ValueError(f'{self.path}: no such file')
        checkpoint = read_checkpoint(self.path, map_location='meta')  # CheckpointError (a ValueError)
        state = checkpoint.get('state_dict', checkpoint) if isinstance(checkpoint, dict) else None
        if not isinstance(state, dict) or not state:
            raise ValueError(f'{self.path}: no state dict (expected a dict of tensors or a dict with '
                             f'"state_dict")')
        tensors = {k: v for k, v in state.items() if isinstance(v, torch.Tensor)}
        if prefix and any(k.startswith(prefix) for k in tensors):
            self.dropped_keys = [k for k in tensors if not k.startswith(prefix)]
            tensors = {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
        else:
            self.dropped_keys = []
        if not tensors:
            raise ValueError(f'{self.path}: the state dict holds no tensors')
        first = next(iter(tensors.values()))
        if getattr(first.untyped_storage(), '_checkpoint_offset', None) is None:
            raise ValueError(
                f'{self.path}: tensor offsets unavailable (a legacy, pre-zip torch checkpoint?); '
                f're-save it with torch.save')
        self.state = tensors
        self.meta = checkpoint.get('meta') if isinstance(checkpoint, dict) else None
        self._file = open(self.path, 'rb')

    def read(self, key: str, rows: Optional[Sequence[int]] = None) -> torch.Tensor:
        """Read tensor ``key`` (all of it, or its ``rows`` along dim 0) from the file into a new tensor."""
        meta = self.state[key]
        itemsize = meta.element_size()
        base = meta.untyped_storage()._checkpoint_offset + meta.storage_offset() * itemsize
        if rows is not None and meta.dim() > 0 and meta[0].is_contiguous():
            rows = list(rows)
            row_shape = tuple(meta.shape[1:])
            row_bytes = meta[0].numel() * itemsize
            out = torch.empty((len(rows), ) + row_shape, dtype=meta.dtype)
            flat = out.view(-1).view(torch.uint8)
            for i, row in enumerate(rows):
                if not 0 <= row < meta.shape[0]:
                    raise IndexError(f'{key}: row {row} out of range for {meta.shape[0]} rows')
                self._read_into(flat[i * row_bytes:(i + 1) * row_bytes],
                                base + row * meta.stride(0) * itemsize)
            return out
        if meta.is_contiguous():
            out = torch.empty(meta.shape, dtype=meta.dtype)
            self._read_into(out.reshape(-1).view(torch.uint8), base)
        else:  # a view saved with its storage: read the storage span, then take the view
            span = meta.untyped_storage().nbytes()
            raw = torch.empty(span, dtype=torch.uint8)
            self._read_into(raw, meta.untyped_storage()._checkpoint_offset)
            out = raw.view(meta.dtype).as_strided(meta.shape, meta.stride(), meta.storage_offset()).clone()
        return out if rows is None else out.index_select(0, torch.as_tensor(list(rows), dtype=torch.long))

    def _read_into(self, buffer: torch.Tensor, offset: int) -> None:
        view = memoryview(buffer.numpy()).cast('B')
        self._file.seek(offset)
        done = 0
        while done < len(view):
            count = self._file.readinto(view[done:done + _READ_CHUNK])
            if not count:
                raise ValueError(f'{self.path}: truncated (tensor data ends past the end of the file)')
            done += count

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> 'CheckpointReader':
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class CheckpointWriter:
    """Write a torch checkpoint ``{'meta': meta, 'state_dict': {...}}`` tensor by tensor, atomically.

    1. The whole checkpoint is saved with every tensor replaced by a ``FakeTensor`` of its shape and dtype
       under ``torch.serialization.skip_data(materialize_fake_tensors=True)``: torch writes its zip archive
       (pickle, records, alignment) with the space of each tensor reserved but not written.
    2. Each record's offset is read back by a ``map_location='meta'`` load (see :class:`CheckpointReader`).
    3. :meth:`write` puts a tensor's bytes at its offset, in any order.
    4. :meth:`close` checks that every tensor was written, fills in the zip CRC-32 of each data record
       (torch's reader does not check them, zip tools do), flushes, and renames the temporary file (next
       to ``path``) to ``path``. On error (or :meth:`abort`) the temporary file is removed.

    The result is a regular ``torch.save`` checkpoint. Memory: only the tensor being written. A failed
    write (disk full, read-only folder) raises :class:`~mmringmoe.utils.atomic_io.OutputWriteError`
    naming the folder of ``path``.

    Args:
        path (str): the checkpoint to write; must not exist.
        plan (Mapping[str, TensorSpec]): every output tensor, in state-dict order.
        meta (dict): plain Python data (``weights_only``-loadable) stored as ``checkpoint['meta']``.
    """

    def __init__(self, path: str, plan: Mapping[str, TensorSpec], meta: Optional[dict] = None) -> None:
        from torch._subclasses.fake_tensor import FakeTensorMode  # the FakeTensor that skip_data documents

        self.path = str(path)
        if osp.exists(self.path):
            raise FileExistsError(f'{self.path} exists; refusing to overwrite it')
        self.plan = OrderedDict((k, TensorSpec(tuple(s.shape), s.dtype)) for k, s in plan.items())
        self.folder = osp.dirname(osp.abspath(self.path))
        with output_errors(self.folder):
            handle, self.tmp_path = tempfile.mkstemp(prefix=f'.{osp.basename(self.path)}.',
                                                     suffix='.tmp',
                                                     dir=self.folder)
        os.close(handle)
        self._file = None
        try:
            with FakeTensorMode():
                fake = OrderedDict((k, torch.empty(s.shape, dtype=s.dtype)) for k, s in self.plan.items())
            with skip_data(materialize_fake_tensors=True), output_errors(self.folder):
                save_torch({'meta': meta or {}, 'state_dict': fake}, self.tmp_path)
            del fake
            skeleton = torch.load(self.tmp_path, map_location='meta', weights_only=True)['state_dict']
            self._offsets = {k: t.untyped_storage()._checkpoint_offset for k, t in skeleton.items()}
            self._file = open(self.tmp_path, 'r+b')
        except BaseException:
            self.abort()
            raise
        self._written = set()

    def write(self, key: str, tensor: torch.Tensor) -> None:
        """Write the value of ``key``; its shape and dtype must be the planned ones."""
        spec = self.plan.get(key)
        if spec is None:
            raise KeyError(f'{key} is not in the plan of {self.path}')
        if tuple(tensor.shape) != spec.shape or tensor.dtype != spec.dtype:
            raise ValueError(f'{key}: got {tuple(tensor.shape)} {tensor.dtype}, planned {spec.shape} '
                             f'{spec.dtype}')
        data = tensor.detach().to('cpu').contiguous().reshape(-1).view(torch.uint8)
        view = memoryview(data.numpy()).cast('B')
        with output_errors(self.folder):
            self._file.seek(self._offsets[key])
            for start in range(0, len(view), _READ_CHUNK):
                self._file.write(view[start:start + _READ_CHUNK])
        self._written.add(key)

    @property
    def missing(self) -> List[str]:
        """Planned keys not written yet."""
        return [k for k in self.plan if k not in self._written]

    def close(self) -> None:
        """Finish the file (CRC-32s, fsync) and move it to ``path``."""
        try:
            if self.missing:
                raise RuntimeError(f'{self.path}: {len(self.missing)} planned tensors were not written, '
                                   f'e.g. {self.missing[:3]}')
            with output_errors(self.folder):
                self._file.flush()
                _fill_zip_crc32(self._file)
                self._file.flush()
                os.fsync(self._file.fileno())
                self._file.close()
            if osp.exists(self.path):
                raise FileExistsError(f'{self.path} appeared while it was being written; not replacing it')
            with output_errors(self.folder):
                publish(self.tmp_path, self.path)
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        """Remove the temporary file; ``path`` is left untouched."""
        if self._file is not None and not self._file.closed:
            self._file.close()
        if osp.exists(self.tmp_path):
            os.remove(self.tmp_path)

    def __enter__(self) -> 'CheckpointWriter':
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def _fill_zip_crc32(file) -> None:
    """Write the CRC-32 of every record whose CRC is zero (the skipped data records) into the zip.

    torch's zip writer stores each record's CRC in a data descriptor after the data (general-purpose flag
    bit 3) and in the central directory; ``skip_data`` leaves both zero. Parsing uses the zip layout of
    APPNOTE.TXT (sections 4.3.7, 4.3.9, 4.3.12, 4.3.16).
    """
    import zipfile

    file.seek(0)
    with zipfile.ZipFile(file) as archive:
        infos = archive.infolist()
        central_directory = archive.start_dir
    entry = central_directory
    for info in infos:
        file.seek(entry)
        header = file.read(46)
        if header[:4] != b'PK\x01\x02':
            raise RuntimeError('unexpected zip central directory layout')
        name_len, extra_len, comment_len = struct.unpack('<HHH', header[28:34])
        if info.CRC == 0 and info.file_size:
            file.seek(info.header_offset)
            local = file.read(30)
            data_start = info.header_offset + 30 + sum(struct.unpack('<HH', local[26:30]))
            crc = _crc32_of(file, data_start, info.compress_size)
            if info.flag_bits & 0x08:  # data descriptor: optional signature, then the CRC
                file.seek(data_start + info.compress_size)
                signature = file.read(4)
                file.seek(data_start + info.compress_size + (4 if signature == b'PK\x07\x08' else 0))
            else:
                file.seek(info.header_offset + 14)
            file.write(struct.pack('<I', crc))
            file.seek(entry + 16)
            file.write(struct.pack('<I', crc))
        entry += 46 + name_len + extra_len + comment_len


def _crc32_of(file, start: int, size: int) -> int:
    crc = 0
    file.seek(start)
    while size:
        chunk = file.read(min(size, 1 << 24))
        crc = zlib.crc32(chunk, crc)
        size -= len(chunk)
    return crc


def iter_experts(reader: StateDictReader, key: str) -> Iterator[torch.Tensor]:
    """The experts of bank tensor ``key`` (``[N, ...]``), read one at a time."""
    for index in range(reader.spec(key).shape[0]):
        yield reader.read(key, rows=[index])[0]


def plain_meta(obj: Any) -> Any:
    """``obj`` with tuples as lists, checked to hold only what ``weights_only`` loads (for ``meta``)."""
    if isinstance(obj, dict):
        return {str(k): plain_meta(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain_meta(v) for v in obj]
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f'checkpoint meta must be plain data, got {type(obj).__name__}')


def state_dict_specs(state: Mapping[str, torch.Tensor]) -> Dict[str, TensorSpec]:
    """``{key: TensorSpec}`` of a state dict (real or meta tensors)."""
    return {k: TensorSpec(tuple(v.shape), v.dtype) for k, v in state.items()}
