"""The tracking demo (``tools/demo/run_demo.py --task track``): satellite-like clips generated in the
MOT-Challenge layout with known ids and sub-pixel boxes, converted by ``mot2coco.py --layout air-mot``, read by
``mmringmoe.AIRMOTDataset``, a detector trained (here 2 iterations), tracked with ByteTrack, scored per class and
drawn frame by frame, ground truth next to the tracks, into a GIF."""
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from mmringmoe.utils.scripts import load_script

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
run_demo = load_script(osp.join(REPO, 'tools/demo/run_demo.py'))
make_demo_track_data = load_script(osp.join(REPO, 'tools/dataset_converters/make_demo_track_data.py'))
track_demo = load_script(osp.join(REPO, 'tools/demo/track_demo.py'))
FRAMES, WIDTH, HEIGHT = 5, 160, 128


def generate(root: str, **counts) -> None:
    argv = [root, '--train-videos', '1', '--test-videos', '1', '--frames', str(FRAMES), '--width', str(WIDTH),
            '--height', str(HEIGHT)]
    for option, count in counts.items():
        argv += [f'--{option}', str(count)]
    assert make_demo_track_data.main(argv) == 0


def read_gt(video: str) -> np.ndarray:
    return np.loadtxt(osp.join(video, 'gt', 'gt.txt'), delimiter=',', ndmin=2)


def test_clips_keep_ids_classes_and_sub_pixel_boxes(tmp_path):
    root = str(tmp_path / 'AIR-MOT')
    generate(root, aircraft=2, ships=1)
    video = osp.join(root, 'test', 'test-001')
    info = open(osp.join(video, 'seqinfo.ini')).read()
    assert f'seqLength={FRAMES}' in info and f'imWidth={WIDTH}' in info and f'imHeight={HEIGHT}' in info
    rows = read_gt(video)
    assert rows.shape == (FRAMES * 3, 9)  # MOT17's columns, the air-mot preset
    for frame in range(1, FRAMES + 1):
        assert sorted(rows[rows[:, 0] == frame, 1]) == [1, 2, 3]  # every object, once, in every frame
    for track_id, label in ((1, 1), (2, 1), (3, 2)):  # ids keep their class: aircraft 1, 2; ship 3
        assert (rows[rows[:, 1] == track_id, 7] == label).all()
    assert (rows[:, 2:6] != np.round(rows[:, 2:6])).any()  # sub-pixel boxes
    track = rows[rows[:, 1] == 1]
    assert np.abs(np.diff(track[:, 2])).min() > 0.5  # it moves
    image = np.asarray(Image.open(osp.join(video, 'img1', '000001.jpg')).convert('L'), dtype=float)
    for x, y, w, h in rows[rows[:, 0] == 1, 2:6]:  # a bright object inside each box, darker ground around it
        inside = image[int(y + h / 2) - 1:int(y + h / 2) + 2, int(x + w / 2) - 1:int(x + w / 2) + 2]
        around = np.concatenate([image[max(int(y) - 4, 0):int(y) - 1, int(x):int(x + w)].ravel(),
                                 image[int(y + h) + 2:int(y + h) + 5, int(x):int(x + w)].ravel()])
        assert inside.max() > 180 and around.mean() < inside.max() - 60


def test_bad_sizes_stop_the_generator_with_one_line(tmp_path):
    root = str(tmp_path / 'AIR-MOT')
    with pytest.raises(SystemExit) as exit_info:
        make_demo_track_data.main([root, '--width', '100'])
    assert str(exit_info.value).startswith('make_demo_track_data.py: need ') and '\n' not in str(exit_info.value)
    with pytest.raises(SystemExit) as exit_info:  # more objects than the scene holds apart from each other
        make_demo_track_data.main([root, '--width', '160', '--height', '128', '--aircraft', '12'])
    assert str(exit_info.value) == 'make_demo_track_data.py: no room for 12 aircraft objects in a 160 x 128 clip'


def test_track_demo_scores_each_class_and_draws_the_tracks(tmp_path, capfd):
    data = tmp_path / 'demo'
    generate(str(data / 'AIR-MOT'))  # smaller than the demo's own clips; the demo converts them
    config = tmp_path / 'short_demo.py'
    config.write_text(
        f"_base_ = ['{osp.join(REPO, 'configs/demo/bytetrack_yolox_ringmoe-kc-tiny_demo_air-mot.py')}']\n"
        'train_dataloader = dict(batch_size=2)\ntrain_cfg = dict(max_iters=2)\n')
    argv = ['--task', 'track', '--config', str(config), '--data', str(data), '--work-dir', str(tmp_path / 'work')]
    assert run_demo.main(argv) == 0
    out, _ = capfd.readouterr()
    line = next(line for line in out.splitlines() if line.startswith('demo result: '))
    values = dict(part.split() for part in line[len('demo result: '):].split(', '))
    assert sorted(values) == ['HOTA', 'IDF1', 'MOTA'] and all(np.isfinite(float(v)) for v in values.values())
    table = [line.split()[0] for line in out.splitlines() if line.split()[:1] in (['aircraft'], ['ship'])]
    assert {'aircraft', 'ship'} <= set(table)  # the metric's per-class rows
    gif = next(line for line in out.splitlines() if line.startswith('tracks drawn')).split(': ')[-1]
    assert gif == str(tmp_path / 'work' / 'tracks.gif')
    with Image.open(gif) as animation:
        assert animation.n_frames == FRAMES
        assert animation.size == (2 * track_demo.ZOOM * WIDTH + 6, track_demo.ZOOM * HEIGHT)
    last = np.asarray(Image.open(tmp_path / 'work' / 'tracks_last.png').convert('RGB'))
    ground_truth = last[:, :track_demo.ZOOM * WIDTH].reshape(-1, 3)
    colours = {tuple(reversed(bgr)) for bgr in track_demo.PALETTE[:4]}  # gt ids 0-3, each box in its colour
    assert colours <= {tuple(p) for p in np.unique(ground_truth, axis=0)}


def test_track_demo_has_its_own_work_dir():
    assert run_demo.parse_args(['--task', 'track']).work_dir == 'work_dirs/demo_track'
