# Stage 2 of the tracking detector (paper App. B.5.5): the backbone frozen, SGD with lr 4e-4 and weight decay 0.005,
# batch 2, starting from stage 1's checkpoint; the length (2 epochs) is counted in iterations by the dataset's
# schedule file (track_sgd_2e_*.py). Not stated in the paper: momentum 0.9 (mmdet's), a constant learning rate
# (no schedule is named), no decay on norms and biases.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=4e-4, momentum=0.9, weight_decay=0.005),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0))
param_scheduler = []
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
