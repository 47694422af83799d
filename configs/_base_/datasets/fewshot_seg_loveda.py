# LoveDA few-shot segmentation (paper App. B.5.8, Table A3): the 1024 x 1024 images of the release
# (Train/Val/{Urban,Rural}, read by mmringmoe.LoveDADataset), resized to 384 x 384; background is in no
# fold. Training episodes come from the Train split and the fold's base classes, the 1000 test episodes
# from the Val split and its novel classes. The configs in configs/fewshot/ set the fold (0-2).
data_root = 'data/LoveDA'
img_scale = (384, 384)
image_transforms = [
    dict(type='mmringmoe.LoadRasterImage', modality='opt', file_channels=('R', 'G', 'B'), expected_bands=3),
    dict(type='mmringmoe.LoadSegAnnotations'),
    dict(type='Resize', scale=img_scale, keep_ratio=False),
]
episode_pipeline = [
    dict(type='mmringmoe.LoadSegEpisode', transforms=image_transforms),
    dict(type='mmringmoe.PackSegEpisode')
]
source = dict(type='mmringmoe.LoveDADataset', data_root=data_root)
train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='mmringmoe.FewShotSegDataset',
        dataset=dict(source, split='Train'),
        benchmark='loveda',
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
        dataset=dict(source, split='Val'),
        benchmark='loveda',
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
