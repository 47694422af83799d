# ISPRS Vaihingen for height estimation (paper App. B.5.7): near-infrared / red / green orthophotos (9 cm) and
# their heights, cut into 512 x 512 crops by tools/dataset_converters/isprs_height.py; 16 training and 17
# test tiles. Label: the normalised DSM (height above ground) by default, see README "Height estimation".
dataset_type = 'mmringmoe.VaihingenHeightDataset'
data_root = 'data/vaihingen_height'
# IRRG through the opt patch embedding, as the paper feeds Potsdam's IRRG in segmentation (App. B.5.2)
load_image = dict(
    type='mmringmoe.LoadRasterImage',
    modality='opt',
    file_channels=('NIR', 'R', 'G'),
    channel_order=('NIR', 'R', 'G'),
    expected_bands=3)
train_pipeline = [
    load_image,
    dict(type='mmringmoe.LoadHeightAnnotation'),
    # "random rotation and flipping": right angles and a flip, the 8 symmetries of the square
    dict(type='mmringmoe.RandomRotate90'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackSegInputs')
]
test_pipeline = [load_image, dict(type='mmringmoe.LoadHeightAnnotation'), dict(type='PackSegInputs')]
train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='img_dir/train', depth_map_path='height_dir/train'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='img_dir/val', depth_map_path='height_dir/val'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
# Rel and delta1-3 over pixels at least 1 m above ground, RMSE and MAE over all pixels with a height
val_evaluator = dict(type='mmringmoe.HeightMetric', min_height=1.0)
test_evaluator = val_evaluator
