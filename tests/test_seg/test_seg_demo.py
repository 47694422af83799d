"""The segmentation demo (``make demo``): generated data in the iSAID and WHU-OPT-SAR release formats,
converted by the real converters, trained and evaluated by tools/demo/run_demo.py (here 2 iterations), and
pictures a person can read: captioned panels, enlarged, one legend, no OpenCV TIFF warnings."""
import os
import os.path as osp
import sys

import numpy as np
import pytest
from fs_limits import read_only
from PIL import Image
from seg_layouts import REPO, load_tool

from mmringmoe.visualization import display_image
from mmringmoe.visualization.seg_panel_visualizer import CAPTION_HEIGHT, PAD

run_demo = load_tool('tools/demo/run_demo.py')


def short(tmp_path, config: str) -> str:
    """The demo config with two training iterations."""
    path = tmp_path / 'short_demo.py'
    path.write_text(f"_base_ = ['{osp.join(REPO, config)}']\n"
                    "train_cfg = dict(max_iters=2)\n"
                    "train_dataloader = dict(batch_size=2)\n")
    return str(path)


@pytest.mark.parametrize('config, panels, side', [
    ('configs/demo/upernet_ringmoe_kc-tiny_demo_isaid.py', 3, 128),  # image, ground truth, prediction
    ('configs/demo/upernet_ringmoe_kc-tiny-opt-sar_demo_whu-opt-sar.py', 4, 64)  # optical, SAR, ...
])
def test_demo_trains_and_prints_a_finite_miou(config, panels, side, tmp_path, capfd):
    data = str(tmp_path / 'demo')
    argv = ['--config', short(tmp_path, config), '--data', data, '--work-dir', str(tmp_path / 'work')]
    assert run_demo.main(argv) == 0
    out, err = capfd.readouterr()
    line = next(line for line in out.splitlines() if line.startswith('demo result: mIoU '))
    assert float(line.split()[3].rstrip(',')) >= 0.0  # finite: nan >= 0 is False
    assert sorted(os.listdir(data)) == ['WHU-OPT-SAR', 'WHU-OPT-SAR_release', 'iSAID', 'iSAID_release']
    assert len(os.listdir(osp.join(data, 'iSAID', 'img_dir', 'train'))) == 6 * 4  # 6 scenes, 4 patches each
    assert 'TIFF' not in err  # the pictures are drawn from rasterio reads, not OpenCV's (libtiff warnings)

    pictures = next(line for line in out.splitlines() if line.startswith('test images drawn')).split(': ')[-1]
    drawn = os.listdir(pictures)
    assert drawn and all(name.startswith('test_') and name.endswith('.png') for name in drawn)
    picture = np.asarray(Image.open(osp.join(pictures, drawn[0])).convert('RGB'))
    panel = side * -(-384 // side)  # enlarged 3x (128 px) or 6x (64 px): at least the visualizer's 384 px
    assert picture.shape[1] == panels * panel + (panels + 1) * PAD  # the panels side by side
    white = (picture == 255).all(axis=2)
    centres = [PAD + i * (panel + PAD) + panel // 2 for i in range(panels)]
    assert all(not white[:CAPTION_HEIGHT, c - 30:c + 30].all() for c in centres)  # a caption above each
    legend = white[CAPTION_HEIGHT + panel + PAD:]
    assert legend.shape[0] >= 16 and not legend.all()  # a legend of class colours below the panels


def test_each_demo_has_its_own_work_dir():
    assert run_demo.parse_args([]).work_dir == 'work_dirs/demo'
    assert run_demo.parse_args(['--fusion']).work_dir == 'work_dirs/demo_fusion'
    assert run_demo.parse_args(['--fusion', '--work-dir', 'w']).work_dir == 'w'


def test_a_read_only_work_dir_stops_the_demo_before_any_work(tmp_path):
    with read_only(tmp_path / 'readonly') as limit:
        work, data = limit.folder / 'demo', tmp_path / 'data'
        result = limit.run([sys.executable, osp.join(REPO, 'tools', 'demo', 'run_demo.py'), '--work-dir',
                            str(work), '--data', str(data)])
        assert result.returncode != 0 and 'Traceback' not in result.stderr, result.stderr
        assert result.stderr.splitlines()[-1] == f'run_demo: cannot write to {work}: {limit.strerror}'
        assert not data.exists() and os.listdir(limit.folder) == []


def test_display_image_shows_every_modality_as_8_bit_rgb():
    rng = np.random.default_rng(0)
    rgb16 = rng.integers(0, 4000, (8, 8, 3)).astype(np.float32)
    shown = display_image(rgb16, 'opt')
    assert shown.dtype == np.uint8 and shown.shape == (8, 8, 3) and shown.max() == 255  # stretched
    ms = np.stack([np.full((4, 4), v, np.float32) for v in (10, 20, 30, 40)], axis=2)  # B, G, R, NIR
    assert display_image(ms, 'ms')[0, 0].tolist() == [30, 20, 10]  # shown as R, G, B
    slc = rng.normal(size=(8, 8, 8)).astype(np.float32)  # 4 polarisations, real/imaginary
    amplitude = display_image(slc, 'sar_l1')
    assert amplitude.shape == (8, 8, 3) and (amplitude[..., 0] == amplitude[..., 2]).all()  # grey
    assert np.corrcoef(amplitude[..., 0].ravel(), np.hypot(slc[..., 0], slc[..., 1]).ravel())[0, 1] > 0.9
    grey = np.arange(16, dtype=np.float32).reshape(4, 4, 1)
    assert display_image(grey, 'sar_l2')[..., 1].tolist() == grey[..., 0].tolist()  # fits 0-255: as is
