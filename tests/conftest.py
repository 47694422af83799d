"""Shared test set-up: import mmringmoe first (its import shims), deterministic seeds, one thread each."""
import os

os.environ.setdefault('OMP_NUM_THREADS', '2')

import random  # noqa: E402

import mmringmoe  # noqa: E402,F401
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from mmengine.registry import DefaultScope  # noqa: E402


@pytest.fixture(autouse=True)
def _seed():
    """Every test sees the same random streams (torch, numpy's global one that mmcv's transforms use)."""
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    yield


@pytest.fixture(autouse=True)
def _isolated_default_scope():
    """Each test starts in the ``mmringmoe`` scope, and whatever scope it creates (a Runner's, a toolkit's)
    is dropped afterwards: mmengine keeps the latest ``DefaultScope`` process-wide and resolves unprefixed
    types in it, so without this a test's result would depend on the tests that ran before it."""
    with DefaultScope.overwrite_default_scope('mmringmoe'):
        yield
