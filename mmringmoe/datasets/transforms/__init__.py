from .grey_loading import ColourImageError, GreyLoadRasterImage
from .height_loading import HeightLabelError, LoadHeightAnnotation
from .loading import InvalidRasterError, LoadRasterImage
from .load_raster_pair import LoadRasterPair
from .load_seg_annotations import LoadSegAnnotations
from .per_date_photometric import PerDatePhotometric, RandomGaussianBlur
from .raster_errors import CorruptFileError
from .rotate90 import RandomRotate90
from .seg_episode import LoadSegEpisode, PackSegEpisode

__all__ = ['InvalidRasterError', 'LoadRasterImage']
__all__ += ['CorruptFileError', 'LoadRasterPair', 'LoadSegAnnotations']
__all__ += ['ColourImageError', 'GreyLoadRasterImage']
__all__ += ['PerDatePhotometric', 'RandomGaussianBlur']
__all__ += ['HeightLabelError', 'LoadHeightAnnotation', 'RandomRotate90']
__all__ += ['LoadSegEpisode', 'PackSegEpisode']
