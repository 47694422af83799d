# RingMoE pretraining with the Swin-B sized encoder (the paper's "RingMoE@Swin-88M" sizes: embed 128, depths
# [2, 2, 18, 2]; with 4 x 4 specialized, 4 collaborative and 1 shared expert per block), otherwise as
# ringmoe-mim_1b_ringmoss-192px.py. Fits DDP on 80 GB devices.
_base_ = ['./ringmoe-mim_1b_ringmoss-192px.py']

model = dict(
    backbone=dict(arch='base'),
    neck=dict(in_channels=128 * 2**3))
