# mmpretrain: image classification (global average pooling + linear head) on a tiny RingMoE-KC backbone
# (toolkit smoke test; tests/test_toolkits/test_mmpretrain.py).
default_scope = 'mmpretrain'
custom_imports = dict(imports=['mmringmoe'], allow_failed_imports=False)

model = dict(
    type='ImageClassifier',
    data_preprocessor=dict(
        type='ClsDataPreprocessor',
        num_classes=5,
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    # The last stage's map is 2x2 at 64 px: per-stage windows, as in mmpretrain's SwinV2 configs
    # (window_size=[16, 16, 16, 8] at 256 px).
    backbone=dict(
        type='mmringmoe.RingMoE-KC',
        arch='tiny',
        modality='opt',
        img_size=64,
        window_size=[4, 4, 4, 2],
        drop_path_rate=0.1),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=5,
        in_channels=256,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, )))

optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr=1e-4, weight_decay=0.05))
