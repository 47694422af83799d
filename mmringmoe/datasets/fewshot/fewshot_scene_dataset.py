"""The images of one subset (base, validation or novel classes) of a few-shot scene split (App. B.5.8)."""
import os.path as osp
from typing import List, Optional

from mmringmoe.registry import DATASETS
from ..cls_split import scan_class_folders
from ..scene_cls_dataset import SceneClsDataset
from .episode_sampler import FewShotDataError
from .scene_splits import split_classes


@DATASETS.register_module()
class FewShotSceneDataset(SceneClsDataset):
    """Every image of the class folders of one subset of a Table A2 split, labelled by the class's position in
    the subset.

    The release layouts (``data_root`` is the folder that holds the class folders, or ``data_prefix`` points
    there): ``NWPU-RESISC45/<class>/<class>_NNN.jpg``, ``WHU-RS19/<Class>/*.jpg`` and
    ``UCMerced_LandUse/Images/<class>/<class>NN.tif`` (``data_prefix=dict(img_path='Images')``). Episodes are
    drawn from it by :class:`~mmringmoe.datasets.fewshot.EpisodeBatchSampler` (training) and
    :class:`~mmringmoe.engine.loops.EpisodicValLoop` (validation, test).

    A class of the subset without a folder or without images stops the build with one line naming it and the
    split (:class:`FewShotDataError`); a class with fewer images than shot + query is reported by the sampler
    or loop that needs them.

    Args:
        split (str, optional): ``'nwpu-resisc45'``, ``'whu-rs19'`` or ``'ucm'`` (Table A2,
            :mod:`mmringmoe.datasets.fewshot.scene_splits`). None to give the classes as
            ``metainfo=dict(classes=...)`` instead (e.g. the demo's split).
        subset (str): ``'train'`` (base classes), ``'val'`` or ``'test'`` (novel classes). Defaults to
            ``'test'``.
        metainfo (dict, optional): with ``split=None``, ``classes`` names the class folders.
        **kwargs: the other arguments of mmpretrain's ``BaseDataset`` (``data_root``, ``data_prefix``,
            ``pipeline``, ...).
    """

    def __init__(self,
                 split: Optional[str] = None,
                 subset: str = 'test',
                 metainfo: Optional[dict] = None,
                 **kwargs) -> None:
        given = dict(metainfo or {})
        if split is not None:
            if 'classes' in given:
                raise ValueError('FewShotSceneDataset: give the classes by split or by metainfo, not both')
            given['classes'] = split_classes(split, subset)
        elif not given.get('classes'):
            raise ValueError('FewShotSceneDataset: give a split (nwpu-resisc45, whu-rs19, ucm) or '
                             'metainfo=dict(classes=...)')
        self.split, self.subset = split, subset
        super().__init__(ann_file='', metainfo=given, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Every image of the subset's class folders; :class:`FewShotDataError` for a class without images."""
        root = osp.normpath(self.data_prefix.get('img_path') or self.data_root or '.')
        if osp.isdir(root):  # a missing root is SceneClsDataset's FileNotFoundError
            found = scan_class_folders(root)
            absent = [name for name in self.metainfo['classes'] if name not in found]
            if absent:
                what = (f'the {self.subset} classes of split {self.split!r} (Table A2)'
                        if self.split else 'the classes')
                raise FewShotDataError(
                    f'{root}: {what} include {absent[0]!r}, which has no folder of images there'
                    f'{f" (nor have {len(absent) - 1} more)" if len(absent) > 1 else ""}')
        return super().load_data_list()
