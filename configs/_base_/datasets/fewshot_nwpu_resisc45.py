# NWPU-RESISC45 few-shot split (paper App. B.5.8, Table A2): 25 base classes (train), 10 validation and 10
# novel (test) classes, all 700 images of each class, read from the release layout
# NWPU-RESISC45/<class>/*.jpg. Images resized to 256 x 256; training adds a random crop (256 from the image
# padded by 32 px, reflected) and a horizontal flip (the paper's augmentations; crop size and padding are our
# choice). One training batch is one episode (mmringmoe.EpisodeBatchSampler); the configs set its shape and
# batch_size = n_way * (k_shot + n_query).
dataset_type = 'mmringmoe.FewShotSceneDataset'
split = 'nwpu-resisc45'
data_root = 'data/NWPU-RESISC45'
data_prefix = dict(img_path='')
load = dict(type='mmringmoe.LoadRasterImage', modality='opt', file_channels=('R', 'G', 'B'), expected_bands=3)
train_pipeline = [
    load,
    dict(type='Resize', scale=(256, 256)),
    dict(type='RandomCrop', crop_size=256, padding=32, padding_mode='reflect'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs')
]
test_pipeline = [load, dict(type='Resize', scale=(256, 256)), dict(type='PackInputs')]
train_dataloader = dict(
    batch_size=80,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),  # carries the dataset and seed to the batch sampler
    batch_sampler=dict(type='mmringmoe.EpisodeBatchSampler', n_way=5, k_shot=1, n_query=15),
    dataset=dict(
        type=dataset_type,
        split=split,
        subset='train',
        data_root=data_root,
        data_prefix=data_prefix,
        pipeline=train_pipeline))
# batch_size: images per forward when the episodes' unique images are encoded once
val_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        split=split,
        subset='val',
        data_root=data_root,
        data_prefix=data_prefix,
        pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        split=split,
        subset='test',
        data_root=data_root,
        data_prefix=data_prefix,
        pipeline=test_pipeline))
