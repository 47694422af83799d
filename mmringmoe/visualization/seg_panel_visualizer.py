"""Segmentation pictures a person can read: captioned panels side by side and one legend of class colours."""
import math
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch
from mmengine.dist import master_only
from mmengine.structures import PixelData
from mmseg.visualization import SegLocalVisualizer
from PIL import Image

from mmringmoe.registry import VISUALIZERS
from mmringmoe.utils.atomic_io import atomic_write_image

CAPTION_HEIGHT = 30
LEGEND_ROW_HEIGHT = 24
SWATCH = 16
FONT_SIZE = 13
CHAR_WIDTH = 10  # pixels per character of FONT_SIZE text (at most), for the legend's layout
PAD = 8
IGNORED_COLOUR = (40, 40, 40)


@VISUALIZERS.register_module()
class SegPanelVisualizer(SegLocalVisualizer):
    """mmseg's :class:`SegLocalVisualizer`, drawn as captioned panels: the input image(s) (e.g. "optical",
    "SAR"), then "ground truth" and "prediction" over the first input, and below them one legend of the
    colours of the classes that appear (instead of a tag per region, which overlap on small images).

    Panels whose short side is below ``min_panel_size`` are enlarged by an integer factor, images
    bilinearly and label maps by nearest neighbour, so a 64 px demo tile becomes a picture one can read.

    Args:
        name (str): the instance name (mmengine's ``ManagerMixin``).
        min_panel_size (int): the short side a panel is enlarged to at least (default 384).
        **kwargs: :class:`SegLocalVisualizer`'s (``vis_backends``, ``save_dir``, ``alpha``...).
    """

    def __init__(self, name: str = 'visualizer', min_panel_size: int = 384, **kwargs) -> None:
        super().__init__(name=name, **kwargs)
        self.min_panel_size = min_panel_size

    def scale_factor(self, height: int, width: int) -> int:
        """The integer enlargement of a ``height x width`` panel."""
        return max(1, math.ceil(self.min_panel_size / max(1, min(height, width))))

    def _overlay(self, image: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """``labels`` (H, W) in the dataset's palette over ``image`` (mmseg's blending, no tags)."""
        sem_seg = PixelData(data=torch.from_numpy(labels[None].astype(np.int64)))
        return self._draw_sem_seg(image, sem_seg, self.dataset_meta['classes'], self.dataset_meta['palette'],
                                  with_labels=False)

    def _legend_entries(self, label_maps: Sequence[np.ndarray]) -> List[Tuple[str, Tuple[int, int, int]]]:
        """``(class name, colour)`` of each class in ``label_maps``, and an entry for ignored pixels (a label
        outside the classes, e.g. 255: left undrawn, so the image shows through, darkened)."""
        classes, palette = self.dataset_meta['classes'], self.dataset_meta['palette']
        values = {int(v) for labels in label_maps for v in np.unique(labels)}
        entries = [(classes[c], tuple(int(x) for x in palette[c])) for c in sorted(values) if c < len(classes)]
        if any(v >= len(classes) for v in values):
            entries.append(('ignored (not labelled)', IGNORED_COLOUR))
        return entries

    def draw_panels(self, inputs: Sequence[Tuple[str, np.ndarray]],
                    label_maps: Sequence[Tuple[str, np.ndarray]]) -> np.ndarray:
        """The picture: ``inputs`` (caption, RGB uint8 image), then each ``(caption, H x W labels)`` over
        the first input, enlarged and captioned, with the legend below. Returns an RGB uint8 image."""
        height, width = inputs[0][1].shape[:2]
        factor = self.scale_factor(height, width)
        size = (width * factor, height * factor)
        images = [(caption, cv2.resize(image, size, interpolation=cv2.INTER_LINEAR) if factor > 1 else image)
                  for caption, image in inputs]
        # Labels by nearest neighbour: each label pixel becomes a factor x factor block.
        panels = images + [(caption, self._overlay(images[0][1], labels.repeat(factor, 0).repeat(factor, 1)))
                           for caption, labels in label_maps]

        entries = self._legend_entries([labels for _, labels in label_maps])
        canvas_width = len(panels) * size[0] + (len(panels) + 1) * PAD
        entry_width = SWATCH + PAD + CHAR_WIDTH * max((len(name) for name, _ in entries), default=1) + 2 * PAD
        per_row = max(1, (canvas_width - PAD) // entry_width)
        legend_height = (math.ceil(len(entries) / per_row) * LEGEND_ROW_HEIGHT + PAD) if entries else 0
        canvas = np.full((CAPTION_HEIGHT + size[1] + PAD + legend_height, canvas_width, 3), 255, np.uint8)
        tops = []
        for i, (_, panel) in enumerate(panels):
            left = PAD + i * (size[0] + PAD)
            canvas[CAPTION_HEIGHT:CAPTION_HEIGHT + size[1], left:left + size[0]] = panel
            tops.append(left + size[0] // 2)
        legend_top = CAPTION_HEIGHT + size[1] + PAD
        spots = []
        for i, (_, colour) in enumerate(entries):
            x = PAD + (i % per_row) * entry_width
            y = legend_top + (i // per_row) * LEGEND_ROW_HEIGHT + (LEGEND_ROW_HEIGHT - SWATCH) // 2
            canvas[y:y + SWATCH, x:x + SWATCH] = colour
            canvas[y:y + SWATCH, x:x + SWATCH][[0, -1]] = 0  # a dark outline shows light colours on white
            canvas[y:y + SWATCH, x:x + SWATCH][:, [0, -1]] = 0
            spots.append((x + SWATCH + PAD // 2, y + SWATCH // 2))

        self.set_image(canvas)
        texts = [caption for caption, _ in panels] + [name for name, _ in entries]
        positions = [(x, CAPTION_HEIGHT // 2) for x in tops] + spots
        alignments = ['center'] * len(panels) + ['left'] * len(entries)
        self.draw_texts(texts, np.array(positions), font_sizes=FONT_SIZE, colors='black',
                        vertical_alignments='center', horizontal_alignments=alignments)
        return self.get_image()

    @master_only
    def add_datasample(self,
                       name: str,
                       image: np.ndarray,
                       data_sample=None,
                       draw_gt: bool = True,
                       draw_pred: bool = True,
                       show: bool = False,
                       wait_time: float = 0,
                       out_file: Optional[str] = None,
                       step: int = 0,
                       with_labels: Optional[bool] = False,
                       inputs: Optional[Sequence[Tuple[str, np.ndarray]]] = None) -> None:
        """Draw ``data_sample``'s ground truth and prediction as :meth:`draw_panels` and hand the picture
        to the backends (or ``out_file``, or a window), as :meth:`SegLocalVisualizer.add_datasample`.

        Args:
            inputs: the input panels ``(caption, RGB uint8 image)``, e.g. ``[('optical', ...), ('SAR',
                ...)]``; default ``[('image', image)]``.
            with_labels: ignored: the legend names the classes.
        """
        label_maps = []
        if data_sample is not None:
            for key, caption, wanted in (('gt_sem_seg', 'ground truth', draw_gt),
                                         ('pred_sem_seg', 'prediction', draw_pred)):
                if wanted and key in data_sample:
                    label_maps.append((caption, data_sample.get(key).cpu().data[0].numpy()))
        drawn = self.draw_panels(list(inputs) if inputs else [('image', image)], label_maps)
        if show:
            self.show(drawn, win_name=name, wait_time=wait_time)
        if out_file is not None:
            atomic_write_image(out_file, Image.fromarray(drawn), 'PNG')
        else:
            self.add_image(name, drawn, step)
