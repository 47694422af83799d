"""Select and order a raster's channels by name: a file's own band order -> a modality's canonical order.

Channels are named as in :data:`~mmringmoe.models.backbones.arch_zoo.CANONICAL_BANDS` (``'R'``, ``'NIR'``,
``'HH_re'``...). A file is described by the names of its channels in file order, a complex band counting
as two channels (real, imaginary), so a 4-band complex HH/HV/VH/VV SLC and an 8-band int16 file in the
same order share one description: ``('HH_re', 'HH_im', 'HV_re', ..., 'VV_im')``.
"""
from typing import List, Sequence, Tuple

from mmringmoe.models.backbones.arch_zoo import CANONICAL_BANDS


def canonical_channels(modality: str) -> Tuple[str, ...]:
    """The channel order of ``modality``'s patch embedding (``CANONICAL_BANDS``)."""
    if modality not in CANONICAL_BANDS:
        raise ValueError(f'unknown modality {modality!r} (known: {sorted(CANONICAL_BANDS)})')
    return CANONICAL_BANDS[modality]


def check_channel_names(file_channels: Sequence[str], order: Sequence[str]) -> None:
    """Raise ``ValueError`` unless the names are unique and every channel of ``order`` is in the file."""
    duplicates = sorted({c for c in file_channels if list(file_channels).count(c) > 1})
    if duplicates:
        raise ValueError(f'file channels {tuple(file_channels)} name {duplicates} more than once')
    missing = [c for c in order if c not in file_channels]
    if missing:
        raise ValueError(f'channels {missing} of the order {tuple(order)} are not among the file channels '
                         f'{tuple(file_channels)}')


def band_selection(file_channels: Sequence[str], order: Sequence[str], complex_bands: bool) -> List[int]:
    """1-based raster bands to read, in order, to get the channels ``order`` from a file.

    Args:
        file_channels: the file's channel names in file order (a complex band's real and imaginary part
            are two consecutive channels).
        order: the channels wanted, in the wanted order.
        complex_bands: whether the file's bands are complex. A complex band is read whole, so its real and
            imaginary channel must be wanted together, real first.

    Raises:
        ValueError: duplicate or missing names, a channel count that a complex file cannot have, or an
            order that splits a complex band.
    """
    check_channel_names(file_channels, order)
    positions = [list(file_channels).index(c) for c in order]
    if not complex_bands:
        return [p + 1 for p in positions]
    if len(file_channels) % 2:
        raise ValueError(f'a complex file has two channels per band; {tuple(file_channels)} has '
                         f'{len(file_channels)}')
    pairs = list(zip(positions[0::2], positions[1::2]))
    if len(positions) % 2 or any(re % 2 or im != re + 1 for re, im in pairs):
        raise ValueError(f'complex bands are read whole (real, imaginary): the order {tuple(order)} splits '
                         f'the bands of {tuple(file_channels)}')
    return [re // 2 + 1 for re, _ in pairs]
