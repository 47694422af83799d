"""FrozenFeatureCache: each key loaded and forwarded once, in eval mode without gradients, batched, in the
order asked for; tuples of outputs; and in a whole few-shot evaluation each unique image forwarded once."""
import pytest
import torch
from torch import nn

from mmringmoe.models.fewshot import FrozenFeatureCache


class Counting(nn.Module):
    """Doubles its input; records every batch it sees, and its mode and grad state at the time."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(2.0))
        self.dropout = nn.Dropout(0.5)
        self.calls = []

    def forward(self, x):
        self.calls.append((len(x), self.training, torch.is_grad_enabled()))
        return self.dropout(x) * self.scale


IMAGES = {key: torch.full((1, 2, 2), float(i)) for i, key in enumerate('abcdefg')}


class Loader:

    def __init__(self):
        self.requests = []

    def __call__(self, keys):
        self.requests.append(list(keys))
        return torch.stack([IMAGES[k] for k in keys])


def test_each_key_loaded_and_forwarded_once_in_eval_mode_without_grad():
    module, load = Counting().train(), Loader()
    cache = FrozenFeatureCache(module, batch_size=2)
    out = cache.features(['a', 'b', 'a', 'c'], load)
    assert torch.equal(out, torch.stack([IMAGES[k] * 2 for k in 'abac']))
    assert load.requests == [['a', 'b'], ['c']]  # distinct misses, in chunks of batch_size
    out = cache.features(['c', 'd', 'a', 'e', 'd'], load)
    assert torch.equal(out, torch.stack([IMAGES[k] * 2 for k in 'cdaed']))
    assert load.requests[2:] == [['d', 'e']]
    assert [n for n, _, _ in module.calls] == [2, 1, 2] and cache.forwarded == 5 == len(cache)
    assert all(not training and not grad for _, training, grad in module.calls)  # no dropout, no graph
    assert not out.requires_grad and 'a' in cache and 'g' not in cache


def test_prefetch_then_features_forward_nothing_more():
    module = Counting()
    cache = FrozenFeatureCache(module, batch_size=3)
    cache.prefetch(list('abcdefg'), Loader())
    assert cache.forwarded == 7

    def no_load(keys):
        raise AssertionError(f'loaded {keys}')

    out = cache.features(list('gfedcbag'), no_load)
    assert torch.equal(out, torch.stack([IMAGES[k] * 2 for k in 'gfedcbag']))
    assert cache.forwarded == 7


def test_tuple_outputs_store_and_clear():
    module = Counting()
    cache = FrozenFeatureCache(
        module, forward=lambda x: (module(x), x.sum(dim=(1, 2, 3))), batch_size=4, store=lambda t: t.double())
    doubled, sums = cache.features(['b', 'a'], Loader())
    assert doubled.dtype == sums.dtype == torch.float64
    assert torch.equal(sums, torch.tensor([4.0, 0.0], dtype=torch.float64))
    cache.clear()
    assert len(cache) == 0
    cache.features(['a'], Loader())
    assert cache.forwarded == 3


def test_bad_use():
    cache = FrozenFeatureCache(Counting())
    with pytest.raises(ValueError, match='no keys'):
        cache.features([], Loader())
    with pytest.raises(ValueError, match='load returned 1 images for 2 keys'):
        cache.features(['a', 'b'], lambda keys: torch.stack([IMAGES['a']]))
    with pytest.raises(ValueError, match='batch_size must be >= 1'):
        FrozenFeatureCache(Counting(), batch_size=0)
