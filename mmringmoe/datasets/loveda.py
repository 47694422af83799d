"""LoveDA (paper App. B.5.8, few-shot segmentation) read in its official release layout."""
import glob
import os.path as osp
from typing import List, Sequence

from mmringmoe.registry import DATASETS
from .rs_base_seg_dataset import DATASETS_DOC, RSBaseSegDataset

LOVEDA_SCENES = ('Urban', 'Rural')
LOVEDA_SPLITS = ('Train', 'Val', 'Test')


@DATASETS.register_module()
class LoveDADataset(RSBaseSegDataset):
    """LoveDA, 7 land-cover classes, read from the unpacked release (zenodo.org/records/5706578)::

        LoveDA/Train/Urban/images_png/1366.png    # 1024 x 1024 RGB
        LoveDA/Train/Urban/masks_png/1366.png     # grey: 0 no-data, 1 background, 2 building, 3 road,
        LoveDA/Train/Rural/images_png/0.png       #       4 water, 5 barren, 6 forest, 7 agriculture
        LoveDA/Val/{Urban,Rural}/{images_png,masks_png}/*.png
        LoveDA/Test/{Urban,Rural}/images_png/*.png                  # no masks (evaluation server)

    The class names are those of the release's README (mmseg's own ``LoveDADataset``, which reads a converted
    ``img_dir/ann_dir`` copy, spells the last one ``agricultural``). As the release says, mask value 0 marks
    no-data regions, which are not a class: ``reduce_zero_label`` (on by default, as in mmseg) maps 0 to the
    ignore index 255 and 1-7 to classes 0-6.

    Args:
        split (str): ``'Train'`` or ``'Val'`` (the labelled splits). Defaults to ``'Train'``.
        scenes (Sequence[str]): which of ``'Urban'`` and ``'Rural'`` to read. Defaults to both.
        **kwargs: the other arguments of :class:`RSBaseSegDataset` (``data_root``, ``pipeline``, ...);
            ``data_prefix`` is not used, the layout is fixed.
    """
    METAINFO = dict(
        classes=('background', 'building', 'road', 'water', 'barren', 'forest', 'agriculture'),
        palette=[[255, 255, 255], [255, 0, 0], [255, 255, 0], [0, 0, 255], [159, 129, 183], [0, 255, 0],
                 [255, 195, 128]])

    def __init__(self,
                 split: str = 'Train',
                 scenes: Sequence[str] = LOVEDA_SCENES,
                 reduce_zero_label: bool = True,
                 **kwargs) -> None:
        # FileNotFoundError, as for any folder of the layout that is not there: tools report it in one line
        if split not in LOVEDA_SPLITS[:2]:
            raise FileNotFoundError(f'LoveDA split {split!r} has no masks: the labelled splits are '
                                    f'{", ".join(LOVEDA_SPLITS[:2])}')
        unknown = [scene for scene in scenes if scene not in LOVEDA_SCENES]
        if unknown or not scenes:
            raise FileNotFoundError(f'LoveDA scenes {list(scenes)}: the release has {", ".join(LOVEDA_SCENES)}')
        self.split = split
        self.scenes = tuple(scenes)
        super().__init__(img_suffix='.png', seg_map_suffix='.png', reduce_zero_label=reduce_zero_label, **kwargs)

    def scan_samples(self) -> List[dict]:
        """One sample per image of ``<split>/<scene>/images_png``, its mask under ``masks_png``."""
        data_list = []
        for scene in self.scenes:
            folder = osp.join(self.data_root, self.split, scene)
            if not osp.isdir(osp.join(folder, 'images_png')):
                raise FileNotFoundError(f'LoveDA {self.split}/{scene}/images_png not found under '
                                        f'{self.data_root}: see {DATASETS_DOC}')
            for img_path in sorted(glob.glob(osp.join(folder, 'images_png', '*.png'))):
                data_list.append(
                    dict(
                        img_path=img_path,
                        seg_map_path=osp.join(folder, 'masks_png', osp.basename(img_path)),
                        label_map=self.label_map,
                        reduce_zero_label=self.reduce_zero_label,
                        seg_fields=[]))
        if not data_list:
            folders = ', '.join(f'{self.split}/{scene}/images_png' for scene in self.scenes)
            raise FileNotFoundError(f'no LoveDA images (*.png) in {folders} under {self.data_root}: '
                                    f'see {DATASETS_DOC}')
        return data_list
