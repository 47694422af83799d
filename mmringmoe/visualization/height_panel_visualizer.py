"""Height pictures (paper App. B.5.7): the image, the true and the predicted height side by side, both heights
in one colour scale with one colour bar."""
from typing import Optional

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from mmengine.dist import master_only
from mmengine.visualization import Visualizer
from PIL import Image

from mmringmoe.registry import VISUALIZERS
from mmringmoe.utils.atomic_io import atomic_write_image

COLOUR_MAP = 'viridis'
MISSING_COLOUR = (0.55, 0.55, 0.55)  # pixels without a true height


def height_panels(image: np.ndarray, true: Optional[np.ndarray], pred: Optional[np.ndarray], title: str = '',
                  unit: str = 'm', panel_inches: float = 3.2, dpi: int = 100) -> np.ndarray:
    """An ``H x W x 3`` uint8 picture: ``image`` (RGB uint8), then the true and the predicted heights (either
    may be None) in one colour scale from ``min(0, lowest)`` to the highest finite height, one colour bar at
    the right; missing true heights (NaN) in grey. ``title`` goes above, with the mean absolute error of the
    prediction where both exist."""
    maps = [(caption, values) for caption, values in (('true height', true), ('predicted height', pred))
            if values is not None]
    finite = [v[np.isfinite(v)] for _, v in maps]
    finite = np.concatenate(finite) if finite else np.zeros(1)
    low = min(0.0, float(finite.min())) if finite.size else 0.0
    high = max(float(finite.max()) if finite.size else 1.0, low + 1e-3)
    if true is not None and pred is not None and np.isfinite(true).any():
        both = np.isfinite(true)
        title = f'{title}   MAE {np.abs(true[both] - pred[both]).mean():.2f} {unit}'.strip()
    figure = Figure(figsize=(panel_inches * (1 + len(maps)) + 0.9, panel_inches + 0.6), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, 1 + len(maps))
    axes = np.atleast_1d(axes)
    cmap = matplotlib.colormaps[COLOUR_MAP].with_extremes(bad=MISSING_COLOUR)
    axes[0].imshow(image)
    axes[0].set_title('image')
    shown = None
    for ax, (caption, values) in zip(axes[1:], maps):
        shown = ax.imshow(np.ma.masked_invalid(values),
                          cmap=cmap,
                          vmin=low,
                          vmax=high,
                          interpolation='nearest')
        ax.set_title(f'{caption} ({unit})')
    for ax in axes:
        ax.set_axis_off()
    if shown is not None:
        figure.colorbar(shown, ax=list(axes), fraction=0.03, pad=0.02, label=f'height ({unit})')
    if title:
        figure.suptitle(title, fontsize=9)
    figure.canvas.draw()
    return np.asarray(figure.canvas.buffer_rgba())[..., :3].copy()


@VISUALIZERS.register_module()
class HeightPanelVisualizer(Visualizer):
    """Draws a data sample's ``gt_depth_map`` and ``pred_depth_map`` next to its image with
    :func:`height_panels` and hands the picture to the backends (or ``out_file``), as mmseg's visualizers
    do. ``mmringmoe.RasterSegVisualizationHook`` calls it with the image read as training reads it.

    Args:
        name (str): the instance name (mmengine's ``ManagerMixin``).
        unit (str): the label's unit, in the captions. Defaults to ``'m'``.
        **kwargs: mmengine's ``Visualizer`` arguments (``vis_backends``, ``save_dir``).
    """

    def __init__(self, name: str = 'visualizer', unit: str = 'm', **kwargs) -> None:
        super().__init__(name=name, **kwargs)
        self.unit = unit

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
                       **kwargs) -> None:
        """Draw ``image | true height | predicted height``; ``kwargs`` (a segmentation hook's extras) are
        ignored."""
        maps = {}
        for key, wanted in (('gt_depth_map', draw_gt), ('pred_depth_map', draw_pred)):
            if wanted and data_sample is not None and key in data_sample:
                maps[key] = data_sample.get(key).data.squeeze(0).cpu().numpy().astype(np.float64)
        drawn = height_panels(image, maps.get('gt_depth_map'), maps.get('pred_depth_map'), title=name,
                              unit=self.unit)
        if show:
            self.show(drawn, win_name=name, wait_time=wait_time)
        if out_file is not None:
            atomic_write_image(out_file, Image.fromarray(drawn), 'PNG')
        else:
            self.add_image(name, drawn, step)
