"""AIR-PolSAR-Seg (paper App. B.5.2, Table A7): GF-3 polarimetric amplitude images, 6 classes."""
from typing import List, Optional, Sequence

from mmringmoe.registry import DATASETS
from .rs_base_seg_dataset import RSBaseSegDataset

POLARISATIONS = ('HH', 'HV', 'VH', 'VV')
UNLABELLED_COLOUR = (0, 0, 0)


@DATASETS.register_module()
class AIRPolSARSegDataset(RSBaseSegDataset):
    """AIR-PolSAR-Seg: 500 tiles of 512 x 512, four amplitude polarisations each, colour-coded labels.

    Assumed layout of the release (github.com/AICyberTeam/AIR-PolSAR-Seg; the README does not list it):
    all files of a tile side by side, one amplitude image per polarisation and an RGB label::

        <data_root>/<img folder>/<id>_HH.tiff  <id>_HV.tiff  <id>_VH.tiff  <id>_VV.tiff
        <data_root>/<label folder>/<id>_gt.png

    with the colours of ``METAINFO['palette']`` (housing yellow, industrial blue, natural green, land use
    red, water cyan, other white) and black for unlabelled pixels (ignored). Another palette is passed as
    ``label_palette``. The paper's 7:3 split lists tile ids in ``train.txt`` / ``test.txt``
    (``tools/dataset_converters/air_polsar_seg.py`` writes them); without ``ann_file`` every tile is used.

    The paper feeds one amplitude channel (SAR-L2, "single-channel SAR images"); which polarisation is not
    stated: ``polarisation`` picks it (HH by default). It reports four classes: the config's metric drops
    ``land_use`` and ``other`` from the means (paper App. B.5.2), training still sees all six.

    Args:
        polarisation (str): ``'HH'``, ``'HV'``, ``'VH'`` or ``'VV'``. Defaults to ``'HH'``.
        label_palette (Sequence, optional): RGB colour of each class of ``METAINFO``, in order.
        **kwargs: the arguments of mmseg's ``BaseSegDataset``.
    """
    METAINFO = dict(
        classes=('housing', 'industrial', 'natural', 'land_use', 'water', 'other'),
        palette=[[255, 255, 0], [0, 0, 255], [0, 255, 0], [255, 0, 0], [0, 255, 255], [255, 255, 255]])

    def __init__(self,
                 polarisation: str = 'HH',
                 label_palette: Optional[Sequence[Sequence[int]]] = None,
                 seg_map_suffix: str = '_gt.png',
                 **kwargs) -> None:
        if polarisation not in POLARISATIONS:
            raise ValueError(f'AIRPolSARSegDataset: polarisation must be one of {POLARISATIONS}, '
                             f'got {polarisation!r}')
        colours = label_palette if label_palette is not None else self.METAINFO['palette']
        if len(colours) != len(self.METAINFO['classes']):
            raise ValueError(f'AIRPolSARSegDataset: label_palette needs {len(self.METAINFO["classes"])} '
                             f'colours, got {len(colours)}')
        self.polarisation = polarisation
        self.label_colours = {tuple(int(v) for v in c): i for i, c in enumerate(colours)}
        super().__init__(img_suffix=f'_{polarisation}.tiff', seg_map_suffix=seg_map_suffix, **kwargs)

    def scan_samples(self) -> List[dict]:
        """The tiles, each decoding its colour label (unlabelled black -> ignore index)."""
        palette = {**self.label_colours, UNLABELLED_COLOUR: self.ignore_index}
        data_list = super().scan_samples()
        for info in data_list:
            info['seg_map_format'] = 'palette'
            info['seg_palette'] = palette
        return data_list
