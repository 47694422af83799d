from .modality_batch_sampler import ModalityBatchSampler

__all__ = ['ModalityBatchSampler']
