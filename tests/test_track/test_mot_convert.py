"""tools/dataset_converters/mot2coco.py: the real MOT15 ground truth of the shared fixture, the presets'
column layouts, sub-pixel boxes, split folders and lists, and every bad input of issue 15 in one line."""
import json
import os
import os.path as osp

import pytest
from mot_layouts import (FIXTURE, FIXTURE_SIZE, FIXTURE_VIDEOS, REPO, converter, fixture_release,
                         fixture_rows, fixture_seq_length, write_frames, write_video)

from mmringmoe.datasets.mot_layout import LAYOUTS, MOT_CLASSES

mot2coco = converter()


def convert(*argv: str) -> None:
    assert mot2coco.main([str(a) for a in argv]) == 0


def load(path) -> dict:
    with open(path) as f:
        return json.load(f)


def error_of(*argv: str) -> str:
    """The message the converter exits with (it must exit)."""
    with pytest.raises(SystemExit) as exit_info:
        mot2coco.main([str(a) for a in argv])
    message = str(exit_info.value.code)
    assert message.startswith('mot2coco.py: ') and '\n' not in message
    return message


def test_mot15_fixture_converts_row_by_row(tmp_path):
    """Every row of the real MOT15 gt.txt becomes one annotation of its frame, box and track unchanged; the
    fixture's seqinfo.ini gives no image size, so the frames' size is used."""
    release = fixture_release(str(tmp_path))
    convert(release, '--out', tmp_path / 'annotations', '--layout', 'mot15')
    coco = load(tmp_path / 'annotations' / 'train_cocoformat.json')
    assert [v['name'] for v in coco['videos']] == list(FIXTURE_VIDEOS)
    assert all((v['width'], v['height']) == FIXTURE_SIZE for v in coco['videos'])
    assert coco['categories'] == [dict(id=cid, name=name) for cid, name in MOT_CLASSES]
    images = {image['id']: image for image in coco['images']}
    videos = {video['id']: video['name'] for video in coco['videos']}
    assert len(images) == sum(fixture_seq_length(v) for v in FIXTURE_VIDEOS)
    for image in images.values():
        assert image['file_name'] == f'{videos[image["video_id"]]}/img1/{image["mot_frame_id"]:06d}.jpg'
        assert image['frame_id'] == image['mot_frame_id'] - 1
        assert osp.isfile(osp.join(release, 'train', image['file_name']))
    converted = {(videos[images[a['image_id']]['video_id']], images[a['image_id']]['mot_frame_id'],
                  a['mot_instance_id']): a for a in coco['annotations']}
    track_of = {}
    rows = 0
    for video in FIXTURE_VIDEOS:
        for frame, track, x, y, w, h, conf, *_ in fixture_rows(osp.join(FIXTURE, video, 'gt', 'gt.txt')):
            ann = converted[(video, int(frame), int(track))]
            assert ann['bbox'] == [x, y, w, h] and ann['area'] == w * h
            assert (ann['category_id'], ann['mot_conf'], ann['visibility']) == (1, conf, 1.0)
            assert track_of.setdefault((video, int(track)), ann['instance_id']) == ann['instance_id']
            rows += 1
    assert rows == len(coco['annotations']) == 359 + 1156
    assert sorted(track_of.values()) == list(range(coco['num_instances']))  # one id per track, over videos


def test_sub_pixel_boxes_stay_floats_and_classes_follow_the_preset(tmp_path):
    rows = ['1,7,100.25,50.5,12.4,8.6,1,1,0.75', '1,3,10,11,20,9,1,2,1', '2,7,101.5,50.75,12.4,8.6,0,1,1']
    write_video(str(tmp_path / 'train'), 'clip-01', rows, seq_length=2, size=(160, 90))
    out = tmp_path / 'air.json'
    convert(tmp_path / 'train', '--out', out, '--layout', 'air-mot')
    coco = load(out)
    assert coco['categories'] == [dict(id=1, name='aircraft'), dict(id=2, name='ship')]
    assert coco['videos'] == [dict(id=1, name='clip-01', fps=10, width=160, height=90)]
    aircraft, ship, ignored = coco['annotations']
    assert aircraft['bbox'] == [100.25, 50.5, 12.4, 8.6] and aircraft['bbox'][2] == 12.4
    assert (aircraft['category_id'], aircraft['visibility'], aircraft['mot_conf']) == (1, 0.75, 1)
    assert (ship['category_id'], ship['mot_instance_id'], ship['image_id']) == (2, 3, 1)
    assert (ignored['mot_conf'], ignored['instance_id'], ignored['image_id']) == (0, aircraft['instance_id'], 2)
    write_video(str(tmp_path / 'MOT17'), 'MOT17-02', ['1,1,912.5,484,97,109,0,7,0.25'], seq_length=1)
    convert(tmp_path / 'MOT17', '--out', tmp_path / 'mot17.json', '--layout', 'mot17')
    (static_person, ) = load(tmp_path / 'mot17.json')['annotations']
    assert (static_person['category_id'], static_person['mot_conf'], static_person['visibility']) == (7, 0, 0.25)
    assert static_person['bbox'] == [912.5, 484, 97, 109]


def test_release_root_gives_one_file_per_split_and_lists_select_videos(tmp_path):
    for split, names in (('train', ('a', 'b')), ('test', ('c', ))):
        for name in names:
            write_video(str(tmp_path / 'AIR-HSAO' / split), name, ['1,1,5,5,6,6,1,1,1'], seq_length=1)
    convert(tmp_path / 'AIR-HSAO', '--out', tmp_path / 'ann', '--layout', 'air-hsao')
    assert sorted(os.listdir(tmp_path / 'ann')) == ['test_cocoformat.json', 'train_cocoformat.json']
    train = load(tmp_path / 'ann' / 'train_cocoformat.json')
    assert [v['name'] for v in train['videos']] == ['a', 'b'] and train['num_instances'] == 2
    assert train['categories'] == [dict(id=1, name='airplane')]
    assert train['images'][1]['file_name'] == 'b/img1/000001.jpg'
    (tmp_path / 'val.txt').write_text('# the validation videos\nb\n\n')
    convert(tmp_path / 'AIR-HSAO' / 'train', '--out', tmp_path / 'ann', '--layout', 'air-hsao', '--split-from',
            tmp_path / 'val.txt')
    assert [v['name'] for v in load(tmp_path / 'ann' / 'val_cocoformat.json')['videos']] == ['b']


def test_presets_are_the_documented_layouts():
    assert {name: layout.num_columns for name, layout in LAYOUTS.items()} == {
        'mot15': 10, 'mot17': 9, 'air-mot': 9, 'air-hsao': 9}
    assert LAYOUTS['mot15'].class_column is None and LAYOUTS['mot17'].class_column == 7
    with open(osp.join(REPO, 'docs', 'datasets.md')) as f:
        docs = f.read()
    assert all(f'`{name}`' in docs for name in LAYOUTS)


GOOD = '1,1,5.5,5,6,6,1,1,1'
BAD_INPUTS = {
    'wrong column count': (['1,1,5,5,6,6,1,1,1', '2,1,5,5,6,6,1,1'], 'gt.txt:2: 8 columns where the layout has 9'),
    'track id twice in a frame': ([GOOD, '1,2,9,9,3,3,1,1,1', '1,1,20,20,4,4,1,1,1'],
                                  'gt.txt:3: track id 1 is used twice in frame 1 (also on line 1)'),
    'zero-size box': ([GOOD, '2,1,5,5,0,6,1,1,1'], 'gt.txt:2: box of zero size (width 0, height 6)'),
    'unknown class': (['1,1,5,5,6,6,1,3,1'], 'gt.txt:1: class 3 is not one of the layout\'s classes'),
    'frame beyond seqLength': (['3,1,5,5,6,6,1,1,1'], 'gt.txt:1: frame 3 is outside 1..2'),
    'not a number': (['1,1,5,five,6,6,1,1,1'], "gt.txt:1: top 'five' is not a number"),
}


@pytest.mark.parametrize('case', sorted(BAD_INPUTS))
def test_bad_gt_rows_are_named_with_file_and_line(tmp_path, case):
    rows, expected = BAD_INPUTS[case]
    video = write_video(str(tmp_path / 'videos'), 'v1', rows, seq_length=2)
    message = error_of(tmp_path / 'videos', '--out', tmp_path / 'out', '--layout', 'air-mot')
    assert f'{osp.join(video, "gt", expected)}' in message
    assert not (tmp_path / 'out' / 'videos_cocoformat.json').exists()


def test_missing_frame_and_frames_of_two_sizes_are_named(tmp_path):
    video = write_video(str(tmp_path / 'videos'), 'v1', [GOOD], seq_length=3)
    os.remove(osp.join(video, 'img1', '000002.jpg'))
    message = error_of(tmp_path / 'videos', '--out', tmp_path / 'out', '--layout', 'air-mot')
    assert f'{video}/seqinfo.ini lists 3 frames but frame 2 (000002.jpg) is missing from {video}/img1' in message
    write_frames(video, [2], (64, 50))
    message = error_of(tmp_path / 'videos', '--out', tmp_path / 'out', '--layout', 'air-mot')
    assert f'{video}/img1/000002.jpg: frame of 64 x 50 px in a video of 64 x 48 px' in message
    no_size = write_video(str(tmp_path / 'mot15'), 'v2', ['1,1,5,5,6,6,1,-1,-1,-1'], 2,
                          seqinfo='[Sequence]\nname=v2\nseqLength=2\n')
    write_frames(no_size, [2], (30, 48))
    message = error_of(tmp_path / 'mot15', '--out', tmp_path / 'out', '--layout', 'mot15')
    assert f'{no_size}/img1/000002.jpg: frame of 30 x 48 px in a video of 64 x 48 px ({no_size}/img1/000001.jpg)' \
        in message
    assert not list((tmp_path / 'out').glob('*.json'))


def test_nothing_to_convert_and_bad_lists_or_seqinfo_are_named(tmp_path):
    (tmp_path / 'empty' / 'train').mkdir(parents=True)
    message = error_of(tmp_path / 'empty', '--out', tmp_path / 'out', '--layout', 'mot17')
    assert f'nothing to convert: no video folder with a seqinfo.ini in {tmp_path / "empty"}' in message
    (tmp_path / 'list.txt').write_text('v9\n')
    write_video(str(tmp_path / 'videos'), 'v1', [GOOD], seq_length=1)
    message = error_of(tmp_path / 'videos', '--out', tmp_path / 'o', '--layout', 'mot17', '--split-from',
                       tmp_path / 'list.txt')
    assert f'lists v9, but {tmp_path / "videos" / "v9" / "seqinfo.ini"} does not exist' in message
    (tmp_path / 'videos' / 'v1' / 'seqinfo.ini').write_text('[Sequence]\nname=v1\nframeRate=7.5\n')
    message = error_of(tmp_path / 'videos', '--out', tmp_path / 'o', '--layout', 'mot17')
    assert message.endswith(f'{tmp_path / "videos" / "v1" / "seqinfo.ini"}: no seqLength (the number of frames)')


def test_help():
    with pytest.raises(SystemExit) as exit_info:
        mot2coco.parse_args(['--help'])
    assert exit_info.value.code == 0
