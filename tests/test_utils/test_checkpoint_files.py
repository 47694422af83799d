"""Reading checkpoint files (one-line reasons, never torch's weights_only=False advice) and key comparison."""
import collections
import pickle
import random
import zipfile

import pytest
import torch

from mmringmoe.utils.checkpoint_files import (CheckpointError, checkpoint_shapes, compare_keys, fit_message,
                                              likely_cause, read_checkpoint, strip_prefix)


class NotAllowed(collections.OrderedDict):
    """A class that weights_only loading does not know."""


def _message(path) -> str:
    with pytest.raises(CheckpointError) as error:
        read_checkpoint(str(path))
    message = str(error.value)
    assert '\n' not in message and 'weights_only' not in message.replace('(weights_only) refuses', '')
    return message


def test_files_that_are_not_checkpoints_say_so(tmp_path):
    good = tmp_path / 'good.pth'
    torch.save({'state_dict': {'w': torch.zeros(1000)}}, good)
    data = good.read_bytes()
    files = {
        'random.pth': random.Random(0).randbytes(4096),
        'notes.pth': b'just some text\n' * 50,
        'pickled.pth': pickle.dumps({'a': 1}, protocol=4),  # torch's own message is the weights_only advice
        'empty.pth': b'',
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
        expected = 'not a PyTorch checkpoint' if content else 'an empty file, not a PyTorch checkpoint'
        assert _message(tmp_path / name) == f'{tmp_path / name}: {expected}'
    (tmp_path / 'half.pth').write_bytes(data[:len(data) // 2])
    assert _message(tmp_path / 'half.pth').endswith(
        ': a truncated or corrupt PyTorch checkpoint (its zip archive is incomplete)')
    with zipfile.ZipFile(tmp_path / 'archive.pth', 'w') as archive:
        archive.writestr('readme.txt', 'hello')
    assert _message(tmp_path / 'archive.pth').endswith(': a zip archive, not a PyTorch checkpoint')
    assert _message(tmp_path / 'missing.pth').endswith(': no such checkpoint file')


def test_an_unsafe_object_is_named_and_still_refused(tmp_path):
    path = tmp_path / 'unsafe.pth'
    torch.save({'state_dict': {'w': torch.zeros(2)}, 'extra': NotAllowed(a=1)}, path)
    message = _message(path)
    assert 'test_checkpoint_files.NotAllowed object, which safe loading (weights_only) refuses' in message


def test_shapes_are_read_without_the_data(tmp_path):
    state = {'a.w': torch.ones(4, 2), 'a.b': torch.ones(4)}
    torch.save({'meta': {'iter': 3}, 'state_dict': state}, tmp_path / 'x.pth')
    assert checkpoint_shapes(str(tmp_path / 'x.pth')) == {'a.w': (4, 2), 'a.b': (4, )}
    torch.save([torch.ones(1)], tmp_path / 'list.pth')
    with pytest.raises(CheckpointError, match='without a state dict of tensors'):
        checkpoint_shapes(str(tmp_path / 'list.pth'))


def test_strip_prefix_takes_either_layout():
    whole = {'backbone.a': 1, 'backbone.b': 2, 'decode_head.c': 3}
    assert strip_prefix(whole, 'backbone.') == {'a': 1, 'b': 2}
    assert strip_prefix({'a': 1, 'b': 2}, 'backbone.') == {'a': 1, 'b': 2}


SEG_MODEL = {
    'backbone.patch_embed.projection.weight': (32, 3, 4, 4),
    'backbone.stages.0.blocks.0.ffn.layers.0.0.weight': (128, 32),
    'backbone.stages.0.blocks.0.attn.w_msa.relative_position_index': (16, 16),
    'decode_head.conv_seg.weight': (16, 64, 1, 1),
}


def _dense_backbone_file():
    return {k[len('backbone.'):]: v for k, v in SEG_MODEL.items() if k.startswith('backbone.')}


def test_compare_keys_ignores_position_buffers_and_reports_shapes():
    ckpt = dict(SEG_MODEL, **{'decode_head.conv_seg.weight': (8, 64, 1, 1), 'fusion.w': (3, )})
    del ckpt['backbone.stages.0.blocks.0.attn.w_msa.relative_position_index']
    fit = compare_keys(SEG_MODEL, ckpt)
    assert fit.matched == list(SEG_MODEL)[:2] and fit.missing == [] and fit.unexpected == ['fusion.w']
    assert fit.mismatched == [('decode_head.conv_seg.weight', (8, 64, 1, 1), (16, 64, 1, 1))]
    assert not fit.exact and compare_keys(SEG_MODEL, SEG_MODEL).exact
    assert fit.summary() == ('2 of 3 model keys match; 1 unexpected (fusion.w); 1 of another shape '
                             '(decode_head.conv_seg.weight: [8, 64, 1, 1] in the file, [16, 64, 1, 1] in the '
                             'model)')


@pytest.mark.parametrize('checkpoint, cause', [
    (_dense_backbone_file(), "a backbone file (keys without 'backbone.'"),
    ({'model.' + k: v for k, v in SEG_MODEL.items()}, "the file's keys carry the prefix 'model.'"),
    ({'backbone.mask_token': (1, 1, 32), 'backbone.stages.0.blocks.0.ffn.collaborative_experts.fc1_weight':
      (4, 128, 32), 'neck.decoders.opt.0.weight': (48, 256, 1, 1)}, 'a RingMoE pretraining checkpoint'),
    ({'backbone.patch_embed.opt.projection.weight': (32, 3, 4, 4),
      'backbone.stages.0.blocks.0.ffn.shared_expert.layers.0.0.weight': (128, 32),
      'decode_head.conv_seg.weight': (16, 64, 1, 1)},
     'a sparse RingMoE checkpoint (experts in every block) on a dense RingMoE-KC model'),
    (dict(SEG_MODEL, **{'second_backbone.patch_embed.projection.weight': (32, 1, 4, 4),
                        'fusion.conv.weight': (8, )}),
     'a two-backbone (optical + SAR fusion) checkpoint on a single-backbone config'),
    (dict(SEG_MODEL, **{'decode_head.conv_seg.weight': (8, 64, 1, 1)}), 'the same modules with other shapes'),
])
def test_likely_cause(checkpoint, cause):
    fit = compare_keys(SEG_MODEL, checkpoint)
    assert likely_cause(SEG_MODEL, checkpoint, fit).startswith(cause)
    message = fit_message('x.pth', 'the model', SEG_MODEL, checkpoint, fit)
    assert message.startswith('x.pth does not fit the model: ') and f'; likely cause: {cause}' in message


def test_the_pruning_tools_reader_says_the_same(tmp_path):
    """tools/prune/* read checkpoints with CheckpointReader, which goes through read_checkpoint."""
    from mmringmoe.pruning.checkpoint_io import CheckpointReader

    (tmp_path / 'random.pth').write_bytes(random.Random(0).randbytes(4096))
    with pytest.raises(ValueError) as error:
        CheckpointReader(str(tmp_path / 'random.pth'))
    assert str(error.value) == f'{tmp_path / "random.pth"}: not a PyTorch checkpoint'
