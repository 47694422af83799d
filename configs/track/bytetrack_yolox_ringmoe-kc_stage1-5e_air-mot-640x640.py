# ByteTrack + YOLOX on RingMoE-KC (1B, optical) for AIR-MOT (aircraft, ship), stage 1 of 2 (paper App. B.5.5): the
# detector trained on 640 x 640 crops of the training frames, all parameters, AdamW lr 1e-5, weight decay 0.005,
# batch 2, linear warm-up over 5000 iterations from 0.1 x lr, then constant, 5 epochs.
# Paper: MOTA and IDF1 in Fig. A6.b (1.3 MOTA and 1.9 IDF1 above CFTracker).
# Then stage 2: bytetrack_yolox_ringmoe-kc_stage2-2e_air-mot-1920x1080.py (loads this stage's last checkpoint).
_base_ = [
    '../_base_/models/bytetrack_yolox_ringmoe_kc.py', '../_base_/datasets/air_mot_track.py',
    '../_base_/schedules/track_adamw-warmup_5e_air-mot.py', '../_base_/track_runtime.py'
]
model = dict(detector=dict(bbox_head=dict(num_classes=2)))
