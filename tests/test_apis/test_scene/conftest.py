import pytest

from scene_helpers import SEG_CONFIG, make_checkpoint


@pytest.fixture(scope='session')
def seg_checkpoint(tmp_path_factory) -> str:
    return make_checkpoint(SEG_CONFIG, str(tmp_path_factory.mktemp('scene_ckpt') / 'seg.pth'))
