# The 1B-arch RingMoE pretraining (ringmoe-mim_1b_ringmoss-192px.py) with mmengine's FlexibleRunner and
# PyTorch FSDP: parameters, gradients and optimizer states sharded over the ranks.
#
# Why: 14.7B parameters (tools/analysis_tools/count_params.py --arch 1b: 14,746,965,284; with the decoders
# 14,780,005,092) x 16 bytes per parameter in fp32 training (4 weight + 4 gradient + 8 for AdamW's exp_avg
# and exp_avg_sq) = ~236 GB per device under DDP. Fully sharded over N ranks that is 236/N GB per rank
# (8 ranks: 29.6 GB; 64 ranks: 3.7 GB), plus the block being computed, gathered whole (stage 3 of the 1B
# arch: 21 experts of 2 x 3584 x 14336 weights, ~2.2B parameters, 8.6 GB in fp32; FSDP may prefetch the
# next one), plus activations (with_cp recomputes each block in backward to keep them to one block's worth).
#
#   torchrun --nproc-per-node 8 tools/train.py configs/pretrain/ringmoe-mim_1b_fsdp_ringmoss-192px.py \
#       --launcher pytorch
_base_ = ['./ringmoe-mim_1b_ringmoss-192px.py']

model = dict(backbone=dict(with_cp=True))
# bf16 autocast, fp32 master weights (FSDPStrategy gives AmpOptimWrapper the sharded grad scaler). Not
# FSDP's MixedPrecision: it casts the weights but is no autocast, and SwinV2's attention adds float32
# tables and masks to the bf16 activations (a dtype error). No gradient clipping: mmengine's OptimWrapper
# clips with torch.nn.utils.clip_grad_norm_, which under FSDP sees only this rank's shard of the gradients
# (the global norm needs FSDP.clip_grad_norm_).
optim_wrapper = dict(type='AmpOptimWrapper', dtype='bfloat16', clip_grad=None)

runner_type = 'FlexibleRunner'
strategy = dict(
    type='FSDPStrategy',
    model_wrapper=dict(
        type='MMFullyShardedDataParallel',
        use_orig_params=True,
        # One FSDP unit per SwinV2 block (attention + RMoE layer); patch embeddings, norms and the decoders
        # stay in the root unit. See mmringmoe/engine/fsdp_wrap_policy.py.
        auto_wrap_policy=dict(type='ringmoe_block_wrap_policy')),
    # Each rank saves and loads its own shard ('local'); resume with the same number of ranks.
    state_dict_cfg='local')
