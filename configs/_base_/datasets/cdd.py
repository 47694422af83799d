# CDD, "Real" subset (paper App. B.5.6): 10000 / 3000 / 3000 season-varying pairs of 256 x 256, labels
# thresholded at 128 by tools/dataset_converters/change_detection.py --dataset cdd. Pipelines and metric
# as for LEVIR-CD.
_base_ = ['./levir_cd.py']
cdd = dict(type='mmringmoe.CDDDataset', data_root='data/CDD')
train_dataloader = dict(dataset=cdd)
val_dataloader = dict(dataset=cdd)
test_dataloader = dict(dataset=cdd)
