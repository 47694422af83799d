"""mmringmoe.AIRMOTDataset / AIRHSAODataset on JSON written by mot2coco.py: what they read, and where they
differ from mmdet 3.1's MOTChallengeDataset (frames without objects, test-mode ground truth, ignore flags,
a JSON of another layout)."""
import pytest
from mmdet.datasets import MOTChallengeDataset
from mmdet.datasets.samplers import TrackImgSampler
from mot_layouts import converter, write_video

from mmringmoe.datasets import AIRHSAODataset, AIRMOTDataset
from mmringmoe.datasets.oriented_annotations import AnnotationError
from mmringmoe.registry import DATASETS

mot2coco = converter()
# clip-01: frame 1 an aircraft (sub-pixel box) and a ship; frame 2 empty; frame 3 the aircraft marked
# "ignore" (conf 0), a ship of 0.5 px and a ship outside the 160 x 90 frame
CLIP = ['1,7,100.25,50.5,12.4,8.6,1,1,0.75', '1,3,10,11,20,9,1,2,1', '3,7,101.5,50.75,12.4,8.6,0,1,1',
        '3,3,12,11,0.5,0.5,1,2,1', '3,4,170,20,8,8,1,2,1']


def air_mot_json(tmp_path, layout='air-mot', rows=CLIP) -> str:
    write_video(str(tmp_path / 'train'), 'clip-01', rows, seq_length=3, size=(160, 90))
    out = tmp_path / 'annotations' / 'train_cocoformat.json'
    assert mot2coco.main([str(tmp_path / 'train'), '--out', str(out), '--layout', layout]) == 0
    return str(out)


def build(cls, ann_file, **kwargs):
    return cls(data_root=str(ann_file).rsplit('/annotations/', 1)[0], ann_file=ann_file,
               data_prefix=dict(img_path='train'), pipeline=[], serialize_data=False, **kwargs)


def test_training_reads_floats_ignore_flags_and_frames_without_objects(tmp_path):
    ann_file = air_mot_json(tmp_path)
    with pytest.raises(AssertionError, match='No valid instances'):  # mmdet: every frame must hold an object
        build(MOTChallengeDataset, ann_file, metainfo=dict(classes=('aircraft', 'ship')))
    dataset = build(AIRMOTDataset, ann_file)
    (video, ) = dataset.data_list
    assert [f['frame_id'] for f in video['images']] == [0, 2]  # the empty frame is left out of training
    assert video['images'][0]['img_path'] == str(tmp_path / 'train' / 'clip-01' / 'img1' / '000001.jpg')
    aircraft, ship = video['images'][0]['instances']
    assert aircraft['bbox'] == pytest.approx([100.25, 50.5, 112.65, 59.1], abs=1e-9)
    assert aircraft['bbox'][2] - aircraft['bbox'][0] == pytest.approx(12.4, abs=1e-9)
    assert (aircraft['bbox_label'], aircraft['visibility'], aircraft['ignore_flag']) == (0, 0.75, 0)
    assert (ship['bbox_label'], ship['instance_id'] != aircraft['instance_id']) == (1, True)
    (ignored, ) = video['images'][1]['instances']  # the 0.5 px ship and the one outside: not training targets
    assert (ignored['instance_id'], ignored['ignore_flag'], ignored['mot_conf']) == (aircraft['instance_id'], 1, 0)
    sampler = TrackImgSampler(dataset, seed=0)
    assert sorted(sampler) == [(0, 0), (0, 1)]


def test_test_mode_keeps_every_annotated_box(tmp_path):
    ann_file = air_mot_json(tmp_path)
    ours = build(AIRMOTDataset, ann_file, test_mode=True).data_list[0]['images']
    mmdet = build(MOTChallengeDataset, ann_file, test_mode=True,
                  metainfo=dict(classes=('aircraft', 'ship'))).data_list[0]['images']
    assert [len(f['instances']) for f in ours] == [2, 0, 3]
    assert [len(f['instances']) for f in mmdet] == [2, 0, 1]  # mmdet drops the 0.5 px ship and the outside one
    tiny, outside = ours[2]['instances'][1:]
    assert tiny['bbox'] == [12, 11, 12.5, 11.5] and outside['bbox'] == [170, 20, 178, 28]


def test_json_of_another_layout_is_refused(tmp_path):
    ann_file = air_mot_json(tmp_path, 'air-hsao', rows=['1,1,5,5,6,6,1,1,1'])
    with pytest.raises(AnnotationError, match=f'{ann_file}: its categories do not name every class of '
                       r'AIRMOTDataset \(aircraft, ship\).*mot2coco.py --layout air-mot'):
        build(AIRMOTDataset, ann_file)
    hsao = DATASETS.build(dict(type='mmringmoe.AIRHSAODataset', ann_file=ann_file, data_prefix=dict(img_path='train'),
                               pipeline=[], test_mode=True))
    assert isinstance(hsao, AIRHSAODataset) and hsao.metainfo['classes'] == ('airplane', )
    assert hsao.get_data_info(0)['images'][0]['instances'][0]['bbox_label'] == 0
