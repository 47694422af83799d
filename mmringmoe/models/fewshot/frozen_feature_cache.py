"""Features of a frozen backbone, computed once per unique image of an evaluation (paper App. B.5.8).

In the paper's few-shot protocols the backbone (RingMoE-KC) is frozen in training and testing, so an image's
features do not depend on the episode it appears in. A few-shot test draws the same image into many episodes
(600 classification episodes of 80-100 images, 1000 segmentation episodes per fold): the cache loads and
forwards each unique image once and answers every later request from memory.
"""
from typing import Callable, Dict, Hashable, List, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor, nn

Features = Union[Tensor, Tuple[Tensor, ...]]


class FrozenFeatureCache:
    """Per-key features of ``backbone`` in eval mode without gradients, each key loaded and forwarded once.

    Args:
        backbone (nn.Module): the frozen module. It is put in eval mode before every forward (no dropout, drop
            path or routing noise), and runs under ``torch.no_grad()``.
        forward (callable, optional): ``images -> features`` (a tensor ``[B, ...]`` or a tuple of them, e.g.
            the stages of a backbone, or a projection of its features that stays fixed during the evaluation);
            defaults to ``backbone`` itself.
        batch_size (int): the most images forwarded at once. Defaults to 32.
        store (callable, optional): applied to each forwarded batch of features before they are kept (e.g.
            ``lambda t: t.half()`` or ``.cpu()`` to save device memory). Defaults to keeping them as computed.

    ``forwarded`` counts the images forwarded since the cache was built (tests and benchmarks read it). The
    features are kept as one table per output (rows appended batch by batch, joined when next read), so a
    lookup of any keys is one ``index_select``; joining briefly needs twice the table's memory.
    """

    def __init__(self,
                 backbone: nn.Module,
                 forward: Optional[Callable[[Tensor], Features]] = None,
                 batch_size: int = 32,
                 store: Optional[Callable[[Tensor], Tensor]] = None) -> None:
        if batch_size < 1:
            raise ValueError(f'batch_size must be >= 1, got {batch_size}')
        self.backbone = backbone
        self.forward = forward if forward is not None else backbone
        self.batch_size = batch_size
        self.store = store
        self.forwarded = 0
        self._rows: Dict[Hashable, int] = {}
        self._chunks: List[List[Tensor]] = []  # per output: its tensors, one per forwarded batch until joined
        self._is_tuple: Optional[bool] = None

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._rows

    def clear(self) -> None:
        """Forget every feature (at the end of an evaluation, or when the forward's weights change)."""
        self._rows.clear()
        self._chunks = []
        self._is_tuple = None

    def prefetch(self, keys: Sequence[Hashable], load: Callable[[Sequence[Hashable]], Tensor]) -> None:
        """Load and forward the keys not cached yet, in chunks of at most ``batch_size`` distinct keys.

        ``load(missing)`` must return their batched input images ``[len(missing), C, H, W]``; it is called
        only for those keys, so each image is also loaded once.
        """
        missing = list(dict.fromkeys(k for k in keys if k not in self._rows))
        for start in range(0, len(missing), self.batch_size):
            chunk = missing[start:start + self.batch_size]
            images = load(chunk)
            if len(images) != len(chunk):
                raise ValueError(f'load returned {len(images)} images for {len(chunk)} keys')
            self._add(chunk, self._forward(images))

    def features(self, keys: Sequence[Hashable], load: Callable[[Sequence[Hashable]], Tensor]) -> Features:
        """The features of ``keys`` stacked in their order (duplicates allowed), with the structure of the
        forward's output; missing keys are first loaded and forwarded (:meth:`prefetch`)."""
        if len(keys) == 0:
            raise ValueError('features: no keys')
        self.prefetch(keys, load)
        tables = self._tables()
        index = torch.as_tensor([self._rows[k] for k in keys], device=tables[0].device)
        picked = tuple(table.index_select(0, index) for table in tables)
        return picked if self._is_tuple else picked[0]

    def _forward(self, images: Tensor) -> Features:
        self.backbone.eval()
        with torch.no_grad():
            out = self.forward(images)
        self.forwarded += len(images)
        return out

    def _add(self, keys: Sequence[Hashable], out: Features) -> None:
        is_tuple = isinstance(out, (tuple, list))
        if self._is_tuple is None:
            self._is_tuple = is_tuple
            self._chunks = [[] for _ in (out if is_tuple else (out, ))]
        elif self._is_tuple != is_tuple:
            raise TypeError('the forward returned a tensor for some images and a tuple for others')
        for chunks, part in zip(self._chunks, out if is_tuple else (out, )):
            part = part.detach()
            chunks.append(self.store(part) if self.store else part)
        for key in keys:
            self._rows[key] = len(self._rows)

    def _tables(self) -> List[Tensor]:
        for i, chunks in enumerate(self._chunks):
            if len(chunks) > 1:
                self._chunks[i] = [torch.cat(chunks)]
        return [chunks[0] for chunks in self._chunks]
