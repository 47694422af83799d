"""tools/analysis_tools/pretrain_stats.py: per-modality statistics and the SAR-L1 log-power statistics."""
import importlib.util
import json
import os.path as osp

import numpy as np
import pytest
import rasterio

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def load_tool():
    path = osp.join(ROOT, 'tools', 'analysis_tools', 'pretrain_stats.py')
    spec = importlib.util.spec_from_file_location('pretrain_stats', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_tiles(root, modality, tiles, dtype, nodata=None):
    folder = root / modality
    folder.mkdir()
    names = []
    for i, pixels in enumerate(tiles):
        names.append(f't{i}.tif')
        with rasterio.open(folder / names[-1], 'w', driver='GTiff', width=pixels.shape[2],
                           height=pixels.shape[1], count=pixels.shape[0], dtype=dtype, nodata=nodata) as dst:
            dst.write(pixels)
    (folder / f'{modality}.txt').write_text('\n'.join(names) + '\n')


def test_statistics_match_numpy(tmp_path, capsys):
    rng = np.random.default_rng(0)
    opt = [rng.integers(1, 255, (3, 8, 8)).astype(np.uint8) for _ in range(2)]
    opt[1][:, :2, :] = 0  # nodata rows are left out
    slc = [(rng.normal(size=(4, 8, 8)) + 1j * rng.normal(size=(4, 8, 8))) * 100 for _ in range(2)]
    slc = [np.complex64(np.round(s.real) + 1j * np.round(s.imag)) for s in slc]
    write_tiles(tmp_path, 'opt', opt, 'uint8', nodata=0)
    write_tiles(tmp_path, 'sar_l1', slc, 'complex_int16')
    out = tmp_path / 'stats.json'
    assert load_tool().main([str(tmp_path), '--modalities', 'opt', 'sar_l1', '--out', str(out)]) == 0
    stats = json.loads(out.read_text())

    valid = np.concatenate([opt[0].reshape(3, -1), opt[1][:, 2:, :].reshape(3, -1)], axis=1)
    valid = valid.astype(np.float64)
    np.testing.assert_allclose(stats['opt']['mean'], valid.mean(axis=1), atol=1e-4)
    np.testing.assert_allclose(stats['opt']['std'], valid.std(axis=1), atol=1e-4)
    parts = np.concatenate([np.stack([s.real, s.imag], axis=1).reshape(8, -1) for s in slc], axis=1)
    np.testing.assert_allclose(stats['sar_l1']['mean'], parts.mean(axis=1), atol=1e-4)
    log_power = np.log((parts.astype(np.float64)**2).sum(axis=0) + 1.0)
    assert stats['sar_l1']['power_norm'] == pytest.approx(
        dict(log=True, eps=1.0, mean=log_power.mean(), std=log_power.std()), abs=1e-4)
    printed = capsys.readouterr().out
    assert 'model.data_preprocessor.mean' in printed and 'model.head.power_norm' in printed


def test_missing_list_file_is_one_clear_line(tmp_path):
    with pytest.raises(SystemExit, match=r'pretrain_stats: ms: list file not found: .*ms\.txt'):
        load_tool().main([str(tmp_path), '--modalities', 'ms'])
