"""Every task demo of tools/demo/run_demo.py writes its generated data into its own folder of ``--data``.

Each demo keeps the data it finds (a second run does not regenerate it), so two demos sharing a folder would
train on each other's data: e.g. ``--task cls`` (6 classes) and ``--task fewshot`` (15 classes, 10 base and 5
novel) both write NWPU-RESISC45's layout.
"""
import os.path as osp

from mmringmoe.utils.scripts import load_script

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
run_demo = load_script(osp.join(REPO, 'tools', 'demo', 'run_demo.py'))
# the data folders a demo module names (the converted dataset, and the generated release where it differs)
FOLDER_NAMES = ('DATASET_DIR', 'RELEASE_DIR')


def test_task_demos_write_their_data_into_distinct_folders():
    owners = {}
    for task, (_, _, module, _) in run_demo.TASK_DEMOS.items():
        demo = load_script(osp.join(REPO, module))
        for name in FOLDER_NAMES:
            folder = getattr(demo, name, None)
            if folder is not None:
                assert folder not in owners, f'--task {task} and --task {owners[folder]} both write {folder}'
                owners[folder] = task
    assert {'cls', 'fewshot', 'det', 'rotated', 'change', 'height', 'track'} <= set(owners.values())
