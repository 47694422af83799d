"""DynamicEarthNet / "Dyna.-pla" (paper App. B.5.2, Table 3): PlanetFusion 4-band images, monthly labels."""
import os.path as osp
from typing import List

import mmengine

from mmringmoe.registry import DATASETS
from .rs_base_seg_dataset import RSBaseSegDataset

# One band per class in the label rasters; band 7 (snow & ice) is not scored by the official evaluation
# (6 classes, github.com/aysim/dynnet codalab_eval) and is ignored.
NUM_LABEL_BANDS = 7
# Older split files name the image folders by the processing path rather than the download's ``planet/``.
LEGACY_IMAGE_PREFIX = 'reprocess-cropped/UTM-24000/'


@DATASETS.register_module()
class DynamicEarthNetDataset(RSBaseSegDataset):
    """DynamicEarthNet in its official layout (mediatum.ub.tum.de/1650201 + the split files of aysim/dynnet).

    Each line of a split file ``dynnet_training_splits/{train,val,test}.txt`` (the ``ann_file``) is
    ``<image folder> <label raster> <YYYY-MM>``, paths relative to ``data_root``::

        /planet/.../<cube>/PF-SR /labels/.../<cube>/Labels/Raster/<cube>/<cube>-2018_01_01.tif 2018-01

    The image folder holds the daily PlanetFusion GeoTIFFs ``YYYY-MM-DD.tif`` (uint16, bands B, G, R, NIR;
    1024 x 1024); as the reference loader's single-date setting, the sample of a month is its day ``day``
    image. The label is the month's 7-band one-hot raster (255 where a pixel is in the band's class):
    impervious surface, agriculture, forest & other vegetation, wetlands, soil, water, snow & ice; the first
    six are the classes, snow & ice and pixels no band claims are ignored. The configs read the image bands
    in file order, B, G, R, NIR, the canonical MS order of the pretrained ``ms`` patch embedding
    (``CANONICAL_BANDS``; the reference loader reorders to R, G, B, NIR).

    Args:
        day (str): day of the month whose image is used. Defaults to ``'01'``.
        **kwargs: the arguments of mmseg's ``BaseSegDataset``; ``ann_file`` is required.
    """
    METAINFO = dict(
        classes=('impervious_surface', 'agriculture', 'forest_and_other_vegetation', 'wetlands', 'soil',
                 'water'),
        palette=[[96, 96, 96], [204, 204, 0], [0, 204, 0], [0, 0, 153], [153, 76, 0], [0, 128, 255]])

    def __init__(self, day: str = '01', img_suffix: str = '.tif', **kwargs) -> None:
        self.day = day
        super().__init__(img_suffix=img_suffix, **kwargs)

    def scan_samples(self) -> List[dict]:
        """One sample per line of the split file."""
        if not self.ann_file:
            raise ValueError('DynamicEarthNetDataset needs ann_file, a split file of the official release '
                             '(dynnet_training_splits/train.txt)')
        band_classes = list(range(NUM_LABEL_BANDS - 1)) + [self.ignore_index]
        data_list = []
        for lineno, line in enumerate(mmengine.list_from_file(self.ann_file), start=1):
            if not line.strip():
                continue
            fields = line.split()
            if len(fields) != 3:
                raise ValueError(f'{self.ann_file}:{lineno}: expected "<image folder> <label raster> '
                                 f'<YYYY-MM>", got {line!r}')
            image_dir, label, year_month = fields
            data_list.append(
                dict(
                    img_path=osp.join(self._resolve(image_dir), f'{year_month}-{self.day}{self.img_suffix}'),
                    seg_map_path=osp.join(self.data_root or '', label.lstrip('/')),
                    seg_map_format='onehot',
                    seg_band_classes=band_classes,
                    label_map=self.label_map,
                    reduce_zero_label=self.reduce_zero_label,
                    seg_fields=[]))
        return data_list

    def _resolve(self, image_dir: str) -> str:
        path = osp.join(self.data_root or '', image_dir.lstrip('/'))
        if not osp.isdir(path) and LEGACY_IMAGE_PREFIX in path:
            path = path.replace(LEGACY_IMAGE_PREFIX, 'planet/')
        return path
