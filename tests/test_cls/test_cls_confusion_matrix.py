"""tools/analysis_tools/cls_confusion_matrix.py on the predictions that tools/test.py --out dumps."""
import os.path as osp
import pickle

import pytest
from cls_layouts import REPO, load_tool, shrink
from mmengine.config import Config
from mmengine.runner import Runner

CONFIG = osp.join(REPO, 'configs', 'cls', 'linear_ringmoe_kc_200e_nwpu-resisc45-224x224.py')
TOOL = 'tools/analysis_tools/cls_confusion_matrix.py'


def test_confusion_matrix_of_a_test_run(releases, tmp_path, capsys):
    cfg = shrink(Config.fromfile(CONFIG), releases['nwpu-resisc45'], str(tmp_path / 'work'), test_images=12)
    dump = str(tmp_path / 'preds.pkl')
    cfg.test_evaluator.append(dict(type='DumpResults', out_file_path=dump))  # what tools/test.py --out adds
    metrics = Runner.from_cfg(cfg).test()
    capsys.readouterr()

    figure = str(tmp_path / 'figures' / 'confusion.png')
    assert load_tool(TOOL).main([dump, CONFIG, '--out', figure, '--values']) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].split() == ['class', 'images', 'accuracy']
    rows = {line.split()[0]: line.split()[1:] for line in printed[1:46]}
    assert len(rows) == 45 and sum(int(images) for images, _ in rows.values()) == 12
    assert printed[46] == f'OA: {metrics["accuracy/top1"]:.2f} (12 images)'
    with open(figure, 'rb') as f:
        assert f.read(8) == b'\x89PNG\r\n\x1a\n'


def test_bad_input_gives_one_line(tmp_path):
    tool = load_tool(TOOL)
    not_a_dump = tmp_path / 'other.pkl'
    not_a_dump.write_bytes(pickle.dumps({'state_dict': {}}))
    out = str(tmp_path / 'cm.png')
    with pytest.raises(SystemExit, match=r'other.pkl is not a classification dump of tools/test.py --out'):
        tool.main([str(not_a_dump), CONFIG, '--out', out])
    wrong_label = tmp_path / 'wrong.pkl'
    wrong_label.write_bytes(pickle.dumps([dict(pred_label=[3], gt_label=[45])]))
    with pytest.raises(SystemExit, match='has label 45 .*the config has 45 classes'):
        tool.main([str(wrong_label), CONFIG, '--out', out])
    with pytest.raises(SystemExit, match='--out must end with one of .png, .pdf, .svg'):
        tool.main([str(wrong_label), CONFIG, '--out', str(tmp_path / 'cm.txt')])
    assert not osp.exists(out)
