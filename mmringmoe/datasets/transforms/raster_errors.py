"""The errors of loading a raster, and telling a file cut short (a copy or a download interrupted, a full
disk) from one that is merely unreadable.

GDAL reads a truncated PNG without any error (the missing rows come out as garbage), and on a truncated
TIFF, JPEG or BMP it fails with "Read failed. See previous exception for details.", or already when the
file is opened. :func:`check_complete` looks at where each format must end before the file is read;
:func:`read_failure` turns a failed read into the error to raise.
"""
import math
import os.path as osp
import struct
import warnings

import rasterio
from rasterio.errors import NotGeoreferencedWarning, RasterioError

PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'
PNG_END = b'IEND\xaeB`\x82'  # the type and CRC of the IEND chunk, the last 8 bytes of a complete PNG
JPEG_SIGNATURE = b'\xff\xd8\xff'
JPEG_END = b'\xff\xd9'  # the end-of-image marker
# (byte order, struct format of the first directory's offset, where it lies) of classic TIFF and BigTIFF
TIFF_HEADERS = {
    b'II*\x00': ('<', 'I', 4),
    b'MM\x00*': ('>', 'I', 4),
    b'II+\x00': ('<', 'Q', 8),
    b'MM\x00+': ('>', 'Q', 8),
}
TAIL = 4096  # a complete PNG or JPEG may carry a few bytes after its end; the end is looked for this far


class InvalidRasterError(ValueError):
    """A tile that cannot be used: unreadable, wrong band count, NaN/Inf values or (almost) all nodata.

    The message always names the file. ``ModalityTileDataset`` catches it and skips the tile.
    """


class CorruptFileError(InvalidRasterError):
    """A file that is cut short or damaged: empty, a PNG or JPEG that ends before its end marker, a TIFF
    whose directory or pixel data lie past its end, or a raster whose pixels GDAL cannot decode. The
    message is one line naming the file and saying so.

    ``str()`` stays that one line when a ``DataLoader`` worker re-raises the error in the main process
    (PyTorch re-creates it with the worker's whole traceback as its message), so a tool can report
    ``f'tool.py: {err}'``.
    """

    def __str__(self) -> str:
        text = super().__str__().rstrip()
        marker = f'{type(self).__name__}: '
        return text.splitlines()[-1].split(marker, 1)[-1] if marker in text else text


def check_complete(path: str) -> None:
    """Raise :class:`CorruptFileError` when ``path`` is empty, is a PNG or JPEG without its end marker, or
    is a TIFF whose first directory lies past its end. A missing file is left to the reader."""
    try:
        size = osp.getsize(path)
    except OSError:
        return
    if size == 0:
        raise CorruptFileError(f'{path}: the file is truncated: it is empty (0 bytes)')
    with open(path, 'rb') as f:
        head = f.read(16)
        f.seek(max(0, size - TAIL))
        tail = f.read()
    truncated = f'{path}: the file is truncated:'
    if head.startswith(PNG_SIGNATURE) and PNG_END not in tail:
        raise CorruptFileError(f'{truncated} the PNG ends after {size} bytes, before its end chunk (IEND)')
    if head.startswith(JPEG_SIGNATURE) and JPEG_END not in tail:
        raise CorruptFileError(f'{truncated} the JPEG ends after {size} bytes, before its end marker')
    if head[:4] in TIFF_HEADERS:
        order, kind, at = TIFF_HEADERS[head[:4]]
        complete_header = len(head) >= at + struct.calcsize(kind)
        offset = struct.unpack_from(order + kind, head, at)[0] if complete_header else size
        if offset >= size:
            raise CorruptFileError(f'{truncated} the TIFF ends after {size} bytes, before its directory (at '
                                   f'byte {offset})')


def tiff_data_end(src) -> int:
    """The byte where the last block of pixel data of an open GeoTIFF ends (0 when GDAL does not say)."""
    end = 0
    for band, (block_height, block_width) in enumerate(src.block_shapes, start=1):
        for y in range(math.ceil(src.height / block_height)):
            for x in range(math.ceil(src.width / block_width)):
                offset = src.get_tag_item(f'BLOCK_OFFSET_{x}_{y}', 'TIFF', bidx=band)
                length = src.get_tag_item(f'BLOCK_SIZE_{x}_{y}', 'TIFF', bidx=band)
                if offset and length:
                    end = max(end, int(offset) + int(length))
    return end


def read_failure(path: str, err: RasterioError) -> InvalidRasterError:
    """The error to raise for a failed rasterio read of ``path`` (call :func:`check_complete` first):
    :class:`CorruptFileError` when GDAL opens the file but cannot decode its pixels (a TIFF whose pixel data
    run past its end is "truncated", anything else "truncated or damaged"), otherwise
    :class:`InvalidRasterError` ("cannot be read": not a raster, or a header GDAL does not understand)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', NotGeoreferencedWarning)
            with rasterio.open(path) as src:
                end = tiff_data_end(src) if src.driver == 'GTiff' else 0
    except RasterioError:
        return InvalidRasterError(f'{path}: cannot be read ({err})')
    size = osp.getsize(path)
    if end > size:
        return CorruptFileError(f'{path}: the file is truncated: it ends after {size} bytes, its pixel data '
                                f'run to byte {end}')
    cause = ' '.join(str(err.__cause__ or err).split())
    return CorruptFileError(f'{path}: the file is truncated or damaged: GDAL cannot decode its pixels '
                            f'({cause})')
