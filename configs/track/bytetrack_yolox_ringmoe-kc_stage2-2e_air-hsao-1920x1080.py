# ByteTrack + YOLOX on RingMoE-KC (1B, optical) for AIR-HSAO (airplane), stage 2 of 2 (paper App. B.5.5): the
# backbone frozen, the neck and head fine-tuned on whole 1920 x 1080 frames, SGD lr 4e-4, weight decay 0.005,
# batch 2, 2 epochs, from stage 1's last checkpoint; then tracked with ByteTrack on the test videos.
# Paper: MOTA 83.10 with RingMoE-KC (Table A16); Fig. A6.b: 2.2 MOTA and 2.0 IDF1 above MGTrack.
_base_ = [
    '../_base_/models/bytetrack_yolox_ringmoe_kc.py', '../_base_/datasets/air_hsao_track.py',
    '../_base_/schedules/track_sgd_2e_air-hsao.py', '../_base_/track_runtime.py'
]
# frozen_stages=3: every stage of the 4-stage backbone, its patch embedding and output norms (no gradient, kept in
# eval mode; README, "Frozen backbone")
model = dict(detector=dict(bbox_head=dict(num_classes=1), backbone=dict(frozen_stages=3)))
train_dataloader = dict(dataset=dict(pipeline={{_base_.full_frame_train_pipeline}}))
# Stage 1's last checkpoint, in the work dir tools/train.py gives stage 1 by default.
load_from = 'work_dirs/bytetrack_yolox_ringmoe-kc_stage1-5e_air-hsao-640x640/iter_22400.pth'
