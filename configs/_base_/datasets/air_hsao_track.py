# AIR-HSAO (paper App. B.5.5): 197 Jilin clips of 1920 x 1080 px of fast airplanes (1437 trajectories); 128 training
# and 69 test clips. The release is in MOT-Challenge style (docs/datasets.md, "Tracking datasets"); convert it once:
#   python tools/dataset_converters/mot2coco.py data/AIR-HSAO --out data/AIR-HSAO/annotations --layout air-hsao
# Pipelines, loaders and metric: AIR-MOT's (air_mot_track.py); only the dataset, its folder and its class differ.
_base_ = './air_mot_track.py'
dataset_type = 'mmringmoe.AIRHSAODataset'
data_root = 'data/AIR-HSAO/'
classes = ('airplane', )
train_dataloader = dict(dataset=dict(data_root=data_root, metainfo=dict(classes=classes)))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = val_dataloader
