# ByteTrack on a YOLOX detector whose backbone is the dense RingMoE-KC (paper App. B.5.5: "compressed RingMoE-Opt
# (KC) as the backbone ... standard YOLOX as the detection framework", in mmdetection, ByteTrack as the tracker).
# RingMoE-KC (1B, optical branch) gives YOLOX's PAFPN three scales, its stages 1, 2, 3 (out_indices (1, 2, 3):
# strides 8, 16, 32, 896 / 1792 / 3584 channels), the strides of YOLOX's own CSPDarknet outputs. The neck and head
# widths are YOLOX-L's (256 channels, 3 CSP blocks), the YOLOX losses and SimOTA are mmdet's yolox_s_8xb8-300e_coco
# ones; the paper states none of them. Load the merged RingMoE-KC weights (prune.py --to kc) with
#   --cfg-options model.detector.backbone.init_cfg.type=Pretrained \
#                 model.detector.backbone.init_cfg.checkpoint=CKPT
# custom_imports (mmringmoe) comes with the runtime, configs/_base_/default_runtime.py.
norm_cfg = dict(type='BN', momentum=0.03, eps=0.001)  # YOLOX's
model = dict(
    type='ByteTrack',
    data_preprocessor=dict(
        type='TrackDataPreprocessor',
        mean=[123.675, 116.28, 103.53],  # R, G, B: the optical placeholders (configs/_base_/models/ringmoe_mim.py)
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=False,  # LoadRasterImage gives the modality's canonical order already
        pad_size_divisor=32,
        # the detector trains on single frames (a batch of images), the tracker runs on videos
        use_det_processor=True),
    detector=dict(
        type='YOLOX',
        backbone=dict(
            type='mmringmoe.RingMoE-KC',
            arch='1b',
            modality='opt',
            img_size=640,
            # Pretraining's windows (spec section 1), as in the other downstream configs.
            window_size=[12, 12, 12, 6],
            pretrained_window_sizes=[12, 12, 12, 6],
            drop_path_rate=0.3,
            out_indices=(1, 2, 3),
            pad_small_map=True),
        neck=dict(
            type='YOLOXPAFPN',
            in_channels=[896, 1792, 3584],
            out_channels=256,
            num_csp_blocks=3,
            norm_cfg=norm_cfg,
            act_cfg=dict(type='Swish')),
        bbox_head=dict(
            type='YOLOXHead',
            num_classes=2,
            in_channels=256,
            feat_channels=256,
            stacked_convs=2,
            strides=(8, 16, 32),
            norm_cfg=norm_cfg,
            act_cfg=dict(type='Swish'),
            loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=True, reduction='sum', loss_weight=1.0),
            loss_bbox=dict(type='IoULoss', mode='square', eps=1e-16, reduction='sum', loss_weight=5.0),
            loss_obj=dict(type='CrossEntropyLoss', use_sigmoid=True, reduction='sum', loss_weight=1.0),
            loss_l1=dict(type='L1Loss', reduction='sum', loss_weight=1.0)),
        train_cfg=dict(assigner=dict(type='SimOTAAssigner', center_radius=2.5)),
        # ByteTrack's NMS threshold 0.65 (paper) is the detector's NMS IoU threshold (ByteTrack's `nms`/`nmsthre`
        # goes to YOLOX's postprocess). Detections down to 0.01 (mmdet's ByteTrack configs) reach the tracker, which
        # uses those above 0.1.
        test_cfg=dict(score_thr=0.01, nms=dict(type='nms', iou_threshold=0.65))),
    # The paper's ByteTrack settings in ByteTrack's names (track_thresh 0.3, track_buffer 50, match_thresh 0.8)
    # and ByteTrack's fixed constants, in mmdet 3.1's ByteTracker names. ByteTrack thresholds its assignments by
    # a cost 1 - IoU (cost <= threshold matches); mmdet's ByteTracker takes IoU thresholds and passes
    # cost_limit = 1 - IoU to the same lap.lapjv: IoU threshold = 1 - ByteTrack's cost threshold.
    # tests/test_track/test_tracker_mapping.py pins every line by the tracker's behaviour.
    tracker=dict(
        # mmdet's ByteTracker with ByteTrack's rule that a new track needs det_thresh in every frame
        type='mmringmoe.DetThreshByteTracker',
        motion=dict(type='KalmanFilter'),
        # high: track_thresh 0.3, detections scoring above it enter the first association;
        # low: ByteTrack's fixed 0.1, detections between 0.1 and 0.3 enter the second association only.
        obj_score_thrs=dict(high=0.3, low=0.1),
        # ByteTrack's det_thresh = track_thresh + 0.1: the score a detection needs to start a track, in every frame
        # (mmdet's own ByteTracker applies it only in a video's first frame: mmringmoe.DetThreshByteTracker).
        init_track_thr=0.4,
        # ByteTrack's fuse_score (on unless --mot20): the first and the tentative association match on
        # IoU x detection score; the second association on plain IoU (mmdet, as ByteTrack).
        weight_iou_with_det_scores=True,
        # high: match_thresh 0.8 (a cost) -> IoU >= 0.2 in the first association;
        # low: ByteTrack's fixed cost 0.5 of the second association -> IoU >= 0.5;
        # tentative: ByteTrack's fixed cost 0.7 for unconfirmed tracks -> IoU >= 0.3.
        match_iou_thrs=dict(high=0.2, low=0.5, tentative=0.3),
        # ByteTrack confirms a new track when it is matched again in the next frame (its second frame) and drops
        # it if not; mmdet's default (3) would wait one frame longer.
        num_tentatives=2,
        # track_buffer 50 frames (at ByteTrack's default frame_rate 30, buffer = 50): ByteTrack drops a lost track
        # at the end of the first frame for which frame - last_seen > 50, after trying to match it in that frame,
        # so a track missing for 50 frames is still recovered in the 51st. mmdet drops it at the end of the first
        # frame for which frame - last_seen >= num_frames_retain: the same rule needs 51.
        num_frames_retain=51))
