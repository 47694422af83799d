# ByteTrack + YOLOX on RingMoE-KC (1B, optical) for AIR-MOT (aircraft, ship), stage 2 of 2 (paper App. B.5.5): the
# backbone frozen, the neck and head fine-tuned on whole 1920 x 1080 frames, SGD lr 4e-4, weight decay 0.005,
# batch 2, 2 epochs, from stage 1's last checkpoint; then tracked with ByteTrack on the test videos.
# Paper: MOTA and IDF1 in Fig. A6.b (1.3 MOTA and 1.9 IDF1 above CFTracker).
_base_ = [
    '../_base_/models/bytetrack_yolox_ringmoe_kc.py', '../_base_/datasets/air_mot_track.py',
    '../_base_/schedules/track_sgd_2e_air-mot.py', '../_base_/track_runtime.py'
]
# frozen_stages=3: every stage of the 4-stage backbone, its patch embedding and output norms (no gradient, kept in
# eval mode; README, "Frozen backbone")
model = dict(detector=dict(bbox_head=dict(num_classes=2), backbone=dict(frozen_stages=3)))
train_dataloader = dict(dataset=dict(pipeline={{_base_.full_frame_train_pipeline}}))
# Stage 1's last checkpoint, in the work dir tools/train.py gives stage 1 by default.
load_from = 'work_dirs/bytetrack_yolox_ringmoe-kc_stage1-5e_air-mot-640x640/iter_18550.pth'
