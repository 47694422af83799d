# 1-shot segmentation on a frozen RingMoE-KC (1B), LoveDA fold 1 of Table A3, 384 x 384 inputs, SGD lr 0.003
# for 60 epochs at batch 8 (paper App. B.5.8). Paper (Table A16, RingMoE-KC): 28.77 mIoU, the mean of the
# three folds' mIoUs.
_base_ = [
    '../_base_/models/proto-seg_ringmoe_kc.py', '../_base_/datasets/fewshot_seg_loveda.py',
    '../_base_/schedules/fewshot_seg_sgd-poly_60e.py', '../_base_/seg_runtime.py'
]
model = dict(data_preprocessor=dict(size=(384, 384)), backbone=dict(img_size=384))
train_dataloader = dict(dataset=dict(fold=1))
val_dataloader = dict(dataset=dict(fold=1))
test_dataloader = val_dataloader
optim_wrapper = dict(optimizer=dict(lr=0.003))
