# 5-way 1-shot scene classification on NWPU-RESISC45's novel classes (paper App. B.5.8, Table A2 split) with
# RelationNet on the frozen RingMoE-KC (1B), 15 queries per class, 600 test episodes (mean +- 95% interval).
# Paper (Table A4, 5-way 1-shot): 77.75 +- 0.26 (RingMoE-KC); RingMoE(6.5B) 78.91, -EP 78.43, -KS 76.72, -KA
# 77.12. The merged KS / KA / KC backbone:
#   --cfg-options model.backbone.init_cfg.type=Pretrained model.backbone.init_cfg.checkpoint=CKPT
_base_ = [
    '../_base_/models/relationnet_ringmoe_kc.py', '../_base_/datasets/fewshot_nwpu_resisc45.py',
    '../_base_/schedules/fewshot_sgd_10k.py', '../_base_/fewshot_runtime.py'
]
n_way, k_shot, n_query = 5, 1, 15
model = dict(n_way=n_way, k_shot=k_shot)
train_dataloader = dict(
    batch_size=n_way * (k_shot + n_query), batch_sampler=dict(n_way=n_way, k_shot=k_shot, n_query=n_query))
val_cfg = dict(n_way=n_way, k_shot=k_shot, n_query=n_query)
test_cfg = dict(n_way=n_way, k_shot=k_shot, n_query=n_query)
