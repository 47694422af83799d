# BIT on a Siamese RingMoE-KC (Opt, 1B) on LEVIR-CD, 256 x 256 slices, AdamW 5e-5 linear to zero over
# 200 epochs (178k iterations at batch 8), stage 1 frozen (paper App. B.5.6). Paper: 92.59 F1 (Table A11).
_base_ = [
    '../_base_/models/bit_ringmoe_kc.py', '../_base_/datasets/levir_cd.py',
    '../_base_/schedules/cd_adamw-linear_200e_levir-cd.py', '../_base_/change_runtime.py'
]
crop_size = (256, 256)
model = dict(data_preprocessor=dict(size=crop_size))
