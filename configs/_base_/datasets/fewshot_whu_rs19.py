# WHU-RS19 few-shot split (paper App. B.5.8, Table A2): 9 base classes (train), 5 validation and 5 novel
# (test) classes, about 50 images of 600 x 600 each, read from the release layout WHU-RS19/<Class>/*.jpg.
# Pipelines and episodes as for NWPU-RESISC45 (fewshot_nwpu_resisc45.py).
_base_ = ['./fewshot_nwpu_resisc45.py']
split = 'whu-rs19'
data_root = 'data/WHU-RS19'
train_dataloader = dict(dataset=dict(split=split, data_root=data_root))
val_dataloader = dict(dataset=dict(split=split, data_root=data_root))
test_dataloader = dict(dataset=dict(split=split, data_root=data_root))
