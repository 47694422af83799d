"""Change detection over two co-registered scenes (paper App. B.5.6: BIT on a Siamese RingMoE-KC).

The config's ``LoadRasterPair`` reads date A and date B (the second warped onto the first's grid when the
grids differ) and stacks their bands as training does; ``SiameseEncoderDecoder`` is an mmseg segmentor, so
the tiles run, blend and become a class map exactly as in :class:`~.seg.SegAdapter`: 0 unchanged, 1 changed,
with the dataset's colours, and with ``--probs`` the probability of each.
"""
from .seg import SegAdapter


class ChangeAdapter(SegAdapter):
    """:class:`~.seg.SegAdapter` for a Siamese change detector; the map's band is named ``change``."""
    band_name = 'change'
