# SARDet-100K (paper Table A15): amplitude chips of several sources and sizes, read once as one-band SAR-L2
# (mmringmoe.GreyLoadRasterImage: one band, or three equal bands) and resized to 800 x 800 (keeping the aspect
# ratio); COCO annotations, train -> val (validation) and test (testing). RandomFlip only (paper).
dataset_type = 'mmringmoe.SARDet100KDataset'
data_root = 'data/SARDet_100K/'
# Loading, pipelines and metrics: HRSID's (hrsid_det.py); only the files and the separate test split differ.
_base_ = './hrsid_det.py'
train_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='Annotations/train.json',
        data_prefix=dict(img='JPEGImages/train/')))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type, data_root=data_root, ann_file='Annotations/val.json',
        data_prefix=dict(img='JPEGImages/val/')))
test_dataloader = dict(
    dataset=dict(
        type=dataset_type, data_root=data_root, ann_file='Annotations/test.json',
        data_prefix=dict(img='JPEGImages/test/')))
val_evaluator = [
    dict(type='VOCMetric', metric='mAP', iou_thrs=[0.5], eval_mode='area'),
    dict(type='CocoMetric', ann_file=data_root + 'Annotations/val.json', metric='bbox', classwise=True)
]
test_evaluator = [
    dict(type='VOCMetric', metric='mAP', iou_thrs=[0.5], eval_mode='area'),
    dict(type='CocoMetric', ann_file=data_root + 'Annotations/test.json', metric='bbox', classwise=True)
]
