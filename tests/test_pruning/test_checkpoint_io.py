import os
import zipfile

import pytest
import torch
from mmengine.runner.checkpoint import CheckpointLoader

from mmringmoe.pruning.checkpoint_io import (CheckpointReader, CheckpointWriter, StateDictReader,
                                             iter_experts, state_dict_specs)


def _tensors():
    bank = torch.randn(4, 6, 5)
    return {
        'bank': bank,
        'view': bank[1:3, :, 2],  # a non-contiguous view sharing the bank's storage
        'half': torch.randn(7).to(torch.bfloat16),
        'index': torch.arange(12).view(3, 4),
        'scalar': torch.tensor(2.5),
        'empty': torch.empty(0, 3),
    }


@pytest.fixture
def checkpoint(tmp_path):
    tensors = _tensors()
    path = tmp_path / 'model.pth'
    state = {f'backbone.{k}': v for k, v in tensors.items()}
    state['neck.weight'] = torch.ones(2)
    torch.save({'state_dict': state, 'meta': {'epoch': 3}, 'optimizer': {'state': {}}}, path)
    return path, tensors


def test_reader_reads_every_tensor_exactly_and_strips_the_backbone_prefix(checkpoint):
    path, tensors = checkpoint
    with CheckpointReader(str(path)) as reader:
        assert reader.keys() == list(tensors)
        assert reader.dropped_keys == ['neck.weight']
        assert reader.meta == {'epoch': 3}
        for key, value in tensors.items():
            read = reader.read(key)
            assert read.dtype == value.dtype and torch.equal(read, value), key
            assert reader.spec(key).shape == tuple(value.shape)


def test_reader_reads_single_rows_of_a_bank(checkpoint):
    path, tensors = checkpoint
    with CheckpointReader(str(path)) as reader:
        assert torch.equal(reader.read('bank', rows=[3, 1]), tensors['bank'][[3, 1]])
        assert torch.equal(reader.read('view', rows=[1]), tensors['view'][[1]])
        experts = list(iter_experts(reader, 'bank'))
        assert len(experts) == 4 and all(torch.equal(e, tensors['bank'][i]) for i, e in enumerate(experts))
        with pytest.raises(IndexError):
            reader.read('bank', rows=[4])


def test_reader_without_prefix_keys_keeps_everything(tmp_path):
    torch.save({'a.weight': torch.ones(3)}, tmp_path / 'plain.pth')
    with CheckpointReader(str(tmp_path / 'plain.pth')) as reader:
        assert reader.keys() == ['a.weight'] and reader.dropped_keys == []


@pytest.mark.parametrize('content', [b'not a checkpoint', None])
def test_reader_rejects_non_checkpoints_with_the_file_name(tmp_path, content):
    path = tmp_path / 'bad.pth'
    if content is None:
        torch.save({'state_dict': {'a': [1, 2]}}, path)  # no tensor at all
    else:
        path.write_bytes(content)
    with pytest.raises(ValueError, match='bad.pth'):
        CheckpointReader(str(path))


def test_state_dict_reader_selects_rows():
    bank = torch.randn(4, 2, 3)
    reader = StateDictReader({'bank': bank})
    assert torch.equal(reader.read('bank', rows=[2, 0]), bank[[2, 0]])


def test_writer_output_is_a_valid_torch_checkpoint_and_zip(tmp_path):
    tensors = {k: v.contiguous() for k, v in _tensors().items()}
    path = tmp_path / 'out.pth'
    with CheckpointWriter(str(path), state_dict_specs(tensors), {'mmringmoe': {
            'name': 'x',
            'ranks': [1, 2]
    }}) as w:
        for key in reversed(list(tensors)):  # any order
            w.write(key, tensors[key])
    assert zipfile.ZipFile(path).testzip() is None  # every CRC-32 filled in
    loaded = torch.load(path, weights_only=True)
    assert loaded['meta'] == {'mmringmoe': {'name': 'x', 'ranks': [1, 2]}}
    assert list(loaded['state_dict']) == list(tensors)
    assert all(torch.equal(loaded['state_dict'][k], v) for k, v in tensors.items())
    via_mmengine = CheckpointLoader.load_checkpoint(str(path), map_location='cpu')
    assert all(torch.equal(via_mmengine['state_dict'][k], v) for k, v in tensors.items())
    assert [p.name for p in tmp_path.iterdir()] == ['out.pth']  # no temporary file left


def test_writer_refuses_an_existing_target_and_leaves_nothing_on_failure(tmp_path):
    tensors = {'a': torch.ones(3), 'b': torch.zeros(2)}
    existing = tmp_path / 'exists.pth'
    existing.write_bytes(b'keep me')
    with pytest.raises(FileExistsError, match='exists.pth'):
        CheckpointWriter(str(existing), state_dict_specs(tensors))
    assert existing.read_bytes() == b'keep me'

    target = tmp_path / 'new.pth'
    with pytest.raises(RuntimeError, match='not written'):
        with CheckpointWriter(str(target), state_dict_specs(tensors)) as writer:
            writer.write('a', tensors['a'])  # 'b' never written
    with pytest.raises(ValueError, match='planned'):
        with CheckpointWriter(str(target), state_dict_specs(tensors)) as writer:
            writer.write('a', torch.ones(4))
    assert sorted(os.listdir(tmp_path)) == ['exists.pth']
