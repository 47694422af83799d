"""make_demo_pretrain_data.py: four modalities in their real formats, tiled, loadable, deterministic."""
import importlib.util
import os.path as osp
import sys

import numpy as np
import pytest
import rasterio

from mmringmoe.datasets import LoadRasterImage

TOOLS = osp.join(osp.dirname(__file__), '..', '..', 'tools', 'dataset_converters')


def load_tool(name):
    spec = importlib.util.spec_from_file_location(name, osp.join(TOOLS, f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


demo = load_tool('make_demo_pretrain_data')

FORMATS = dict(opt=(3, 'uint8', np.uint8), ms=(4, 'uint8', np.uint8), sar_l1=(4, 'complex_int16', np.int16),
               sar_l2=(1, 'uint8', np.uint8))
CHANNELS = dict(opt=3, ms=4, sar_l1=8, sar_l2=1)


@pytest.fixture(scope='module')
def demo_dir(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('demo'))
    lists = demo.make_demo(out, scenes=2, size=128, tile=64, step=32, seed=5, show_progress=False)
    return out, lists


def test_all_modalities_tiled_and_loadable(demo_dir):
    out, lists = demo_dir
    assert sorted(lists) == sorted(CHANNELS)
    for modality, list_path in lists.items():
        assert list_path == osp.join(out, modality, f'{modality}.txt')
        with open(list_path) as f:
            tiles = f.read().splitlines()
        assert 0 < len(tiles) <= 2 * 3 * 3  # 3 x 3 windows per 128-px scene at tile 64, step 32
        for rel in tiles:
            results = LoadRasterImage(modality=modality, expected_bands=CHANNELS[modality], to_float32=False)(
                dict(img_path=osp.join(out, modality, rel)))
            img = results['img']
            assert img.shape == (64, 64, CHANNELS[modality]) and img.dtype == FORMATS[modality][2]
            assert results['crs'] is not None and results['modality'] == modality
            # The tiler dropped tiles with over 30% border; a SAR-L1 pixel may also have one band at 0 + 0j.
            assert results['nodata_mask'].mean() <= 0.31


def test_scenes_have_the_real_formats_and_a_nodata_border(demo_dir):
    out, _ = demo_dir
    for modality, (count, dtype, _) in FORMATS.items():
        with rasterio.open(osp.join(out, 'scenes', modality, f'{modality}_01.tif')) as src:
            assert (src.count, src.dtypes[0], src.nodata) == (count, dtype, 0)
            assert src.crs.to_epsg() == 32650
            pixels = src.read()
            descriptions = src.descriptions
        border = (pixels == 0).all(axis=0)
        assert 0.02 < border.mean() < 0.3
        valid = pixels[:, ~border]
        assert valid.std() > 0  # structure, not a constant
        if modality == 'sar_l1':
            assert descriptions == ('HH', 'HV', 'VH', 'VV')
            assert (valid.real < 0).any() and (np.abs(valid.real) > 255).any()  # signed, beyond 8 bits


def test_same_seed_same_data_other_seed_other_data(demo_dir, tmp_path):
    out, _ = demo_dir
    again = str(tmp_path / 'again')
    other = str(tmp_path / 'other')
    demo.make_demo(again, scenes=2, size=128, tile=64, step=32, seed=5, show_progress=False)
    demo.make_demo(other, scenes=2, size=128, tile=64, step=32, seed=6, show_progress=False)

    def scene(root):
        with rasterio.open(osp.join(root, 'scenes', 'sar_l1', 'sar_l1_00.tif')) as src:
            return src.read()

    np.testing.assert_array_equal(scene(out), scene(again))
    assert not np.array_equal(scene(out), scene(other))
    for modality in CHANNELS:
        with open(osp.join(out, modality, f'{modality}.txt')) as a, \
                open(osp.join(again, modality, f'{modality}.txt')) as b:
            assert a.read() == b.read()


def test_cli(tmp_path, capsys):
    out = str(tmp_path / 'cli')
    assert demo.main(['--out', out, '--scenes', '1', '--size', '64', '--tile', '32', '--step', '32']) == 0
    assert 'sar_l1:' in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:  # the folder holds data of other settings
        demo.main(['--out', out, '--scenes', '1', '--size', '64', '--tile', '32', '--step', '32',
                   '--seed', '1'])
    assert 'delete it' in str(info.value.code)
    with pytest.raises(SystemExit) as info:
        demo.main(['--out', out, '--size', '16', '--tile', '32'])
    assert info.value.code == 2


def neighbour_error_ratio(slc: np.ndarray, block: int = 16) -> float:
    """How well the SAR-L1 target of a masked ``block`` px patch can be inferred from what surrounds it.

    The target is Eq. 5's power as the head computes it, ``log(|HH|^2 + |HV|^2 + |VH|^2 + |VV|^2 + 1)``. Each
    block of valid pixels is predicted by the mean log-power of its valid 4-neighbour blocks; returns that
    prediction's squared error over the error of predicting the scene's mean (1: nothing to infer).
    """
    size = slc.shape[-1]
    n = size // block
    log_power = np.log((np.abs(slc.astype(np.complex128))**2).sum(axis=0) + 1.0)
    blocks = log_power.reshape(n, block, n, block).swapaxes(1, 2)
    valid = (slc != 0).any(axis=0).reshape(n, block, n, block).swapaxes(1, 2).all(axis=(2, 3))
    means = np.pad(np.where(valid, blocks.mean(axis=(2, 3)), np.nan), 1, constant_values=np.nan)
    neighbours = np.stack([means[:-2, 1:-1], means[2:, 1:-1], means[1:-1, :-2], means[1:-1, 2:]])
    with np.errstate(all='ignore'):  # a block without a valid neighbour: NaN, not used
        prediction = np.nanmean(neighbours, axis=0)
    used = valid & ~np.isnan(prediction)
    error = ((blocks[used] - prediction[used][:, None, None])**2).mean()
    return float(error / ((blocks[used] - blocks[used].mean())**2).mean())


def test_sar_l1_power_has_structure_that_a_masked_patch_can_be_inferred_from():
    """The demo's SAR-L1 is not i.i.d. speckle: the land cover shapes its power, so a masked 16 px patch's
    power target is predictable from its neighbours (about half the mean predictor's error at the default
    384 px scenes), the way the other modalities' pixels are."""
    for seed in range(3):
        rng = np.random.default_rng([seed, 2, 0])  # make_demo's generator for SAR-L1 scene 0
        slc = demo.render('sar_l1', demo.land_cover(rng, 384), rng)
        assert neighbour_error_ratio(slc) < 0.7
    # Control: the same speckle over one uniform land cover leaves nothing to infer.
    rng = np.random.default_rng(0)
    uniform = dict(classes=np.zeros((384, 384), dtype=int), road=np.zeros((384, 384), dtype=bool),
                   field=np.ones((384, 384)), nodata=np.zeros((384, 384), dtype=bool))
    assert neighbour_error_ratio(demo.render('sar_l1', uniform, rng)) > 0.95
