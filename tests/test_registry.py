import importlib

import pytest
from mmengine.registry import DefaultScope

import mmringmoe.registry as registry

REGISTRIES = [value for name, value in vars(registry).items()
              if isinstance(value, registry.Registry) and not name.startswith('MMENGINE_')]


@pytest.mark.parametrize('reg', REGISTRIES, ids=lambda r: r.name)
def test_every_registry_is_scoped_and_its_locations_import(reg):
    assert reg.scope == 'mmringmoe' and reg.parent is not None and reg.parent.scope == 'mmengine'
    for location in reg._locations:
        importlib.import_module(location)


def test_toolkit_modules_reachable_from_our_scope_by_prefix():
    with DefaultScope.overwrite_default_scope('mmringmoe'):
        assert registry.MODELS.get('mmseg.UPerHead') is not None
        assert registry.MODELS.get('RingMoE').__name__ == 'RingMoE'
        assert registry.VISUALIZERS.get('Visualizer') is not None


def test_all_our_registries_are_collected():
    assert {r.name for r in REGISTRIES} >= {'model', 'dataset', 'transform', 'metric', 'hook', 'visualizer'}
