"""The few-shot demo (tools/demo/run_demo.py --task fewshot): generated NWPU-RESISC45-layout textures,
episodic training, the seeded test episodes' mean and interval, and the picture of the first episode (here 5
training episodes and 50 test episodes)."""
import os
import os.path as osp
import re

from fewshot_cls_layouts import REPO, load_tool

run_demo = load_tool('tools/demo/run_demo.py')
CONFIG = osp.join(REPO, 'configs', 'demo', 'relationnet_ringmoe_kc-tiny_demo_nwpu-resisc45.py')


def test_demo_prints_mean_and_interval_and_draws_an_episode(tmp_path, capsys):
    short = tmp_path / 'short_demo.py'
    short.write_text(
        f"_base_ = ['{CONFIG}']\ntrain_cfg = dict(max_iters=5)\ntest_cfg = dict(num_episodes=50)\n")
    data, work = str(tmp_path / 'demo'), str(tmp_path / 'work')
    assert run_demo.main(['--task', 'fewshot', '--config',
                          str(short), '--data', data, '--work-dir', work]) == 0
    out = capsys.readouterr().out.splitlines()
    root = osp.join(data, 'fewshot', 'NWPU-RESISC45')  # not the classification demo's folder
    assert len(os.listdir(root)) == 15 and len(os.listdir(osp.join(root, 'freeway'))) == 30
    result = next(line for line in out if line.startswith('demo result:'))
    match = re.fullmatch(
        r'demo result: 5-way 1-shot accuracy (\S+) \+- (\S+) % over 50 novel-class episodes '
        r'\(chance 20\.00\)', result)
    assert match and 0 <= float(match[1]) <= 100 and float(match[2]) >= 0
    figure = osp.join(work, 'episode.png')
    assert out[out.index(result) + 1].endswith(figure)
    with open(figure, 'rb') as f:
        assert f.read(4) == b'\x89PNG'


def test_demo_task_arguments():
    args = run_demo.parse_args(['--task', 'fewshot'])
    assert args.work_dir == 'work_dirs/demo_fewshot' and args.config == CONFIG
