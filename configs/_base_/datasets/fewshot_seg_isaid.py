# iSAID few-shot segmentation (paper App. B.5.8, Table A3): the 896 x 896 patches of mmseg's converter
# (tools/dataset_converters/isaid.py), resized to 256 x 256. Training episodes come from the train split and
# the fold's base classes, the 1000 test episodes from the val split and its novel classes. The configs in
# configs/fewshot/ set the fold (0-2).
data_root = 'data/iSAID'
img_scale = (256, 256)
image_transforms = [
    dict(type='mmringmoe.LoadRasterImage', modality='opt', file_channels=('R', 'G', 'B'), expected_bands=3),
    dict(type='mmringmoe.LoadSegAnnotations'),
    dict(type='Resize', scale=img_scale, keep_ratio=False),
]
episode_pipeline = [
    dict(type='mmringmoe.LoadSegEpisode', transforms=image_transforms),
    dict(type='mmringmoe.PackSegEpisode')
]
source = dict(type='mmringmoe.ISAIDDataset', data_root=data_root)
train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='mmringmoe.FewShotSegDataset',
        dataset=dict(source, data_prefix=dict(img_path='img_dir/train', seg_map_path='ann_dir/train')),
        benchmark='isaid',
        fold=0,
        mode='train',
        pipeline=episode_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='mmringmoe.FewShotSegDataset',
        dataset=dict(source, data_prefix=dict(img_path='img_dir/val', seg_map_path='ann_dir/val')),
        benchmark='isaid',
        fold=0,
        mode='test',
        num_episodes=1000,
        seed=0,
        pipeline=episode_pipeline))
test_dataloader = val_dataloader
# each unique image of the episodes is loaded and forwarded once, the episodes scored from its cached
# features and label (the same numbers as testing episode by episode: tests/test_fewshot/test_fewshot_seg_loop.py)
val_cfg = dict(type='mmringmoe.EpisodicSegValLoop')
test_cfg = dict(type='mmringmoe.EpisodicSegTestLoop')
val_evaluator = dict(type='mmringmoe.FewShotSegMetric')
test_evaluator = val_evaluator
