"""Every config under configs/ feeds each modality's patch embedding its canonical channel order
(CANONICAL_BANDS): the raster loaders declare the file's channels (``file_channels``), the loaders built
from them output the canonical order, and the backbone embeds the modality the loader reads."""
from typing import Optional

import numpy as np
import pytest
import rasterio
from config_loaders import CONFIGS, fed_loaders, load_config, raster_loaders

from mmringmoe.datasets.transforms import LoadRasterImage
from mmringmoe.models.backbones.arch_zoo import CANONICAL_BANDS

# The paper's own exceptions: Potsdam's near-infrared, red, green through the opt embedding (App. B.5.2,
# "images that include near-infrared, red, and green spectral bands", following RingMo); Vaihingen's, the only
# bands it has, for height estimation (App. B.5.7, "three-channel (near-infrared, red, and green) images").
PAPER_ORDERS = {'potsdam': ('opt', ('NIR', 'R', 'G')),
                'vaihingen': ('opt', ('NIR', 'R', 'G'))}
DOWNSTREAM = [
    p for p in CONFIGS
    if p.startswith(('configs/seg', 'configs/cls', 'configs/det', 'configs/demo', 'configs/track', 'configs/change'))]


def order_problem(loader: dict, config: str) -> Optional[str]:
    """Why ``loader`` (LoadRasterImage arguments) does not feed its modality's canonical order, or None."""
    modality = loader.get('modality')
    if modality not in CANONICAL_BANDS:
        return f'modality {modality!r} is not one of {sorted(CANONICAL_BANDS)}'
    if loader.get('file_channels') is None:
        return 'the file\'s channels are not described (file_channels), so the order cannot be checked'
    order = LoadRasterImage(**loader).output_channels()
    allowed = {CANONICAL_BANDS[modality]}
    allowed |= {o for key, (m, o) in PAPER_ORDERS.items() if key in config and m == modality}
    if order not in allowed:
        return f'{modality} gets {order}, its canonical order is {CANONICAL_BANDS[modality]}'
    return None


def test_the_checker_flags_a_wrong_or_undescribed_order():
    rgbn = ('R', 'G', 'B', 'NIR')
    assert order_problem(dict(modality='ms', file_channels=rgbn), 'x.py') is None  # reordered to B, G, R, NIR
    assert 'canonical' in order_problem(dict(modality='ms', file_channels=rgbn, channel_order=rgbn), 'x.py')
    assert 'not described' in order_problem(dict(modality='ms', bands=[3, 2, 1, 4]), 'x.py')
    irrg = dict(modality='opt', file_channels=('NIR', 'R', 'G'), channel_order=('NIR', 'R', 'G'))
    assert order_problem(irrg, 'configs/_base_/datasets/potsdam_irrg.py') is None
    assert order_problem(irrg, 'configs/_base_/datasets/isaid.py') is not None


@pytest.mark.parametrize('path', CONFIGS)
def test_config_feeds_the_canonical_band_order(path):
    cfg = load_config(path)
    loaders = list(raster_loaders(cfg))
    if 'train_dataloader' in cfg or 'train_pipeline' in cfg:
        assert loaders, f'{path}: no raster loader found'
    problems = [f'{loader}: {problem}' for loader in loaders if (problem := order_problem(loader, path))]
    assert not problems, f'{path}:\n' + '\n'.join(problems)


def embeds(backbone: dict, modality: str) -> bool:
    """Whether a backbone config has a patch embedding for ``modality`` (a dense backbone: its one
    ``modality``; a sparse one: its ``modalities``, all by default)."""
    if 'modality' in backbone:
        return backbone['modality'] == modality
    return modality in backbone.get('modalities', CANONICAL_BANDS)


@pytest.mark.parametrize('path', DOWNSTREAM)
def test_downstream_backbones_embed_the_modality_they_are_fed(path):
    cfg = load_config(path)
    fed = [loader['modality'] for loader in fed_loaders(cfg)]
    model = cfg['model'].get('detector', cfg['model'])  # a tracker (ByteTrack) holds its detector's backbone
    backbones = [model['backbone']] + ([model['second_backbone']] if 'second_backbone' in model else [])
    if model['type'].endswith('SiameseEncoderDecoder'):  # change detection: one backbone sees both dates
        backbones *= 2
    assert len(fed) == len(backbones) and all(embeds(b, m) for b, m in zip(backbones, fed)), (fed, backbones)


@pytest.mark.parametrize('path', [p for p in CONFIGS if p.startswith('configs/pretrain')])
def test_pretraining_tiles_are_read_as_their_own_modality(path):
    datasets = load_config(path)['train_dataloader']['dataset']['datasets']
    assert set(datasets) == set(CANONICAL_BANDS)
    for modality, dataset in datasets.items():
        assert [loader['modality'] for loader in raster_loaders(dataset['pipeline'])] == [modality]


def write_named_channels(path: str, names, complex_bands: bool) -> None:
    """A raster whose i-th channel (a complex band: two) holds the value i + 1 everywhere."""
    values = np.arange(1, len(names) + 1, dtype=np.float32)[:, None, None] * np.ones((1, 4, 4), np.float32)
    if complex_bands:
        values = (values[0::2] + 1j * values[1::2]).astype(np.complex64)
    with rasterio.open(path, 'w', driver='GTiff', width=4, height=4, count=values.shape[0],
                       dtype=values.dtype.name) as dst:
        dst.write(values)


def test_every_config_loader_outputs_what_it_declares(tmp_path):
    """Each distinct loader of the configs, run on a file laid out as its ``file_channels`` say, puts every
    named channel where ``output_channels`` says (complex SAR-L1 files included)."""
    loaders = {repr(sorted(loader.items())): loader for path in CONFIGS for loader in
               raster_loaders(load_config(path))}
    assert {loader['modality'] for loader in loaders.values()} == set(CANONICAL_BANDS)
    for i, loader in enumerate(loaders.values()):
        names = tuple(loader['file_channels'])
        transform = LoadRasterImage(**loader)
        for complex_bands in {False, loader['modality'] == 'sar_l1'}:
            path = str(tmp_path / f'{i}_{complex_bands}.tif')
            write_named_channels(path, names, complex_bands)
            img = transform(dict(img_path=path))['img']
            expected = [names.index(c) + 1 for c in transform.output_channels()]
            assert img[0, 0].tolist() == expected, loader
