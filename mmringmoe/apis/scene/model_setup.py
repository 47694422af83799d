"""Building the model of a config for scene inference, and what the config says about its input."""
from typing import List, Optional

import torch
from mmengine.config import Config
from mmengine.registry import MODELS, init_default_scope

from mmringmoe.engine.strict_checkpoint import checkpoint_fit_problem
from mmringmoe.utils.checkpoint_files import CheckpointError, read_checkpoint, state_dict_of
from .adapters.change import ChangeAdapter
from .adapters.det import DetAdapter
from .adapters.height import HeightAdapter
from .adapters.seg import SegAdapter


def build_model(cfg: Config, checkpoint: str, device: str) -> torch.nn.Module:
    """The config's model with ``checkpoint`` loaded, in eval mode on ``device``.

    The checkpoint must fit the model exactly (keys and shapes, SwinV2's re-created position buffers
    aside), as ``tools/test.py`` requires; it is read with ``weights_only=True``.

    Raises:
        CheckpointError: unreadable, or does not fit (one line with the likely cause).
    """
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    model = MODELS.build(cfg.model)
    problem = checkpoint_fit_problem(model, checkpoint, strict=True)
    if problem:
        raise CheckpointError(problem)
    state = state_dict_of(read_checkpoint(checkpoint), checkpoint)
    model.load_state_dict({k[len('module.'):] if k.startswith('module.') else k: v for k, v in state.items()},
                          strict=False)
    return model.to(device).eval()


def make_adapter(model: torch.nn.Module, cfg: Config, probs: Optional[str], score_threshold: float):
    """The task adapter of the model: height estimators, change detectors, segmentors (mmseg) and detectors
    (mmdet, mmrotate)."""
    from mmdet.models.detectors import BaseDetector
    from mmseg.models.segmentors import BaseSegmentor, DepthEstimator

    from mmringmoe.models.segmentors import SiameseEncoderDecoder
    if probs and (isinstance(model, DepthEstimator) or not isinstance(model, BaseSegmentor)):
        raise ValueError('--probs is for segmentation and change detection')
    if isinstance(model, DepthEstimator):
        return HeightAdapter(model)
    if isinstance(model, SiameseEncoderDecoder):
        return ChangeAdapter(model, cfg, probs)
    if isinstance(model, BaseSegmentor):
        return SegAdapter(model, cfg, probs)
    if isinstance(model, BaseDetector):
        return DetAdapter(model, cfg, score_threshold)
    raise ValueError(f'{type(model).__name__}: no scene inference for this kind of model (segmentors, change '
                     f'detectors, height estimators and detectors have one)')


def model_tile_size(cfg: Config) -> Optional[int]:
    """The model's input size from the config: the data preprocessor's ``size`` (segmentation) or the
    test pipeline's ``Resize`` scale (detection); None when the config has neither."""
    size = cfg.model.get('data_preprocessor', {}).get('size')
    if size:
        return int(max(size))
    for step in test_pipeline(cfg):
        if str(step.get('type', '')).split('.')[-1] == 'Resize' and step.get('scale'):
            scale = step['scale']
            return int(max(scale) if isinstance(scale, (list, tuple)) else scale)
    return None


def test_pipeline(cfg: Config) -> List[dict]:
    """The test dataset's pipeline (inside wrappers such as ``ConcatDataset``), or the config's
    ``test_pipeline``."""
    loader = cfg.get('test_dataloader') or cfg.get('val_dataloader') or {}
    dataset = loader.get('dataset', {})
    while 'pipeline' not in dataset and ('datasets' in dataset or 'dataset' in dataset):
        dataset = (dataset.get('datasets') or [dataset.get('dataset')])[0]
    return list(dataset.get('pipeline') or cfg.get('test_pipeline') or [])
