"""tools/demo/run_pretrain_demo.py: the tiny demo pretraining's loss falls (first vs last 10 iterations)."""
import re

import pytest
from mmengine.config import Config
from pretrain_helpers import load_tool


@pytest.fixture(autouse=True)
def _plain_config_text(monkeypatch):
    """Skip mmengine's yapf formatting of the config (at every runner start and checkpoint, ~1.5 s each)."""
    monkeypatch.setattr(Config, 'pretty_text', property(lambda self: str(self._cfg_dict.to_dict())))


@pytest.mark.slow
def test_demo_loss_falls(pretrain_data, tmp_path, capsys):
    demo = load_tool('tools/demo/run_pretrain_demo.py')
    assert demo.main(['--data', pretrain_data, '--work-dir', str(tmp_path), '--iters', '40']) == 0
    report = capsys.readouterr().out
    lines = re.findall(r'^\s+(loss\S*)\s+([\d.]+) ->\s+([\d.]+)$', report, re.MULTILINE)
    means = {key: (float(first), float(last)) for key, first, last in lines}
    assert set(means) == {'loss', 'loss_rec_opt', 'loss_rec_ms', 'loss_rec_sar_l1', 'loss_rec_sar_l2'}
    first, last = means['loss']
    assert last < 0.9 * first
    assert (tmp_path / 'iter_40.pth').exists()


def test_demo_rejects_too_few_iterations(capsys):
    demo = load_tool('tools/demo/run_pretrain_demo.py')
    with pytest.raises(SystemExit) as exit_info:
        demo.main(['--iters', '5'])
    assert exit_info.value.code == 2 and '--iters must be at least 20' in capsys.readouterr().err
