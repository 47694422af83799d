"""A small synthetic 4-modality pretraining set (the demo generator's formats), shared by the engine tests."""
import pytest
from pretrain_helpers import load_tool


@pytest.fixture(scope='session')
def pretrain_data(tmp_path_factory):
    """Two 192 px scenes per modality cut into 64 px tiles (GeoTIFF; SAR-L1 as CInt16)."""
    out = str(tmp_path_factory.mktemp('demo_pretrain'))
    load_tool('tools/dataset_converters/make_demo_pretrain_data.py').make_demo(
        out, scenes=2, size=192, tile=64, step=64, show_progress=False)
    return out
