# UC Merced few-shot split (paper App. B.5.8, Table A2): 10 base classes (train), 5 validation and 6 novel
# (test) classes as Table A2 lists them (the text says 6 / 5: see mmringmoe/datasets/fewshot/scene_splits.py),
# 100 images of 256 x 256 each (a few are not square: resized to 256 x 256), read from the release layout
# UCMerced_LandUse/Images/<class>/<class>NN.tif. Pipelines and episodes as for NWPU-RESISC45.
_base_ = ['./fewshot_nwpu_resisc45.py']
split = 'ucm'
data_root = 'data/UCMerced_LandUse'
data_prefix = dict(img_path='Images')
train_dataloader = dict(dataset=dict(split=split, data_root=data_root, data_prefix=data_prefix))
val_dataloader = dict(dataset=dict(split=split, data_root=data_root, data_prefix=data_prefix))
test_dataloader = dict(dataset=dict(split=split, data_root=data_root, data_prefix=data_prefix))
