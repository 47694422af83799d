"""tools/test.py evaluates only a checkpoint that fits its model, and tools/train.py refuses to start from one
that loads nothing (issue 18.1): one line with the counts, the first keys and the likely cause."""
import pickle
import re

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from pretrain_helpers import ROOT, TINY_CONFIG, load_tool

from mmringmoe.registry import MODELS

SEG_CONFIG = f'{ROOT}/configs/demo/upernet_ringmoe_kc-tiny_demo_isaid.py'
FUSION_CONFIG = f'{ROOT}/configs/demo/upernet_ringmoe_kc-tiny-opt-sar_demo_whu-opt-sar.py'
train_tool, test_tool = load_tool('tools/train.py'), load_tool('tools/test.py')


@pytest.fixture(autouse=True)
def _plain_config_text(monkeypatch):
    """Skip mmengine's yapf formatting of the config (at every runner start and checkpoint, ~1.5 s each)."""
    monkeypatch.setattr(Config, 'pretty_text', property(lambda self: str(self._cfg_dict.to_dict())))


def _model_state(config: str, scope: str) -> dict:
    cfg = Config.fromfile(config)
    with DefaultScope.overwrite_default_scope(scope):
        return MODELS.build(cfg.model).state_dict()


@pytest.fixture(scope='module')
def files(tmp_path_factory):
    """The iSAID-layout demo data, and checkpoints of the segmentation model, of the fusion model, of the
    tiny pretraining model, and its segmentation backbone alone (a prune.py --to kc style file)."""
    root = tmp_path_factory.mktemp('strict')
    load_tool('tools/dataset_converters/make_demo_seg_data.py').main(['--out', str(root / 'data')])
    torch.manual_seed(0)
    seg = _model_state(SEG_CONFIG, 'mmseg')
    paths = dict(data=str(root / 'data' / 'iSAID'))
    backbone = {k[len('backbone.'):]: v for k, v in seg.items() if k.startswith('backbone.')}
    for name, state in (('seg', seg), ('fusion', _model_state(FUSION_CONFIG, 'mmseg')),
                        ('pretraining', _model_state(TINY_CONFIG, 'mmringmoe')), ('kc_backbone', backbone)):
        paths[name] = str(root / f'{name}.pth')
        torch.save({'meta': {}, 'state_dict': state}, paths[name])
    return paths


def _data(files, splits=('test', )):
    return [f'{split}_dataloader.dataset.data_root={files["data"]}' for split in splits]


def _exit_line(tool, argv) -> str:
    with pytest.raises(SystemExit) as exit_info:
        tool.main(argv)
    message = str(exit_info.value.code)
    assert exit_info.value.code not in (0, None) and '\n' not in message
    return message


@pytest.mark.parametrize('name, counts, cause', [
    ('fusion', r'\d+ of 239 model keys match; \d+ unexpected \(second_backbone\.',
     'a two-backbone (optical + SAR fusion) checkpoint on a single-backbone config'),
    ('pretraining', r'\d+ of 239 model keys match; \d+ missing \(backbone\.patch_embed\.projection\.weight',
     'a RingMoE pretraining checkpoint (SimMIM backbone and decoders): compress it with '
     'tools/prune/prune.py'),
    ('kc_backbone', r'0 of 239 model keys match; 239 missing \(backbone\.patch_embed\.projection\.weight, ',
     "a backbone file (keys without 'backbone.', as tools/prune/prune.py"),
])
def test_a_checkpoint_that_does_not_fit_is_not_evaluated(files, tmp_path, name, counts, cause):
    message = _exit_line(test_tool, [SEG_CONFIG, files[name], '--work-dir', str(tmp_path), '--cfg-options',
                                     *_data(files)])
    assert message.startswith(f'test.py: {files[name]} does not fit the model of the config: ')
    assert re.search(counts, message) and f'likely cause: {cause}' in message
    assert message.endswith('; --load-non-strict evaluates it anyway')


def test_the_right_checkpoint_evaluates_and_non_strict_is_explicit(files, tmp_path):
    out = tmp_path / 'preds.pkl'
    assert test_tool.main([SEG_CONFIG, files['seg'], '--work-dir', str(tmp_path), '--out', str(out),
                           '--cfg-options', *_data(files)]) == 0
    assert len(pickle.loads(out.read_bytes())) == 8  # the 8 validation patches were evaluated
    assert test_tool.main([SEG_CONFIG, files['fusion'], '--load-non-strict', '--work-dir', str(tmp_path),
                           '--cfg-options', *_data(files)]) == 0
    message = _exit_line(test_tool, [SEG_CONFIG, files['kc_backbone'], '--load-non-strict', '--work-dir',
                                     str(tmp_path), '--cfg-options', *_data(files)])
    assert ': 0 of 239 model keys match' in message and 'load-non-strict' not in message  # nothing loads


def test_training_refuses_to_start_from_nothing(files, tmp_path):
    data = _data(files, ('train', 'val', 'test'))
    message = _exit_line(train_tool, [SEG_CONFIG, '--work-dir', str(tmp_path), '--cfg-options', *data,
                                      f'load_from={files["kc_backbone"]}'])
    assert message.startswith(f'train.py: {files["kc_backbone"]} does not fit the model of the config: 0 of ')
    message = _exit_line(train_tool, [SEG_CONFIG, '--work-dir', str(tmp_path), '--cfg-options', *data,
                                      'model.backbone.init_cfg.type=Pretrained',
                                      f'model.backbone.init_cfg.checkpoint={files["pretraining"]}'])
    assert message.startswith(f'train.py: {files["pretraining"]} does not fit the backbone RingMoEKC: ')
    assert 'likely cause: a sparse RingMoE checkpoint' in message
    message = _exit_line(train_tool, [SEG_CONFIG, '--work-dir', str(tmp_path), '--resume', files['fusion'],
                                      '--cfg-options', *data])
    assert message.startswith(f'train.py: {files["fusion"]} does not fit the model of the config: ')
