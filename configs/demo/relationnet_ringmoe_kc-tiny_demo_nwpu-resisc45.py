# The few-shot demo (tools/demo/run_demo.py --task fewshot): RelationNet on a frozen tiny RingMoE-KC, trained
# episodically on the CPU on generated texture scenes of 15 classes in NWPU-RESISC45's layout
# (tools/dataset_converters/make_demo_cls_data.py, 30 images of 64 x 64 per class): 10 base classes train the
# relation module, 600 5-way 1-shot episodes (15 queries per class) of the 5 other (novel) classes test it. It
# is the paper's NWPU-RESISC45 1-shot config with a small, randomly initialised backbone (no pretrained tiny
# weights exist: its frozen features are random projections), 64 px images and a short schedule (100 training
# episodes) with a larger learning rate.
_base_ = ['../fewshot/relationnet_ringmoe_kc_10k_5way-1shot_nwpu-resisc45-256x256.py']
data_root = 'data/demo/NWPU-RESISC45'
base_classes = ('airplane', 'airport', 'baseball_diamond', 'basketball_court', 'beach', 'bridge', 'chaparral',
                'church', 'circular_farmland', 'cloud')
novel_classes = ('commercial_area', 'dense_residential', 'desert', 'forest', 'freeway')
size = 64
model = dict(
    backbone=dict(arch='tiny', img_size=size, window_size=[4, 4, 4, 2], pretrained_window_sizes=[4, 4, 4, 2]),
    relation=dict(in_channels=256, feat_size=2))
load = dict(type='mmringmoe.LoadRasterImage', modality='opt', file_channels=('R', 'G', 'B'), expected_bands=3)
train_pipeline = [
    load,
    dict(type='Resize', scale=(size, size)),
    dict(type='RandomCrop', crop_size=size, padding=8, padding_mode='reflect'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs')
]
test_pipeline = [load, dict(type='Resize', scale=(size, size)), dict(type='PackInputs')]
train_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        split=None, metainfo=dict(classes=base_classes), data_root=data_root, pipeline=train_pipeline))
# the demo has no validation classes: its (single) validation runs on the novel classes
val_dataloader = dict(
    num_workers=0,
    dataset=dict(
        split=None, metainfo=dict(classes=novel_classes), data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
optim_wrapper = dict(optimizer=dict(lr=0.01))
train_cfg = dict(max_iters=100, val_interval=100)
default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=100, save_best=None, max_keep_ckpts=1))
