"""ModalityBatchSampler: exact per-batch counts, cycling, seeds and epochs, per-rank disjoint streams."""
from collections import Counter

import pytest
from mmengine.dataset import DefaultSampler

from mmringmoe.datasets import ModalityBatchSampler, MultiModalDataset
from mmringmoe.datasets.samplers.modality_batch_sampler import allocate_batch
from mmringmoe.registry import DATA_SAMPLERS

SIZES = dict(opt=20, ms=3, sar_l1=7, sar_l2=5)
PROPORTIONS = dict(opt=2, ms=1, sar_l1=1, sar_l2=0)


@pytest.fixture
def dataset(tmp_path):
    datasets = {}
    for modality, n in SIZES.items():
        (tmp_path / f'{modality}.txt').write_text(''.join(f'{modality}_{i}.tif\n' for i in range(n)))
        datasets[modality] = dict(type='ModalityTileDataset', ann_file=str(tmp_path / f'{modality}.txt'),
                                  data_prefix=dict(img_path=str(tmp_path)))
    return MultiModalDataset(datasets)


def build(dataset, batch_size=4, proportions=PROPORTIONS, seed=0, **kwargs):
    return DATA_SAMPLERS.build(
        dict(type='mmringmoe.ModalityBatchSampler', proportions=proportions, **kwargs),
        default_args=dict(sampler=DefaultSampler(dataset, shuffle=True, seed=seed), batch_size=batch_size))


def modalities(dataset, batch):
    return [dataset.get_data_info(i)['modality'] for i in batch]


def test_every_batch_holds_the_proportions(dataset):
    sampler = build(dataset)
    batches = list(sampler)
    assert len(batches) == len(sampler) == 10  # opt: 20 tiles, 2 per batch
    for batch in batches:
        assert modalities(dataset, batch) == ['opt', 'opt', 'ms', 'sar_l1']
    opt = [i for b in batches for i in b[:2]]
    assert sorted(opt) == list(dataset.modality_ranges['opt'])  # the longest modality is seen once


def test_shorter_modalities_cycle_through_fresh_permutations(dataset):
    ms = list(dataset.modality_ranges['ms'])
    drawn = [b[2] for b in build(dataset)]  # 10 MS draws from 3 tiles
    for start in (0, 3, 6):
        assert sorted(drawn[start:start + 3]) == ms
    assert drawn[9] in ms


def test_weights_are_scaled_to_the_batch_size(dataset):
    sampler = build(dataset, batch_size=8)
    assert sampler.counts == {'opt': 4, 'ms': 2, 'sar_l1': 2}
    assert all(Counter(modalities(dataset, b)) == Counter(opt=4, ms=2, sar_l1=2) for b in sampler)
    assert allocate_batch(dict(a=1, b=1, c=1), 4) == dict(a=2, b=1, c=1)
    assert sum(allocate_batch(dict(a=0.7, b=0.2, c=0.1), 7).values()) == 7


def test_seed_and_epoch_reproducibility(dataset):
    first, again, other = build(dataset, seed=3), build(dataset, seed=3), build(dataset, seed=4)
    assert list(first) == list(again)
    assert list(first) != list(other)
    epoch0 = list(first)
    assert list(first) == epoch0  # same epoch, same batches
    first.sampler.set_epoch(1)  # what mmengine's loops and DistSamplerSeedHook call
    epoch1 = list(first)
    assert epoch1 != epoch0
    again.set_epoch(1)
    assert list(again) == epoch1


def test_ranks_get_disjoint_batches(dataset):
    ranks = [build(dataset, rank=r, world_size=2) for r in range(2)]
    assert len(ranks[0]) == len(ranks[1]) == 5
    per_rank = [list(r) for r in ranks]
    opt = [{i for b in batches for i in b[:2]} for batches in per_rank]
    assert opt[0].isdisjoint(opt[1]) and opt[0] | opt[1] == set(dataset.modality_ranges['opt'])
    # SAR-L1 (7 tiles): its first pass is split between the ranks, 3 and 4 draws, without overlap.
    sar = [[b[3] for b in batches] for batches in per_rank]
    assert set(sar[0][:3]).isdisjoint(sar[1][:3])
    assert per_rank[0] != per_rank[1]


def test_bad_configurations_fail_clearly(dataset):
    with pytest.raises(ValueError, match='lacks'):
        build(dataset, proportions=dict(opt=1, hsi=1))
    with pytest.raises(ValueError, match='too small'):
        build(dataset, batch_size=2, proportions=dict(opt=10, ms=1))
    with pytest.raises(TypeError, match='MultiModalDataset'):
        ModalityBatchSampler(DefaultSampler(list(range(4)), seed=0), 4, dict(opt=1))
