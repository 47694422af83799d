# NWPU-RESISC45 (paper App. B.5.1): 45 classes x 700 images of 256 x 256, 10% of each class for training
# and 90% for testing (Table 2), read from the split files of tools/dataset_converters/make_cls_split.py
# (--train-ratio 0.1 writes train_10pct.txt / test_90pct.txt; seed 0). Random crop 224, RandomFlip and
# RandomErasing; the test images are classified whole (256 x 256).
dataset_type = 'mmringmoe.NWPURESISC45Dataset'
data_root = 'data/NWPU-RESISC45'
crop_size = 224
load = dict(type='mmringmoe.LoadRasterImage', modality='opt', file_channels=('R', 'G', 'B'), expected_bands=3)
train_pipeline = [
    load,
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    # mmpretrain's Swin recipe: probability 0.25, random normal fill with the data statistics.
    dict(type='RandomErasing', erase_prob=0.25, mode='rand', min_area_ratio=0.02, max_area_ratio=1 / 3,
         fill_color=[123.675, 116.28, 103.53], fill_std=[58.395, 57.12, 57.375]),
    dict(type='PackInputs')
]
test_pipeline = [load, dict(type='PackInputs')]
train_dataloader = dict(
    batch_size=64,  # not stated in the paper; see the README
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='train_10pct.txt', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='test_90pct.txt', pipeline=test_pipeline))
test_dataloader = val_dataloader
# OA (the paper's metric) and each class's accuracy (its recall).
val_evaluator = [
    dict(type='Accuracy', topk=(1, )),
    dict(type='SingleLabelMetric', items=('recall', ), average=None)
]
test_evaluator = val_evaluator
