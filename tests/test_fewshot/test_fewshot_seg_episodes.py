"""1-shot segmentation episodes: the class-presence index, seeded test episodes (both images contain the
class), training episodes, and the one-line errors of a fold the data cannot serve."""
import numpy as np
import pytest
from fewshot_seg_layouts import make_isaid, make_loveda
from PIL import Image

from mmringmoe.datasets.fewshot import FewShotSegDataset
from mmringmoe.datasets.fewshot.episode_sampler import FewShotDataError
from mmringmoe.datasets.fewshot.seg_episodes import ClassPresenceIndex, draw_test_episodes, draw_train_episode

# 8 images x 4 classes: pixel counts
COUNTS = np.array([[10, 5, 0, 0], [10, 0, 3, 0], [10, 5, 3, 0], [10, 0, 0, 1], [10, 9, 0, 0], [10, 0, 0, 0],
                   [10, 1, 8, 0], [10, 0, 0, 7]])


def test_presence_index_counts_pixels_of_each_class():
    labels = [np.array([[0, 1, 1], [255, 2, 1]]), np.array([[3, 3, 255], [0, 0, 0]])]
    index = ClassPresenceIndex.from_loader(2, 4, lambda i: labels[i], min_pixels=2)
    np.testing.assert_array_equal(index.pixel_counts, [[1, 3, 1, 0], [3, 0, 0, 2]])  # 255 not counted
    assert index.images == {0: [1], 1: [0], 2: [], 3: [1]}
    assert index.images_with([1, 3]) == [0, 1] and index.contains(1, 3) and not index.contains(0, 0)


def test_test_episodes_are_seeded_class_balanced_and_both_images_contain_the_class():
    index = ClassPresenceIndex(COUNTS, min_pixels=2)
    episodes = draw_test_episodes(index, [1, 2], 40, seed=3)
    assert episodes == draw_test_episodes(index, [1, 2], 40, seed=3)
    assert episodes != draw_test_episodes(index, [1, 2], 40, seed=4)
    assert episodes[:10] == draw_test_episodes(index, [1, 2], 10, seed=3)  # episode i does not depend on n
    assert [cls for cls, _, _ in episodes] == [1, 2] * 20
    for cls, query, support in episodes:
        assert query != support and COUNTS[query, cls] >= 2 and COUNTS[support, cls] >= 2
    assert len({(query, support) for _, query, support in episodes}) > 10  # pairs vary from episode to episode


def test_training_episode_draws_a_class_of_the_query_and_another_image_with_it():
    index = ClassPresenceIndex(COUNTS, min_pixels=2)
    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(50):
        cls, support = draw_train_episode(rng, index, 2, [1, 2])
        assert cls in (1, 2) and support != 2 and COUNTS[support, cls] >= 2
        seen.add((cls, support))
    assert {cls for cls, _ in seen} == {1, 2}  # both classes of image 2 are drawn


def test_a_class_in_fewer_than_two_images_is_one_line():
    index = ClassPresenceIndex(COUNTS, min_pixels=2)
    with pytest.raises(FewShotDataError, match="fold x: only one image contains class 'd'"):
        index.check_episode_classes({1: 'b', 3: 'd'}, 'fold x')
    with pytest.raises(FewShotDataError, match="fold x: no image contains class 'c'"):
        ClassPresenceIndex(COUNTS, min_pixels=9).check_episode_classes({2: 'c'}, 'fold x')


EPISODE_PIPELINE = [
    dict(type='mmringmoe.LoadSegEpisode', transforms=[
        dict(type='mmringmoe.LoadRasterImage', modality='opt', file_channels=('R', 'G', 'B'), expected_bands=3),
        dict(type='mmringmoe.LoadSegAnnotations')]),
    dict(type='mmringmoe.PackSegEpisode')
]


def test_dataset_episodes_hold_the_fold_class_in_both_masks(tmp_path):
    root = make_loveda(str(tmp_path / 'LoveDA'))
    dataset = FewShotSegDataset(dict(type='mmringmoe.LoveDADataset', data_root=root, split='Val'), 'loveda', 0,
                                num_episodes=4, seed=1, min_pixels=1, pipeline=EPISODE_PIPELINE)
    assert dataset.metainfo['classes'] == ('building', 'road') and len(dataset) == 4
    for i in range(4):
        packed = dataset[i]
        sample = packed['data_samples']
        assert sample.fewshot_class == ('building', 'road')[i % 2] and sample.support_path != sample.img_path
        assert packed['inputs'].shape == (6, 64, 64)
        for mask in (sample.gt_sem_seg.data, sample.support_sem_seg.data):
            assert set(mask.unique().tolist()) == {0, 1, 255}  # the class, the rest, LoveDA's no-data
        raw = np.array(Image.open(sample.img_path.replace('images_png', 'masks_png')))
        class_value = 2 + i % 2  # building = 2, road = 3 in the release's masks
        np.testing.assert_array_equal(sample.gt_sem_seg.data[0].numpy() == 1, raw == class_value)
    again = FewShotSegDataset(dict(type='mmringmoe.LoveDADataset', data_root=root, split='Val'), 'loveda', 0,
                              num_episodes=4, seed=1, min_pixels=1, pipeline=EPISODE_PIPELINE)
    assert [again[i]['data_samples'].support_path for i in range(4)] == \
        [dataset[i]['data_samples'].support_path for i in range(4)]


def test_a_fold_naming_a_class_absent_from_the_data_is_one_line(tmp_path):
    root = make_isaid(str(tmp_path / 'iSAID'), images_per_split=2)
    with pytest.raises(FewShotDataError, match=r"loveda fold 0 \(test\): class 'building' is not a class of ISAID"):
        FewShotSegDataset(dict(type='mmringmoe.ISAIDDataset', data_root=root,
                               data_prefix=dict(img_path='img_dir/val', seg_map_path='ann_dir/val')), 'loveda', 0)
    # every patch has 16 x 16 = 256 pixels of each class: with a higher threshold no image contains it
    with pytest.raises(FewShotDataError, match=r"isaid fold 1 \(train\): no image contains class 'ship'"):
        FewShotSegDataset(dict(type='mmringmoe.ISAIDDataset', data_root=root,
                               data_prefix=dict(img_path='img_dir/train', seg_map_path='ann_dir/train')), 'isaid',
                          1, mode='train', min_pixels=257)


def test_training_dataset_has_one_episode_per_image_with_a_base_class(tmp_path):
    root = make_loveda(str(tmp_path / 'LoveDA'))
    dataset = FewShotSegDataset(dict(type='mmringmoe.LoveDADataset', data_root=root, split='Train'), 'loveda', 1,
                                mode='train', min_pixels=1, pipeline=EPISODE_PIPELINE)
    assert dataset.metainfo['classes'] == ('building', 'road', 'forest', 'agriculture') and len(dataset) == 4
    np.random.seed(0)
    for i in range(len(dataset)):
        sample = dataset[i]['data_samples']
        assert sample.img_path == dataset.source_infos[i]['img_path'] and sample.support_path != sample.img_path
        assert sample.fewshot_class in dataset.metainfo['classes']
        assert (sample.support_sem_seg.data == 1).any() and (sample.gt_sem_seg.data == 1).any()
    # the loading transforms append to an info's seg_fields: they work on copies
    assert all(info['seg_fields'] == [] for info in dataset.source_infos)
