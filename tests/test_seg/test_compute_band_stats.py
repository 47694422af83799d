"""tools/analysis_tools/compute_band_stats.py: exact per-band mean/std, nodata left out, complex bands as
real and imaginary channels, config and glob modes, one-line errors."""
import json
import os.path as osp

import numpy as np
import pytest
import rasterio
from seg_layouts import REPO, SIZE, load_tool, make_sarsegl1

stats_tool = load_tool('tools/analysis_tools/compute_band_stats.py')


def test_glob_mode_matches_numpy_and_skips_nodata(tmp_path, capsys):
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 60000, (3, 16, 20)).astype(np.uint16) + 1 for _ in range(3)]
    images[1][:, :4, :] = 0  # nodata rows
    for i, bands in enumerate(images):
        with rasterio.open(
                tmp_path / f'{i}.tif',
                'w',
                driver='GTiff',
                width=20,
                height=16,
                count=3,
                dtype='uint16',
                nodata=0) as dst:
            dst.write(bands)
    out = tmp_path / 'stats' / 'stats.json'
    assert stats_tool.main(['--images', str(tmp_path / '*.tif'), '--bands', '3', '1', '--out', str(out)]) == 0
    pixels = np.concatenate([b[[2, 0]].reshape(2, -1)[:, b[0].reshape(-1) != 0] for b in images], axis=1)
    result = json.loads(out.read_text())
    np.testing.assert_allclose(result['mean'], pixels.astype(np.float64).mean(axis=1), rtol=1e-6)
    np.testing.assert_allclose(result['std'], pixels.astype(np.float64).std(axis=1), rtol=1e-6)
    assert result['pixels'] == 3 * 16 * 20 - 4 * 20 and result['images'] == 3
    assert 'mean=[' in capsys.readouterr().out


def test_config_mode_reads_complex_bands_as_real_and_imaginary(tmp_path):
    make_sarsegl1(str(tmp_path / 'data'), np.random.default_rng(0))
    out = tmp_path / 'stats.json'
    config = osp.join(REPO, 'configs', 'seg', 'upernet_ringmoe_kc_20k_sarsegl1-500x500.py')
    stats_tool.main(
        [config, '--out',
         str(out), '--cfg-options', f'train_dataloader.dataset.data_root={tmp_path}/data'])
    channels = []
    for path in sorted((tmp_path / 'data' / 'img_dir' / 'train').glob('*.tif')):
        with rasterio.open(path) as src:
            slc = src.read()
        channels.append(np.stack([slc.real, slc.imag], axis=1).reshape(8, -1))
    pixels = np.concatenate(channels, axis=1).astype(np.float64)
    result = json.loads(out.read_text())
    assert result['pixels'] == 2 * SIZE * SIZE
    np.testing.assert_allclose(result['mean'], pixels.mean(axis=1), atol=1e-5)
    np.testing.assert_allclose(result['std'], pixels.std(axis=1), rtol=1e-6)


def test_band_moments_merge_equals_one_pass():
    rng = np.random.default_rng(1)
    data = rng.normal(1e4, 3.0, (1000, 2))  # large mean, small spread: a naive sum of squares loses digits
    moments = stats_tool.BandMoments()
    for chunk in np.array_split(data, 7):
        moments.update(chunk)
    np.testing.assert_allclose(moments.mean, data.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(moments.std, data.std(axis=0), rtol=1e-9)


def test_bad_input_is_one_line(tmp_path):
    with pytest.raises(SystemExit, match='compute_band_stats: no file matches'):
        stats_tool.main(['--images', str(tmp_path / '*.tif')])
    config = osp.join(REPO, 'configs', 'seg', 'upernet_ringmoe_kc_isaid.py')
    with pytest.raises(SystemExit, match='compute_band_stats: dataset not found at /nowhere/iSAID: see docs'):
        stats_tool.main([config, '--cfg-options', 'train_dataloader.dataset.data_root=/nowhere/iSAID'])
    with pytest.raises(SystemExit):
        stats_tool.main([])  # neither a config nor --images
