# mmdet 3.1 tracking (no mmtrack): ByteTrack with a YOLOX detector on a tiny RingMoE-KC backbone (toolkit
# smoke test; tests/test_toolkits/test_bytetrack.py). Mirrors mmdet's
# bytetrack_yolox_x_8xb4-80e_crowdhuman-mot17halftrain_test-mot17halfval.py.
default_scope = 'mmdet'
custom_imports = dict(imports=['mmringmoe'], allow_failed_imports=False)

norm_cfg = dict(type='BN', momentum=0.03, eps=0.001)
model = dict(
    type='ByteTrack',
    data_preprocessor=dict(
        type='TrackDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32,
        # ByteTrack trains its detector on single images and tracks on videos.
        use_det_processor=True),
    detector=dict(
        type='YOLOX',
        backbone=dict(
            type='mmringmoe.RingMoE-KC',
            arch='tiny',
            modality='opt',
            img_size=64,
            window_size=4,
            pad_small_map=True,
            drop_path_rate=0.1,
            out_indices=(1, 2, 3)),
        neck=dict(
            type='YOLOXPAFPN',
            in_channels=[64, 128, 256],
            out_channels=32,
            num_csp_blocks=1,
            norm_cfg=norm_cfg,
            act_cfg=dict(type='Swish')),
        bbox_head=dict(
            type='YOLOXHead',
            num_classes=1,
            in_channels=32,
            feat_channels=32,
            stacked_convs=2,
            strides=(8, 16, 32),
            norm_cfg=norm_cfg,
            act_cfg=dict(type='Swish'),
            loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=True, reduction='sum', loss_weight=1.0),
            loss_bbox=dict(type='IoULoss', mode='square', eps=1e-16, reduction='sum', loss_weight=5.0),
            loss_obj=dict(type='CrossEntropyLoss', use_sigmoid=True, reduction='sum', loss_weight=1.0),
            loss_l1=dict(type='L1Loss', reduction='sum', loss_weight=1.0)),
        train_cfg=dict(assigner=dict(type='SimOTAAssigner', center_radius=2.5)),
        test_cfg=dict(score_thr=0.01, nms=dict(type='nms', iou_threshold=0.7))),
    tracker=dict(
        type='ByteTracker',
        motion=dict(type='KalmanFilter'),
        obj_score_thrs=dict(high=0.6, low=0.1),
        init_track_thr=0.7,
        weight_iou_with_det_scores=True,
        match_iou_thrs=dict(high=0.1, low=0.5, tentative=0.3),
        num_frames_retain=30))

optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr=1e-4, weight_decay=0.05))
