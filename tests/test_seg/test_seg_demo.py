"""The segmentation demo (``make demo``): generated data in the iSAID and WHU-OPT-SAR release formats,
converted by the real converters, trained and evaluated by tools/demo/run_demo.py (here 2 iterations)."""
import os
import os.path as osp

import pytest
from seg_layouts import REPO, load_tool

run_demo = load_tool('tools/demo/run_demo.py')


def short(tmp_path, config: str) -> str:
    """The demo config with two training iterations."""
    path = tmp_path / 'short_demo.py'
    path.write_text(f"_base_ = ['{osp.join(REPO, config)}']\n"
                    "train_cfg = dict(max_iters=2)\n"
                    "train_dataloader = dict(batch_size=2)\n")
    return str(path)


@pytest.mark.parametrize('config', [
    'configs/demo/upernet_ringmoe_kc-tiny_demo_isaid.py',
    'configs/demo/upernet_ringmoe_kc-tiny-opt-sar_demo_whu-opt-sar.py'
])
def test_demo_trains_and_prints_a_finite_miou(config, tmp_path, capsys):
    data = str(tmp_path / 'demo')
    argv = ['--config', short(tmp_path, config), '--data', data, '--work-dir', str(tmp_path / 'work')]
    assert run_demo.main(argv) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith('demo result: mIoU '))
    assert float(line.split()[3].rstrip(',')) >= 0.0  # finite: nan >= 0 is False
    assert sorted(os.listdir(data)) == ['WHU-OPT-SAR', 'WHU-OPT-SAR_release', 'iSAID', 'iSAID_release']
    assert len(os.listdir(osp.join(data, 'iSAID', 'img_dir', 'train'))) == 6 * 4  # 6 scenes, 4 patches each
    pictures = next(line for line in out.splitlines() if line.startswith('predictions drawn')).split(': ')[-1]
    drawn = os.listdir(pictures)
    assert drawn and all(name.startswith('test_') and name.endswith('.png') for name in drawn)
