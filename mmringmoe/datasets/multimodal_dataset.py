"""Unpaired multi-modal pretraining data: one tile dataset per modality (paper Sec. 3.1 and 3.5)."""
from typing import Dict, List, Mapping, Sequence, Union

from mmengine.dataset import BaseDataset, ConcatDataset

from mmringmoe.registry import DATASETS

DatasetArg = Union[BaseDataset, dict]


@DATASETS.register_module()
class MultiModalDataset(ConcatDataset):
    """The per-modality datasets of RingMoE pretraining, concatenated (mmengine ``ConcatDataset``).

    The modalities are unpaired (paper Sec. 3.5): an item is one tile of one modality and keeps the
    ``modality`` key its dataset gives it. Global indices run through the datasets in order;
    :attr:`modality_ranges` tells which global indices belong to which modality, which is what
    :class:`~mmringmoe.datasets.samplers.ModalityBatchSampler` uses to fill each batch in fixed
    proportions.

    Args:
        datasets (dict | Sequence): ``{modality: dataset config or dataset}`` (the modality is passed to
            each config as ``modality``, so ``ModalityTileDataset`` configs need not repeat it), or a
            sequence of configs/datasets that each carry a ``modality`` attribute. Modalities must be
            unique.
        lazy_init (bool): as in ``ConcatDataset``. Defaults to False.
        ignore_keys (list[str], optional): metainfo keys allowed to differ between datasets, besides
            ``modality``, which always may.
    """

    def __init__(self,
                 datasets: Union[Mapping[str, DatasetArg], Sequence[DatasetArg]],
                 lazy_init: bool = False,
                 ignore_keys: Union[str, List[str], None] = None) -> None:
        if isinstance(datasets, Mapping):
            items = list(datasets.items())
        else:
            items = [(None, d) for d in datasets]
        if not items:
            raise ValueError('MultiModalDataset: no datasets given')
        built, modalities = [], []
        for key, dataset in items:
            if isinstance(dataset, dict):
                cfg = dict(dataset)
                if key is not None:
                    cfg.setdefault('modality', key)
                dataset = DATASETS.build(cfg)
            modality = getattr(dataset, 'modality', None) or dataset.metainfo.get('modality')
            if modality is None or (key is not None and modality != key):
                raise ValueError(f'MultiModalDataset: dataset {key or len(built)} has modality {modality!r}; '
                                 f'each dataset needs its own modality (the key it is given under)')
            built.append(dataset)
            modalities.append(modality)
        if len(set(modalities)) != len(modalities):
            raise ValueError(f'MultiModalDataset: duplicate modalities {modalities}')
        self.modalities: List[str] = modalities
        ignore = [ignore_keys] if isinstance(ignore_keys, str) else list(ignore_keys or [])
        super().__init__(built, lazy_init=lazy_init, ignore_keys=ignore + ['modality'])

    @property
    def metainfo(self) -> dict:
        """The first dataset's metainfo with ``modalities``, the modality names in dataset order."""
        return dict(super().metainfo, modalities=list(self.modalities))

    @property
    def modality_ranges(self) -> Dict[str, range]:
        """``{modality: range of its global indices}``, in dataset order."""
        self.full_init()
        starts = [0] + list(self.cumulative_sizes[:-1])
        return {m: range(s, e) for m, s, e in zip(self.modalities, starts, self.cumulative_sizes)}

    @property
    def num_skipped(self) -> Dict[str, int]:
        """``{modality: bad tiles skipped}`` for the datasets that count them (``ModalityTileDataset``)."""
        return {m: d.num_skipped for m, d in zip(self.modalities, self.datasets) if hasattr(d, 'num_skipped')}
