"""mmengine's local visualization backend, writing its pictures atomically."""
import os
import os.path as osp

import numpy as np
from mmengine.visualization import LocalVisBackend
from mmengine.visualization.vis_backend import force_init_env
from PIL import Image

from mmringmoe.registry import VISBACKENDS
from mmringmoe.utils.atomic_io import atomic_write_image


@VISBACKENDS.register_module()
class AtomicLocalVisBackend(LocalVisBackend):
    """:class:`LocalVisBackend` whose images (``<save_dir>/vis_image/<name>_<step>.png``) appear complete
    or not at all: ``cv2.imwrite`` only returns False on a full disk, so the PNG is encoded in memory and
    written by :func:`~mmringmoe.utils.atomic_io.atomic_write_image`, which raises
    :class:`~mmringmoe.utils.atomic_io.OutputWriteError` naming the folder."""

    @force_init_env
    def add_image(self, name: str, image: np.ndarray, step: int = 0, **kwargs) -> None:
        """Write ``image`` (RGB uint8) as ``<name>_<step>.png``."""
        os.makedirs(self._img_save_dir, exist_ok=True)
        atomic_write_image(osp.join(self._img_save_dir, f'{name}_{step}.png'), Image.fromarray(image), 'PNG')
