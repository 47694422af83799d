"""Load and pack a 1-shot segmentation episode: a support and a query image with their masks of one class."""
import copy
from typing import List, Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.dataset import Compose
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmringmoe.registry import TRANSFORMS

EPISODE_ROLES = ('support', 'query')
IGNORE_INDEX = 255


def binary_class_mask(label: np.ndarray, cls: int, ignore_index: int = IGNORE_INDEX) -> np.ndarray:
    """A label map -> the episode's mask: 1 where ``label == cls``, ``ignore_index`` where the label is
    ignored, 0 elsewhere (every other class, the novel ones included, is background)."""
    mask = (label == cls).astype(np.uint8)
    mask[label == ignore_index] = ignore_index
    return mask


def image_tensor(img: np.ndarray) -> torch.Tensor:
    """A loaded image ``[H, W, C]`` (or ``[H, W]``) -> the model's channel-first tensor ``[C, H, W]``."""
    img = img[..., None] if img.ndim == 2 else img
    return torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))


@TRANSFORMS.register_module()
class LoadSegEpisode(BaseTransform):
    """Run the per-image ``transforms`` on the episode's support and query image, then reduce both labels to
    the episode class (:func:`binary_class_mask`).

    Reads ``results['support']`` and ``results['query']`` (the data infos of the two images, as the
    segmentation dataset lists them) and ``results['class_index']`` (the class in the dataset's encoding after
    the loading transforms, e.g. after LoveDA's ``reduce_zero_label``); writes ``support_img``,
    ``support_mask``, ``query_img``, ``query_mask`` and each image's path and shapes.

    Args:
        transforms (Sequence[dict]): loading and resizing of one image and its label, e.g. ``LoadRasterImage``,
            ``LoadSegAnnotations`` and ``Resize`` to the paper's input size. Both images get the same ones.
    """

    def __init__(self, transforms: Sequence[dict]) -> None:
        self.transforms = Compose(list(transforms))

    def load_image(self, info: dict) -> dict:
        """One image of the dataset (its data info, not modified) through ``transforms``: the results with
        ``img`` and the full label map ``gt_seg_map`` (every class, to be reduced per episode)."""
        image = self.transforms(copy.deepcopy(info))
        if image is None or 'gt_seg_map' not in image:
            raise ValueError(f'LoadSegEpisode: the transforms gave no label for {info["img_path"]} '
                             '(LoadSegAnnotations missing?)')
        return image

    def transform(self, results: dict) -> dict:
        for role in EPISODE_ROLES:
            image = self.load_image(results[role])
            results[f'{role}_img'] = image['img']
            results[f'{role}_mask'] = binary_class_mask(image['gt_seg_map'], int(results['class_index']))
            results[f'{role}_path'] = image['img_path']
            results[f'{role}_ori_shape'] = image['ori_shape']
        if results['support_img'].shape != results['query_img'].shape:
            raise ValueError(f'LoadSegEpisode: support {results["support_path"]} is {results["support_img"].shape} '
                             f'but query {results["query_path"]} is {results["query_img"].shape}; resize both '
                             'to one size')
        return results


@TRANSFORMS.register_module()
class PackSegEpisode(BaseTransform):
    """Pack an episode as the inputs of :class:`~mmringmoe.models.fewshot.PrototypeFewShotSegmentor`.

    ``inputs``: the support and the query image stacked channel-wise, ``[2 C, H, W]`` (support first; the
    data preprocessor normalises them with the statistics written twice). ``data_samples``: a
    ``SegDataSample`` whose ``gt_sem_seg`` is the query mask and ``support_sem_seg`` the support mask (both
    ``[1, H, W]``, 0/1/255), with ``img_path`` (the query), ``support_path``, ``fewshot_class`` (the class
    name), ``ori_shape`` and ``img_shape`` (the query's) in its metainfo.
    """

    def transform(self, results: dict) -> dict:
        images: List[torch.Tensor] = [image_tensor(results[f'{role}_img']) for role in EPISODE_ROLES]
        sample = SegDataSample(
            metainfo=dict(
                img_path=results['query_path'],
                support_path=results['support_path'],
                fewshot_class=results['class_name'],
                ori_shape=results['query_ori_shape'],
                img_shape=results['query_img'].shape[:2]))
        sample.gt_sem_seg = PixelData(data=torch.from_numpy(results['query_mask'][None].astype(np.int64)))
        sample.support_sem_seg = PixelData(data=torch.from_numpy(results['support_mask'][None].astype(np.int64)))
        return dict(inputs=torch.cat(images), data_samples=sample)
