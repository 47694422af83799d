# 5-way 5-shot scene classification on UCM's novel classes (paper App. B.5.8, Table A2 split) with
# RelationNet on the frozen RingMoE-KC (1B), 15 queries per class, 600 test episodes (mean +- 95% interval).
# Paper: App. B.5.8 evaluates 5-shot too, but Table A4 reports 5-way 1-shot accuracies only.
# The merged KS / KA / KC backbone:
#   --cfg-options model.backbone.init_cfg.type=Pretrained model.backbone.init_cfg.checkpoint=CKPT
_base_ = [
    '../_base_/models/relationnet_ringmoe_kc.py', '../_base_/datasets/fewshot_ucm.py',
    '../_base_/schedules/fewshot_sgd_10k.py', '../_base_/fewshot_runtime.py'
]
n_way, k_shot, n_query = 5, 5, 15
model = dict(n_way=n_way, k_shot=k_shot)
train_dataloader = dict(
    batch_size=n_way * (k_shot + n_query), batch_sampler=dict(n_way=n_way, k_shot=k_shot, n_query=n_query))
val_cfg = dict(n_way=n_way, k_shot=k_shot, n_query=n_query)
test_cfg = dict(n_way=n_way, k_shot=k_shot, n_query=n_query)
