"""init_cfg loading of the backbones (issue 18.1-18.2): either key layout, with or without ``prefix``; a file
that does not fit stops with one line; RingMoE-EP takes ``modality`` and reads its layout from the file."""
import pytest
import torch

from mmringmoe.models.backbones import RingMoE, RingMoEEP, RingMoEKC
from mmringmoe.utils.checkpoint_files import CheckpointError

TINY = dict(arch='tiny', window_size=4, drop_path_rate=0., pad_small_map=True)


def _save(path, state, prefix=''):
    torch.save({'meta': {}, 'state_dict': {prefix + k: v for k, v in state.items()}}, path)
    return str(path)


def _one_line_error(build_and_init) -> str:
    with pytest.raises(CheckpointError) as error:
        build_and_init()
    assert '\n' not in str(error.value)
    return str(error.value)


@pytest.fixture
def merged(tmp_path):
    """A RingMoE-KC backbone file as tools/prune/prune.py --to kc writes it: keys without a prefix, and the
    output norm of pretraining's out_indices=(3, ) only."""
    source = RingMoEKC(modality='opt', out_indices=(3, ), **TINY)
    return source, _save(tmp_path / 'ringmoe-kc_opt.pth', source.state_dict())


@pytest.mark.parametrize('prefix', [None, 'backbone.'])
@pytest.mark.parametrize('layout', ['backbone file', 'whole model'])
def test_kc_loads_either_layout_with_or_without_prefix(merged, tmp_path, prefix, layout):
    source, path = merged
    if layout == 'whole model':
        state = dict({f'backbone.{k}': v for k, v in source.state_dict().items()},
                     **{'decode_head.conv_seg.weight': torch.zeros(16, 64, 1, 1)})
        path = _save(tmp_path / 'whole.pth', state)
    init_cfg = dict(type='Pretrained', checkpoint=path, **({'prefix': prefix} if prefix else {}))
    model = RingMoEKC(modality='opt', out_indices=(0, 1, 2, 3), init_cfg=init_cfg, **TINY)
    model.init_weights()
    loaded = model.state_dict()
    compared = [k for k in source.state_dict() if 'relative_' not in k]
    assert compared and all(torch.equal(loaded[k], source.state_dict()[k]) for k in compared)


def test_kc_refuses_what_does_not_fit(tmp_path, merged):
    sparse = RingMoE(modalities=['opt'], num_specialized_experts=1, num_collaborative_experts=2, **TINY)
    sparse_path = _save(tmp_path / 'sparse.pth', sparse.state_dict())
    message = _one_line_error(lambda: RingMoEKC(
        modality='opt', init_cfg=dict(type='Pretrained', checkpoint=sparse_path), **TINY).init_weights())
    assert message.startswith(f'{sparse_path} does not fit the backbone RingMoEKC: ')
    assert 'missing (patch_embed.projection.weight' in message
    assert 'likely cause: a sparse RingMoE checkpoint (experts in every block) on a dense RingMoE-KC' \
        in message

    _, path = merged  # opt weights (3 input channels) into a 1-channel SAR-L2 backbone
    message = _one_line_error(lambda: RingMoEKC(
        modality='sar_l2', init_cfg=dict(type='Pretrained', checkpoint=path), **TINY).init_weights())
    assert ('patch_embed.projection.weight: [32, 3, 4, 4] in the file, [32, 1, 4, 4] in the model' in message
            and 'another arch, input channels (modality)' in message)

    (tmp_path / 'notes.pth').write_text('not weights')
    notes = str(tmp_path / 'notes.pth')
    message = _one_line_error(lambda: RingMoEKC(
        modality='opt', init_cfg=dict(type='Pretrained', checkpoint=notes), **TINY).init_weights())
    assert message == f'{tmp_path / "notes.pth"}: not a PyTorch checkpoint'


def test_ringmoe_refuses_a_file_with_nothing_in_common(tmp_path):
    path = _save(tmp_path / 'other.pth', {'encoder.weight': torch.zeros(3)})
    message = _one_line_error(lambda: RingMoE(
        modalities=['opt'], init_cfg=dict(type='Pretrained', checkpoint=path), **TINY).init_weights())
    assert message.startswith(f'{path} does not fit the backbone RingMoE: 0 of ')


@pytest.fixture
def sparse_two_modalities(tmp_path):
    """An upcycled-style sparse RingMoE of opt and sar_l2 (2 specialized, 3 collaborative experts)."""
    source = RingMoE(modalities=['opt', 'sar_l2'], num_specialized_experts=2, num_collaborative_experts=3,
                     with_shared_expert=True, **TINY)
    return source, _save(tmp_path / 'sparse.pth', source.state_dict())


def test_ep_takes_modality_and_reads_the_layout(sparse_two_modalities):
    """A config written for RingMoE-KC (``modality='opt'``) switches to RingMoE-EP by its type alone."""
    source, path = sparse_two_modalities
    model = RingMoEEP(modality='opt', init_cfg=dict(type='Pretrained', checkpoint=path, prefix='backbone.'),
                      **TINY)
    assert model.modality_channels == {'opt': 3} and model.num_specialized_experts == 2
    assert model.num_collaborative_experts == [3] * 8 and model.with_shared_expert
    model.init_weights()
    loaded, expected = model.state_dict(), source.state_dict()
    assert all(torch.equal(v, expected[k]) for k, v in loaded.items() if 'relative_' not in k)
    whole = RingMoEEP(init_cfg=dict(type='Pretrained', checkpoint=path), **TINY)
    assert whole.modality_channels == {'opt': 3, 'sar_l2': 1}


def test_ep_refuses_a_modality_or_file_it_cannot_use(sparse_two_modalities, merged):
    _, path = sparse_two_modalities
    message = _one_line_error(
        lambda: RingMoEEP(modality='ms', init_cfg=dict(type='Pretrained', checkpoint=path), **TINY))
    assert message == f"{path} has no modality 'ms' (it has ['opt', 'sar_l2'])"
    _, dense = merged
    message = _one_line_error(
        lambda: RingMoEEP(modality='opt', init_cfg=dict(type='Pretrained', checkpoint=dense), **TINY))
    assert message.startswith(f'RingMoE-EP: {dense}: not a RingMoE checkpoint') and 'RingMoE-KC' in message
    with pytest.raises(ValueError, match='modality .one name. or modalities, not both'):
        RingMoEEP(modality='opt', modalities=['opt'], num_collaborative_experts=[1] * 8, **TINY)
