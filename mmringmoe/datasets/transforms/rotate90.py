"""Random rotation by a multiple of 90 degrees (paper App. B.5.7: "random rotation and flipping")."""
import numpy as np
from mmcv.transforms import BaseTransform

from mmringmoe.registry import TRANSFORMS


@TRANSFORMS.register_module()
class RandomRotate90(BaseTransform):
    """Rotate ``img`` and every map of ``seg_fields`` by ``k x 90`` degrees, ``k`` drawn uniformly from 0-3
    with numpy's global generator (which mmengine seeds, as for mmcv's transforms).

    The paper does not state its angles. A right-angle rotation of a nadir orthophoto loses no pixel and
    invents none (an arbitrary angle leaves empty corners without a height), and with a horizontal and
    vertical ``RandomFlip`` it draws each of the 8 symmetries of the square. mmseg's ``RandomRotFlip`` does
    not serve: its right-angle branch always adds a flip (so it draws only the 4 reflections), its other
    branch rotates by arbitrary angles, and neither updates ``img_shape``.

    **Modified keys:** ``img``, the ``seg_fields`` maps, ``img_shape``; **added:** ``rotate90`` (``k``).
    """

    def transform(self, results: dict) -> dict:
        k = int(np.random.randint(4))
        results['img'] = np.ascontiguousarray(np.rot90(results['img'], k))
        for key in results.get('seg_fields', []):
            results[key] = np.ascontiguousarray(np.rot90(results[key], k))
        results['img_shape'] = results['img'].shape[:2]
        results['rotate90'] = k
        return results
