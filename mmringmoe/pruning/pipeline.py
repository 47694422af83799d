"""The steps that the ``tools/prune`` commands share: config, data, statistics, writing and reporting."""
import logging
import os.path as osp
from typing import Dict, Iterator, Mapping, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.logging import print_log
from tqdm import tqdm

from mmringmoe.datasets import ModalityTileDataset
from mmringmoe.datasets.transforms import InvalidRasterError, LoadRasterImage
from mmringmoe.utils.atomic_io import prepare_output_folder
from .checkpoint_io import plain_meta
from .conversion import Conversion, SourceCheckpoint, load_sub_model
from .frequencies import build_expert_stats, collect_expert_counts, layer_names


def load_config(path: str) -> Config:
    """The pretraining config (``model.backbone`` is the RingMoE, ``model.data_preprocessor`` the statistics).

    Raises:
        ValueError: unreadable, or without ``model.backbone``; the message names ``path``.
    """
    if not osp.isfile(path):
        raise ValueError(f'{path}: config not found')
    try:
        cfg = Config.fromfile(path)
    except Exception as err:  # mmengine raises many kinds (SyntaxError, KeyError, ImportError...)
        raise ValueError(f'{path}: cannot load the config ({type(err).__name__}: {err})') from err
    if not isinstance(cfg.get('model'), dict) or not isinstance(cfg.model.get('backbone'), dict):
        raise ValueError(f'{path}: no model.backbone in the config')
    return cfg


def normalization(cfg: Config, modalities: Sequence[str], channels: Mapping[str, int],
                  config: str) -> Dict[str, Tuple[torch.Tensor, torch.Tensor]]:
    """``{modality: (mean [C, 1, 1], std [C, 1, 1])}`` from ``model.data_preprocessor`` (mean / std dicts)."""
    preprocessor = cfg.model.get('data_preprocessor') or {}
    mean, std = preprocessor.get('mean') or {}, preprocessor.get('std') or {}
    stats = {}
    for m in modalities:
        if m not in mean or m not in std:
            raise ValueError(f'{config}: model.data_preprocessor has no mean/std for modality {m!r}')
        mu = torch.tensor(mean[m], dtype=torch.float32).view(-1, 1, 1)
        sigma = torch.tensor(std[m], dtype=torch.float32).view(-1, 1, 1)
        if mu.numel() != channels[m] or sigma.numel() != channels[m]:
            raise ValueError(
                f'{config}: the statistics of {m} have {mu.numel()} means and {sigma.numel()} stds, '
                f'the checkpoint\'s {m} patch embedding takes {channels[m]} channels')
        stats[m] = (mu, sigma)
    return stats


def parse_data_args(values: Sequence[str], modalities: Sequence[str]) -> Dict[str, str]:
    """``--data`` values (``DIR`` or ``MODALITY=DIR``) -> ``{modality: folder}``.

    A plain ``DIR`` gives ``DIR/<modality>`` to each modality that has such a folder (the layout of
    ``tools/dataset_converters/make_pretrain_tiles.py``), or ``DIR`` itself to a single modality.
    """
    folders = {}
    for value in values:
        name, sep, folder = value.partition('=')
        if sep and name in modalities:
            folders[name] = folder
            continue
        for m in modalities:
            if osp.isdir(osp.join(value, m)):
                folders.setdefault(m, osp.join(value, m))
        if len(modalities) == 1 and modalities[0] not in folders:
            folders[modalities[0]] = value
    missing = [m for m in modalities if m not in folders]
    if missing:
        raise ValueError(f'--data gives no folder for modality {missing} (use DIR with <modality>/ folders, '
                         f'or MODALITY=DIR)')
    for m, folder in folders.items():
        if not osp.isdir(folder):
            raise ValueError(f'--data: {folder} ({m}) is not a folder')
    return {m: folders[m] for m in modalities}


def tile_dataset(folder: str, modality: str, channels: int) -> ModalityTileDataset:
    """The tiles of ``folder`` (its ``<modality>.txt`` list when present, else every image below it)."""
    ann_file = osp.join(folder, f'{modality}.txt')
    return ModalityTileDataset(modality=modality,
                               ann_file=ann_file if osp.isfile(ann_file) else '',
                               data_prefix=dict(img_path=folder),
                               pipeline=[LoadRasterImage(expected_bands=channels)],
                               test_mode=True,
                               serialize_data=False)


def modality_batches(dataset: ModalityTileDataset,
                     mean: torch.Tensor,
                     std: torch.Tensor,
                     img_size: int,
                     batch_size: int,
                     max_images: Optional[int] = None,
                     device: str = 'cpu',
                     progress: bool = True) -> Iterator[torch.Tensor]:
    """Normalised ``[B, C, img_size, img_size]`` batches of a tile dataset, in list order.

    Tiles of another size are resized (bilinear, ``F.interpolate``: any channel count, unlike OpenCV's
    area resize). Invalid tiles (``InvalidRasterError``: unreadable, NaN, wrong band count) are skipped
    with a warning.
    """
    total = len(dataset) if max_images is None else min(max_images, len(dataset))
    images, skipped = [], 0
    for index in tqdm(range(total), desc=f'{dataset.modality} tiles', unit='img', disable=not progress):
        try:
            img = dataset[index]['img']
        except InvalidRasterError as err:
            skipped += 1
            print_log(f'skipped an invalid tile: {err}', logger='current', level=logging.WARNING)
            continue
        tensor = torch.from_numpy(img.reshape(img.shape[0], img.shape[1], -1)).permute(2, 0, 1).float()
        if tuple(tensor.shape[-2:]) != (img_size, img_size):
            tensor = F.interpolate(tensor[None],
                                   size=(img_size, img_size),
                                   mode='bilinear',
                                   align_corners=False)[0]
        images.append((tensor - mean) / std)
        if len(images) == batch_size:
            yield torch.stack(images).to(device)
            images = []
    if images:
        yield torch.stack(images).to(device)
    if skipped:
        print_log(f'{dataset.modality}: skipped {skipped} invalid tiles',
                  logger='current',
                  level=logging.WARNING)


def collect_stats(cfg: Config,
                  config: str,
                  source: SourceCheckpoint,
                  checkpoint: str,
                  modalities: Sequence[str],
                  data: Sequence[str],
                  img_size: Optional[int] = None,
                  batch_size: int = 8,
                  max_images: Optional[int] = None,
                  device: str = 'cpu') -> dict:
    """Run the tiles of each modality through the (sub-)model and return the statistics document (Eq. 15).

    Everything is validated (modalities, statistics, folders, tiles present) before the model is loaded.
    """
    source.check_modalities(modalities)
    channels = source.layout['modalities']
    norm = normalization(cfg, modalities, channels, config)
    folders = parse_data_args(data, modalities)
    datasets = {}
    for m in modalities:
        try:
            datasets[m] = tile_dataset(folders[m], m, channels[m])
        except (FileNotFoundError, ValueError) as err:
            raise ValueError(f'--data: {err}') from err
    size = img_size or source.kwargs.get('img_size')
    if not size:
        raise ValueError(f'{config}: model.backbone has no img_size; give --img-size')
    model = load_sub_model(source, modalities, device)
    images = {m: 0 for m in modalities}

    def batches():
        for m in modalities:
            for batch in modality_batches(datasets[m], *norm[m], size, batch_size, max_images, device):
                images[m] += batch.shape[0]
                yield batch, m
            if not images[m]:
                raise ValueError(f'--data: no valid {m} tile in {folders[m]}')

    counts = collect_expert_counts(model, batches())
    return build_expert_stats(layer_names(model),
                              counts,
                              modalities,
                              model.modalities,
                              model.rmoe_layers[0].top_k,
                              images,
                              config=osp.basename(config),
                              checkpoint=osp.basename(checkpoint),
                              data={m: folders[m]
                                    for m in modalities},
                              img_size=int(size))


def checkpoint_meta(conversion: Conversion, source: SourceCheckpoint, checkpoint: str, config: str,
                    **extra) -> dict:
    """The ``meta`` of a converted checkpoint: what it is, where it comes from, how to build it."""
    info = dict(name=conversion.name,
                source=osp.basename(checkpoint),
                config=osp.basename(config),
                backbone=conversion.backbone,
                parameters=dict(source=source.num_parameters, result=conversion.num_parameters),
                **conversion.info,
                **extra)
    return plain_meta(dict(mmringmoe=info))


def write_conversion(conversion: Conversion, out: str, meta: dict, source: SourceCheckpoint) -> str:
    """Write ``conversion`` to ``out`` and return the report line (parameters before and after)."""
    conversion.write(out, meta)
    before, after = source.num_parameters, conversion.num_parameters
    return (f'{conversion.name}: {source.num_parameters:,} parameters ({before / 1e9:.3f}B) -> {after:,} '
            f'({after / 1e9:.3f}B, {100 * (after - before) / before:+.1f}%) written to {out}')


def backbone_snippet(conversion: Conversion, checkpoint: str, comment: str) -> str:
    """A config file defining ``backbone = dict(...)`` that loads ``checkpoint``."""
    backbone = dict(conversion.backbone, init_cfg=dict(type='Pretrained', checkpoint=osp.abspath(checkpoint)))
    lines = ''.join(f'# {line}\n' for line in comment.splitlines())
    body = ''.join(f'    {key}={_python(value)},\n' for key, value in backbone.items())
    return f'{lines}backbone = dict(\n{body})\n'


def _python(value) -> str:
    """``value`` as config source: dicts as ``dict(k=v)``, the rest as ``repr``."""
    if isinstance(value, dict) and all(isinstance(k, str) and k.isidentifier() for k in value):
        return 'dict(' + ', '.join(f'{k}={_python(v)}' for k, v in value.items()) + ')'
    return repr(value)


def check_new_paths(paths: Sequence[Optional[str]]) -> None:
    """Before any work: raise ``ValueError`` if an output path exists; create the missing folders (as
    tools/train.py creates its work dir) and raise :class:`~mmringmoe.utils.atomic_io.OutputWriteError` if
    a file cannot be created in one."""
    paths = [path for path in paths if path is not None]
    for path in paths:
        if osp.exists(path):
            raise ValueError(f'{path} exists; refusing to overwrite it')
    for path in paths:
        prepare_output_folder(osp.dirname(osp.abspath(path)))
