# BinsFormer + RingMoE-KC (1B) on ISPRS Potsdam (R, G, B), 512 x 512 crops, 38.4k iterations, batch 8
# (paper App. B.5.7). Paper: Rel 0.046, delta1 0.970 (Table A12).
_base_ = [
    '../_base_/models/binsformer_ringmoe_kc.py', '../_base_/datasets/potsdam_height.py',
    '../_base_/schedules/height_adamw-cosine_38.4k.py', '../_base_/height_runtime.py'
]
