"""Load one-band amplitude SAR (SAR-L2) from the 8-bit chips the detection releases ship.

HRSID, SAR-AIRcraft-1.0 and SARDet-100K store single-channel amplitude images as JPEG/PNG, often with three
equal bands (R = G = B). RingMoE's SAR-L2 patch embedding takes one band (paper App. B.1), so the grey
value is read once instead of feeding three copies; a colour image, whose bands differ, is refused.
"""
import numpy as np

from mmringmoe.registry import TRANSFORMS
from .band_order import band_selection
from .loading import LoadRasterImage, is_complex_dtype, raster_channels
from .raster_errors import InvalidRasterError

# JPEG codes a grey image with zero chroma, which decodes to R = G = B exactly; this margin (8-bit levels)
# only absorbs encoders that leave rounding noise in the chroma. A colour image differs far more.
GREY_TOLERANCE = 2


class ColourImageError(InvalidRasterError):
    """A multi-band colour image where a one-band modality is expected. One line naming the file, also when
    a ``DataLoader`` worker re-raises it (see :class:`~mmringmoe.datasets.transforms.CorruptFileError`)."""

    def __str__(self) -> str:
        text = super().__str__().rstrip()
        marker = f'{type(self).__name__}: '
        return text.splitlines()[-1].split(marker, 1)[-1] if marker in text else text


@TRANSFORMS.register_module()
class GreyLoadRasterImage(LoadRasterImage):
    """:class:`LoadRasterImage` for a one-channel modality whose files are grey: one band, or three equal
    bands (R = G = B, within :data:`GREY_TOLERANCE`), of which the first is read.

    ``file_channels`` names the one channel (``('amplitude', )`` for ``sar_l2``). A file with three bands
    that differ raises :class:`ColourImageError` naming the file and where its bands differ; any other
    band count raises :class:`InvalidRasterError` as in :class:`LoadRasterImage`.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        if self.file_channels is None or len(self.file_channels) != 1:
            raise ValueError(f'GreyLoadRasterImage loads one channel: file_channels must name one, got '
                             f'{self.file_channels}')

    def _indexes(self, src, path: str, modality):
        """Band 1 of a grey three-band file (checked); otherwise :class:`LoadRasterImage`'s selection."""
        if src.count != 3 or is_complex_dtype(src.dtypes[0]) or raster_channels(src.dtypes) != 3:
            return super()._indexes(src, path, modality)
        bands = src.read().astype(np.int64)
        difference = np.maximum(np.abs(bands[1] - bands[0]), np.abs(bands[2] - bands[0]))
        if difference.max() > GREY_TOLERANCE:
            row, col = np.unravel_index(int(difference.argmax()), difference.shape)
            raise ColourImageError(
                f'{path}: a colour image (3 bands that differ by up to {int(difference.max())} levels, e.g. '
                f'at row {row}, column {col}) where the config expects one band ({self.modality}); give '
                f'grey images (one band, or three equal bands)')
        return band_selection(self.file_channels, self.output_channels(modality), False)
