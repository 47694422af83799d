"""MultiModalDataset: per-modality configs concatenated, modality ranges, items keep their modality."""
import pytest

from mmringmoe.datasets import ModalityTileDataset, MultiModalDataset
from mmringmoe.registry import DATASETS


def list_dataset(tmp_path, modality, n):
    """A ModalityTileDataset config over a list file of ``n`` tile names (never opened here)."""
    (tmp_path / f'{modality}.txt').write_text(''.join(f'{modality}_{i}.tif\n' for i in range(n)))
    return dict(type='ModalityTileDataset', ann_file=str(tmp_path / f'{modality}.txt'),
                data_prefix=dict(img_path=str(tmp_path)))


def test_dict_of_configs_gives_modalities_and_ranges(tmp_path):
    ds = DATASETS.build(dict(
        type='mmringmoe.MultiModalDataset',
        datasets=dict(opt=list_dataset(tmp_path, 'opt', 3), sar_l1=list_dataset(tmp_path, 'sar_l1', 2))))
    assert ds.modalities == ['opt', 'sar_l1']
    assert ds.modality_ranges == {'opt': range(0, 3), 'sar_l1': range(3, 5)}
    assert len(ds) == 5
    assert [ds.get_data_info(i)['modality'] for i in range(5)] == ['opt'] * 3 + ['sar_l1'] * 2
    assert ds.get_data_info(4)['img_path'].endswith('sar_l1_1.tif')
    assert ds.metainfo['modalities'] == ['opt', 'sar_l1']
    assert ds.num_skipped == {'opt': 0, 'sar_l1': 0}


def test_list_of_built_datasets(tmp_path):
    built = [DATASETS.build(dict(list_dataset(tmp_path, m, 1), modality=m)) for m in ('ms', 'sar_l2')]
    ds = MultiModalDataset(built)
    assert ds.modalities == ['ms', 'sar_l2'] and isinstance(ds.datasets[0], ModalityTileDataset)


def test_duplicate_or_conflicting_modalities_fail(tmp_path):
    cfg = dict(list_dataset(tmp_path, 'opt', 1), modality='opt')
    with pytest.raises(ValueError, match='duplicate'):
        MultiModalDataset([cfg, cfg])
    with pytest.raises(ValueError, match="'opt'"):
        MultiModalDataset(dict(ms=cfg))
