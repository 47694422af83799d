"""Shared test set-up: import mmringmoe first (its import shims), deterministic seeds, one thread each."""
import os

os.environ.setdefault('OMP_NUM_THREADS', '2')

import mmringmoe  # noqa: E402,F401
import pytest  # noqa: E402
import torch  # noqa: E402


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)
    yield
