# AIR-MOT (paper App. B.5.5): 152 Jilin-1 videos of 1920 x 1080 px at 5-10 fps, aircraft and ships; 106 training and
# 46 test videos. The release is in MOT-Challenge style (docs/datasets.md, "Tracking datasets"); convert it once:
#   python tools/dataset_converters/mot2coco.py data/AIR-MOT --out data/AIR-MOT/annotations --layout air-mot
# The detector trains on single frames (mmdet's CocoDataset reads the same video JSON image by image, as mmdet's
# ByteTrack configs do); tracking is evaluated video by video on the test split with MOTA, IDF1, HOTA per class.
# Stage 1 trains on 640 x 640 crops of the frames (paper); stage 2 on whole frames (full_frame_train_pipeline).
# Frames are read and tracked at their own 1920 x 1080 size (padded to 1920 x 1088 for the strides).
dataset_type = 'mmringmoe.AIRMOTDataset'
data_root = 'data/AIR-MOT/'
classes = ('aircraft', 'ship')
load_image = dict(
    type='mmringmoe.LoadRasterImage', modality='opt', file_channels=('R', 'G', 'B'), expected_bands=3)
crop_size = (640, 640)
# Frames keep their own size (no resize in the paper); this records scale_factor 1 for the packers and for YOLOX,
# which divides its boxes by it.
keep_size = dict(type='Resize', scale_factor=1.0, keep_ratio=True)
# no flip: mmdet's default keys would ask for one
pack_frame = dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor'))
train_pipeline = [
    load_image,
    dict(type='LoadAnnotations', with_bbox=True),
    keep_size,
    # Not stated in the paper: crops hold at least one object (mmdet's default; a crop without any is redrawn
    # from another frame) and boxes cut by the crop are clipped to it, then dropped below 1 px.
    dict(type='RandomCrop', crop_size=crop_size, allow_negative_crop=False, bbox_clip_border=True),
    dict(type='FilterAnnotations', min_gt_bbox_wh=(1, 1), keep_empty=False),
    pack_frame
]
full_frame_train_pipeline = [load_image, dict(type='LoadAnnotations', with_bbox=True), keep_size, pack_frame]
test_pipeline = [
    dict(type='TransformBroadcaster', transforms=[load_image, keep_size, dict(type='LoadTrackAnnotations')]),
    dict(type='PackTrackInputs')
]
train_dataloader = dict(
    batch_size=2,  # the paper's batch; the schedules count iterations of it
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='CocoDataset',
        data_root=data_root,
        ann_file='annotations/train_cocoformat.json',
        data_prefix=dict(img='train/'),
        metainfo=dict(classes=classes),
        filter_cfg=dict(filter_empty_gt=True),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,  # ByteTrack tracks one video at a time
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='TrackImgSampler'),  # frame by frame, videos in order
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/test_cocoformat.json',
        data_prefix=dict(img_path='test/'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
# MOTA and IDF1 as the paper reports them, with HOTA, ID switches, FP and FN, per class and over all classes.
val_evaluator = dict(type='mmringmoe.MultiClassMOTMetric')
test_evaluator = val_evaluator
