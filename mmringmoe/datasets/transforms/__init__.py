from .grey_loading import ColourImageError, GreyLoadRasterImage
from .loading import InvalidRasterError, LoadRasterImage
from .load_raster_pair import LoadRasterPair
from .load_seg_annotations import LoadSegAnnotations
from .raster_errors import CorruptFileError

__all__ = ['InvalidRasterError', 'LoadRasterImage']
__all__ += ['CorruptFileError', 'LoadRasterPair', 'LoadSegAnnotations']
__all__ += ['ColourImageError', 'GreyLoadRasterImage']
