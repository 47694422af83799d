"""mmengine checkpoints load under torch's default ``weights_only=True``; everything else is still refused."""
import copy
import io
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch
from mmengine.evaluator import BaseMetric
from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch import nn
from torch.utils.data import Dataset

from mmringmoe.utils.checkpoint_globals import allow_mmengine_checkpoint_globals


class _ToyDataset(Dataset):

    def __len__(self):
        return 8

    def __getitem__(self, index):
        return dict(inputs=torch.tensor([float(index), 1.0]), data_samples=torch.tensor(float(index % 2)))


class _ToyModel(BaseModel):

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.linear(inputs).squeeze(-1)
        if mode == 'loss':
            return dict(loss=((out - data_samples)**2).mean())
        return list(out)


class _ToyMetric(BaseMetric):
    """Returns numpy scalars, as real metrics do; ``save_best`` puts one into the checkpoint."""

    def process(self, data_batch, data_samples):
        self.results.extend(float(s) for s in data_samples)

    def compute_metrics(self, results):
        return dict(score=np.float64(np.mean(results)), score32=np.float32(np.max(results)))


class _RecordStart(Hook):
    """Records the iteration, learning rate and optimizer state the training loop starts from."""

    def before_train(self, runner):
        self.iter = runner.iter
        self.lr = runner.optim_wrapper.get_lr()['lr'][0]
        self.optimizer_state = copy.deepcopy(runner.optim_wrapper.optimizer.state_dict()['state'])


def _runner(work_dir, max_iters, name, resume=False, hook=None):
    loader = dict(
        dataset=_ToyDataset(),
        sampler=dict(type='DefaultSampler', shuffle=False),
        batch_size=2,
        collate_fn=dict(type='default_collate'))
    return Runner(
        model=_ToyModel(),
        work_dir=str(work_dir),
        experiment_name=name,
        train_dataloader=loader,
        val_dataloader=loader,
        val_evaluator=dict(type=_ToyMetric),
        val_cfg=dict(),
        train_cfg=dict(by_epoch=False, max_iters=max_iters, val_interval=2),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
        param_scheduler=dict(type='MultiStepLR', milestones=[1], gamma=0.1, by_epoch=False),
        default_hooks=dict(
            checkpoint=dict(
                type='CheckpointHook', interval=2, by_epoch=False, save_best='score', rule='greater'),
            logger=dict(type='LoggerHook', interval=1)),
        custom_hooks=[hook] if hook is not None else None,
        randomness=dict(seed=0),
        resume=resume,
        default_scope='mmengine')


@pytest.fixture(scope='module')
def trained_work_dir(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('toy_run')
    _runner(work_dir, max_iters=2, name='toy_first').train()
    return work_dir


def test_runner_checkpoint_needs_only_the_allowlisted_globals(trained_work_dir):
    for checkpoint in (trained_work_dir / 'iter_2.pth', trained_work_dir / 'best_score_iter_2.pth'):
        # The checkpoint really carries the globals that made resume fail...
        raw = torch.load(checkpoint, weights_only=False)
        assert isinstance(raw['message_hub']['log_scalars']['train/loss'], HistoryBuffer)
        assert isinstance(raw['message_hub']['runtime_info']['best_score'], np.float64)
        # ...and none of them is unsafe any more.
        assert torch.serialization.get_unsafe_globals_in_checkpoint(str(checkpoint)) == []
        loaded = torch.load(checkpoint)  # torch's default: weights_only=True
        buffer = loaded['message_hub']['log_scalars']['train/loss']
        np.testing.assert_array_equal(buffer._log_history,
                                      raw['message_hub']['log_scalars']['train/loss']._log_history)
        assert buffer.mean() == pytest.approx(np.mean(buffer._log_history))
        assert loaded['message_hub']['runtime_info']['best_score'] == raw['message_hub']['runtime_info'][
            'best_score']


def test_runner_resumes_to_iter_4(trained_work_dir):
    saved = torch.load(trained_work_dir / 'iter_2.pth')
    record = _RecordStart()
    runner = _runner(trained_work_dir, max_iters=4, name='toy_resumed', resume=True, hook=record)
    runner.train()

    assert record.iter == 2
    assert runner.iter == 4
    assert (trained_work_dir / 'iter_4.pth').is_file()
    # MultiStepLR stepped past its milestone before the checkpoint: lr 0.1 * 0.1.
    assert record.lr == pytest.approx(0.01)
    # SGD's momentum buffers come back from the checkpoint, not from a fresh optimizer (which has none).
    saved_state = saved['optimizer']['state']
    assert set(record.optimizer_state) == set(saved_state) and saved_state
    for key, state in saved_state.items():
        torch.testing.assert_close(record.optimizer_state[key]['momentum_buffer'], state['momentum_buffer'])
        assert state['momentum_buffer'].abs().sum() > 0


class _LocalPayload:

    def __init__(self):
        self.value = 1


class _LocalOrderedDict(OrderedDict):
    pass


class _GetattrPayload:
    """Pickles as ``getattr(HistoryBuffer, '__init__')``: the restricted getattr must refuse it."""

    def __reduce__(self):
        return getattr, (HistoryBuffer, '__init__')


@pytest.mark.parametrize(
    'payload', [_LocalPayload(), _LocalOrderedDict(a=torch.zeros(1)),
                _GetattrPayload()],
    ids=['local_class', 'ordered_dict_subclass', 'getattr_other_attribute'])
def test_other_globals_are_still_refused(tmp_path, payload):
    allow_mmengine_checkpoint_globals()
    path = tmp_path / 'evil.pth'
    torch.save({'meta': {}, 'payload': payload}, path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)


def test_numpy_1x_module_names_load():
    """A checkpoint written by numpy 1.x names ``numpy.core.multiarray``; numpy 2.x writes ``numpy._core``."""
    buffer = io.BytesIO()
    # The legacy format keeps the pickle as plain bytes, so a module name can be rewritten in place.
    torch.save({
        'eta': np.float64(2.5),
        'hist': np.array([1.0, 2.0])
    },
               buffer,
               _use_new_zipfile_serialization=False)
    data = buffer.getvalue()
    names = (b'numpy._core.multiarray', b'numpy.core.multiarray')
    written, other = names if names[0] in data else names[::-1]
    assert written in data
    loaded = torch.load(io.BytesIO(data.replace(written, other)))
    assert loaded['eta'] == 2.5 and isinstance(loaded['eta'], np.float64)
    np.testing.assert_array_equal(loaded['hist'], [1.0, 2.0])
