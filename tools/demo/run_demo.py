"""The segmentation demo: synthetic data in iSAID's release format, converted, trained on and evaluated,
all on the CPU in a minute or two, with no download (``make demo`` runs this).

    python tools/demo/run_demo.py              # UperNet + tiny RingMoE-KC on the iSAID-layout demo set
    python tools/demo/run_demo.py --fusion     # the optical + SAR model on the WHU-OPT-SAR-layout pairs
    python tools/demo/run_demo.py --task cls   # scene classification on NWPU-RESISC45-layout textures
                                               # (steps: tools/demo/cls_demo.py)
    python tools/demo/run_demo.py --task rotated   # oriented detection on DIOR-R-layout scenes
                                                   # (steps: tools/demo/rotated_demo.py)
    python tools/demo/run_demo.py --task det   # horizontal detection on DIOR-layout scenes
                                               # (steps: tools/demo/det_demo.py)
    python tools/demo/run_demo.py --task track # ByteTrack + YOLOX on AIR-MOT-layout satellite clips
                                               # (steps: tools/demo/track_demo.py)
    python tools/demo/run_demo.py --task change   # change detection on LEVIR-CD-layout pairs
                                                  # (steps: tools/demo/change_demo.py)
    python tools/demo/run_demo.py --task height   # height estimation on ISPRS Vaihingen-layout scenes
                                                  # (steps: tools/demo/height_demo.py)
    python tools/demo/run_demo.py --task fewshot  # 5-way 1-shot RelationNet on NWPU-RESISC45-layout textures
                                                  # (steps: tools/demo/fewshot_demo.py)
    python tools/demo/run_demo.py --task scene    # tools/infer.py over a georeferenced 768 px scene + quick look
                                                  # (steps: tools/demo/scene_demo.py)

1. Generates the demo data (``tools/dataset_converters/make_demo_seg_data.py``) if ``data/demo`` lacks it.
2. Trains the demo config with mmengine's Runner into its own work dir, ``work_dirs/demo`` (``--fusion``:
   ``work_dirs/demo_fusion``), so the demos never overwrite each other's checkpoints; the log shows loss
   and learning rate every 5 iterations.
3. Evaluates the trained model on the demo test split with mmseg's IoUMetric: the per-class table (IoU, Acc,
   Fscore, ...) and the summary line with mIoU, mAcc, aAcc (OA) and mFscore (mF1). The demo config's
   ``mmringmoe.RasterSegVisualizationHook`` and ``mmringmoe.SegPanelVisualizer`` draw each test sample as
   captioned panels, enlarged to at least 384 px: the image (``--fusion``: optical and SAR), the ground
   truth and the prediction over it, and a legend of the class colours
   (``<work-dir>/<timestamp>/vis_data/vis_image/*.png``).
Exits non-zero if the mIoU is not a finite number, and with one line if the work dir cannot be written.
"""
import argparse
import math
import os.path as osp
import sys

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)  # run from a checkout

import mmringmoe  # noqa: E402,F401  (import shims, registries)
from mmengine.config import Config  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from mmringmoe.utils.atomic_io import OutputWriteError, is_write_failure, prepare_output_folder  # noqa: E402
from mmringmoe.utils.scripts import load_script  # noqa: E402
from mmringmoe.utils.threads import configure_threads  # noqa: E402

CONFIGS = {
    False: 'configs/demo/upernet_ringmoe_kc-tiny_demo_isaid.py',
    True: 'configs/demo/upernet_ringmoe_kc-tiny-opt-sar_demo_whu-opt-sar.py',
}
WORK_DIRS = {False: 'work_dirs/demo', True: 'work_dirs/demo_fusion'}
CLS_CONFIG, CLS_WORK_DIR = 'configs/demo/linear_ringmoe_kc-tiny_demo_nwpu-resisc45.py', 'work_dirs/demo_cls'
# the other tasks' demos, each run by its module's run(config, data, work_dir):
# task: (config, work dir, module, what it shows)
TASK_DEMOS = {
    'cls': (CLS_CONFIG, CLS_WORK_DIR, 'tools/demo/cls_demo.py', 'scene classification'),
    'rotated': ('configs/demo/oriented-rcnn-le90_ringmoe-kc-tiny_demo_dior-r.py', 'work_dirs/demo_rotated',
                'tools/demo/rotated_demo.py', 'oriented detection'),
    'det': ('configs/demo/faster-rcnn_ringmoe-kc-tiny_demo_dior.py', 'work_dirs/demo_det',
            'tools/demo/det_demo.py', 'horizontal detection'),
    'track': ('configs/demo/bytetrack_yolox_ringmoe-kc-tiny_demo_air-mot.py', 'work_dirs/demo_track',
              'tools/demo/track_demo.py', 'multi-object tracking'),
    'change': ('configs/demo/bit_ringmoe-kc-tiny_demo_levir-cd.py', 'work_dirs/demo_change',
               'tools/demo/change_demo.py', 'change detection'),
    'height': ('configs/demo/binsformer_ringmoe-kc-tiny_demo_vaihingen.py', 'work_dirs/demo_height',
               'tools/demo/height_demo.py', 'height estimation'),
    'fewshot': ('configs/demo/relationnet_ringmoe_kc-tiny_demo_nwpu-resisc45.py', 'work_dirs/demo_fewshot',
                'tools/demo/fewshot_demo.py', 'few-shot scene classification'),
    'scene': ('configs/demo/upernet_ringmoe_kc-tiny_demo_isaid.py', 'work_dirs/demo_scene',
              'tools/demo/scene_demo.py', 'large-scene inference with tools/infer.py'),
}
SUMMARY_KEYS = ('mIoU', 'mAcc', 'aAcc', 'mFscore')


def make_demo_data(out: str) -> None:
    """Run ``tools/dataset_converters/make_demo_seg_data.py --out OUT`` (it keeps existing data)."""
    load_script(osp.join(ROOT, 'tools', 'dataset_converters', 'make_demo_seg_data.py')).main(['--out', out])


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--task', choices=('seg', *TASK_DEMOS), default='seg',
                        help='segmentation (default), ' + ', '.join(
                            f'{task}: {what} ({module})' for task, (_, _, module, what) in TASK_DEMOS.items()))
    parser.add_argument('--fusion', action='store_true', help='run the optical + SAR demo instead')
    parser.add_argument('--config', help='a demo config (default: the one of --task / --fusion)')
    parser.add_argument('--data', default='data/demo', help='demo data folder (default: data/demo)')
    parser.add_argument(
        '--work-dir',
        help=f'logs, checkpoint and pictures (default: {WORK_DIRS[False]}; --fusion: {WORK_DIRS[True]}; '
        + '; '.join(f'--task {task}: {work_dir}' for task, (_, work_dir, _, _) in TASK_DEMOS.items()) + ')')
    args = parser.parse_args(argv)
    if args.task != 'seg' and args.fusion:
        parser.error(f'--fusion is a segmentation demo; not with --task {args.task}')
    config, work_dir = (TASK_DEMOS[args.task][:2] if args.task in TASK_DEMOS
                        else (CONFIGS[args.fusion], WORK_DIRS[args.fusion]))
    args.config = args.config or osp.join(ROOT, config)
    args.work_dir = args.work_dir or work_dir
    if not osp.isfile(args.config):
        parser.error(f'config not found: {args.config}')
    return args


def main(argv=None) -> int:
    configure_threads()
    args = parse_args(argv)
    try:
        prepare_output_folder(args.work_dir)  # before any work
    except OutputWriteError as err:
        sys.exit(f'run_demo: {err}')
    if args.task in TASK_DEMOS:
        task_demo = load_script(osp.join(ROOT, TASK_DEMOS[args.task][2]))
        return task_demo.run(args.config, args.data, args.work_dir)
    print(f'[1/3] demo data in {args.data}')
    make_demo_data(args.data)
    cfg = Config.fromfile(args.config)
    dataset_dir = osp.basename(cfg.train_dataloader.dataset.data_root)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = osp.join(args.data, dataset_dir)
    cfg.work_dir = args.work_dir
    cfg.train_cfg.val_begin = cfg.train_cfg.max_iters + 1  # evaluate once, in step 3
    cfg.default_hooks.visualization.update(draw=True, interval=1)
    # mmseg's runtime names the visualizer 'visualizer', and mmengine reuses an instance of that name (with
    # the first run's save_dir) when a process runs twice; the Runner then names it after this run.
    cfg.visualizer.pop('name', None)
    print(f'[2/3] training {osp.basename(args.config)} for {cfg.train_cfg.max_iters} iterations '
          f'(log in {args.work_dir})')
    runner = Runner.from_cfg(cfg)
    try:
        runner.train()
        print('[3/3] evaluating on the demo test split')
        metrics = runner.test()
    except OSError as err:  # a checkpoint, log or picture: mmengine's writers raise plain OSErrors
        if not is_write_failure(err):
            raise
        sys.exit(f'run_demo: cannot write to {args.work_dir}: {err.strerror}')
    summary = ', '.join(f'{key} {float(metrics[key]):.2f}' for key in SUMMARY_KEYS if key in metrics)
    print(f'demo result: {summary}')
    pictures = osp.join(runner.log_dir, 'vis_data', 'vis_image')
    print(f'test images drawn with their ground truth and the prediction: {pictures}')
    if not math.isfinite(float(metrics['mIoU'])):
        sys.exit('run_demo: the mIoU is not finite')
    return 0


if __name__ == '__main__':
    sys.exit(main())
