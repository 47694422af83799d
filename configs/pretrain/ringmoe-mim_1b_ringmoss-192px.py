# RingMoE pretraining (Sec. 3.1-3.3, App. B.2-B.3). The paper's setting: the 1B arch (embed 448, depths
# [2, 2, 18, 2]; 14.7B parameters with experts), 192 px tiles of Opt, MS, SAR-L1 and SAR-L2 (random crop
# 0.2-1.0, horizontal flip), masked image modelling with one linear decoder per modality, Eq. 5 targets,
# Eq. 6-7 loss, AdamW lr 2e-4 and weight decay 0.05.
# Not in the paper, our choices (README, "Where the paper is silent: our choices"): SimMIM's masks of
# 32 px patches at ratio 0.6 (SimMIM's defaults at 192 px), SwinV2 windows [12, 12, 12, 6] (mmpretrain's
# SwinV2 at 192 px), alpha = 0.01 in L = L_recon + alpha L_balance (Switch Transformer's), the schedule,
# the batch and the modality mix.
#
# With DDP (this config) every device holds the whole model state: 14.7B parameters x 16 bytes (fp32
# weights, gradients, AdamW's two moments) = ~236 GB, more than any accelerator has. Train the 1B arch with
# the FSDP variant, ringmoe-mim_1b_fsdp_ringmoss-192px.py; this config is its base and runs smaller archs
# as they are (ringmoe-mim_base_ringmoss-192px.py).
_base_ = [
    '../_base_/models/ringmoe_mim.py',
    '../_base_/datasets/ringmoss_pretrain.py',
    '../_base_/schedules/mim_adamw-cosine_200k.py',
    '../_base_/pretrain_runtime.py',
]

# Batch size (per device) and the modality mix are not in the paper; the dataset base sets 128 tiles per
# device, 32 per modality. The lr is the paper's, at a total batch size it does not state.
