"""tools/demo/run_pretrain_demo.py: the tiny demo pretraining's loss falls, each modality's reconstruction
is scored against its mean-predictor baseline, and the demo has a work dir of its own."""
import itertools
import os.path as osp
import re

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner, set_random_seed
from pretrain_helpers import MODALITIES, TINY_CONFIG, load_tool

from mmringmoe.registry import MODELS

demo = load_tool('tools/demo/run_pretrain_demo.py')
# A modality's row: baseline, model, model/baseline, then the training loss's first and last means.
ROW = re.compile(r'^\s+loss_rec_(\w+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$', re.MULTILINE)
TOTAL = re.compile(r'^\s+loss \(Eq\. 7\)\s+([\d.]+)\s+([\d.]+)$', re.MULTILINE)


@pytest.fixture(autouse=True)
def _plain_config_text(monkeypatch):
    """Skip mmengine's yapf formatting of the config (at every runner start and checkpoint, ~1.5 s each)."""
    monkeypatch.setattr(Config, 'pretty_text', property(lambda self: str(self._cfg_dict.to_dict())))


def tiny_config(data_root: str) -> Config:
    cfg = Config.fromfile(TINY_CONFIG)
    for dataset in cfg.train_dataloader.dataset.datasets.values():
        dataset.data_root = data_root
    return cfg


@pytest.mark.slow
def test_demo_loss_falls_and_each_modality_is_scored_against_its_baseline(pretrain_data, tmp_path, capsys):
    assert demo.main(['--data', pretrain_data, '--work-dir', str(tmp_path), '--iters', '40',
                      '--eval-batches', '3']) == 0
    report = capsys.readouterr().out
    rows = {modality: [float(v) for v in values] for modality, *values in ROW.findall(report)}
    assert set(rows) == set(MODALITIES)
    for baseline, model_loss, ratio, _, _ in rows.values():
        assert baseline > 0 and ratio == pytest.approx(model_loss / baseline, abs=0.006)
    first, last = (float(v) for v in TOTAL.search(report).groups())
    assert last < 0.9 * first
    assert (tmp_path / 'iter_40.pth').exists()


def test_scores_are_eq6_of_the_model_and_of_predicting_the_mean_target(pretrain_data):
    cfg = tiny_config(pretrain_data)
    init_default_scope('mmpretrain')
    model = MODELS.build(cfg.model)
    model.train()
    scores = demo.score_against_baseline(model, cfg, batches=2)
    assert set(scores) == set(MODALITIES) and model.training

    # The same two batches (same seed), scored by the head's own Eq. 6 with each channel's mean as prediction.
    set_random_seed(1)
    loader = Runner.build_dataloader(cfg.train_dataloader, seed=1)
    head, targets, masks = model.head, {}, {}
    for data in itertools.islice(loader, 2):
        batch = model.data_preprocessor(data)
        for img, sample in zip(batch['inputs'], batch['data_samples']):
            modality = sample.metainfo['modality']
            targets.setdefault(modality, []).append(head.target(modality, img[None], sample.raw_img[None]))
            masks.setdefault(modality, []).append(sample.mask[None])
    for modality in MODALITIES:
        model_loss, baseline = scores[modality]
        target, mask = torch.cat(targets[modality]).double(), torch.cat(masks[modality])
        masked = head.pixel_mask(mask, target)
        channel_mean = (target * masked).sum(dim=(0, 2, 3)) / masked.sum(dim=(0, 2, 3))
        prediction = channel_mean.view(1, -1, 1, 1).expand_as(target)
        expected = float(head.loss(prediction.float(), target.float(), mask))
        assert baseline == pytest.approx(expected, rel=1e-3), modality
        # An untrained model predicts nothing of the target: it does not beat the mean predictor.
        assert model_loss > 0.98 * baseline, modality


def test_report_flags_a_modality_that_stays_at_its_baseline(capsys):
    history = {'loss': [5.0] * 10 + [3.0] * 10,
               'loss_rec_opt': [1.2] * 10 + [0.5] * 10,
               'loss_rec_sar_l1': [1.0] * 20}
    scores = dict(opt=(0.5, 1.0), sar_l1=(1.0, 1.0))
    assert demo.report(history, scores, last=10) == ''
    rows = ROW.findall(capsys.readouterr().out)
    assert rows[0] == ('opt', '1.0000', '0.5000', '0.50', '1.2000', '0.5000')
    problem = demo.report(history, scores, last=10, max_ratio=0.9)
    assert 'not below 0.9 x the mean-predictor baseline: sar_l1 1.00' in problem and 'opt' not in problem
    assert 'did not fall' in demo.report(dict(history, loss=[3.0] * 20), scores, last=10)


def test_demo_has_its_own_work_dir():
    """The segmentation demos write into work_dirs/demo*; the pretraining demo must not share theirs."""
    segmentation = load_tool('tools/demo/run_demo.py').WORK_DIRS.values()
    work_dir = demo.parse_args([]).work_dir
    assert work_dir == demo.WORK_DIR
    for other in segmentation:
        assert osp.relpath(work_dir, other).startswith('..') and osp.relpath(other, work_dir).startswith('..')


def test_demo_rejects_bad_iteration_counts(capsys):
    for argv, message in ((['--iters', '5'], '--iters must be at least 20'),
                          (['--iters', '30', '--last', '40'], '--last 40 is more than --iters 30'),
                          (['--eval-batches', '0'], 'must be positive')):
        with pytest.raises(SystemExit) as exit_info:
            demo.main(argv)
        assert exit_info.value.code == 2 and message in capsys.readouterr().err
