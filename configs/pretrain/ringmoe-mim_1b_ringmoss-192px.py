# RingMoE pretraining, the paper's setting (Sec. 3.1-3.3, App. B.3): the 1B arch (14.7B parameters with
# experts), 192 px tiles of Opt, MS, SAR-L1 and SAR-L2, SimMIM masks of 32 px patches at ratio 0.6,
# AdamW lr 2e-4 and weight decay 0.05, L = L_recon + 0.01 L_balance.
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
