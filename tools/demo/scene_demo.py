"""The large-scene demo behind ``tools/demo/run_demo.py --task scene`` (run it through that tool).

1. Generates the segmentation demo data (iSAID layout, ``tools/dataset_converters/make_demo_seg_data.py``)
   if ``DATA/iSAID`` lacks it, and trains the segmentation demo config on it (UperNet on a tiny RingMoE-KC,
   from scratch, ``ITERATIONS`` iterations on the CPU).
2. Generates a georeferenced scene larger than one tile: a 3 x 3 mosaic of the generator's iSAID-like scenes
   (768 x 768 px, 0.5 m pixels in UTM zone 50N), with a border of nodata (0), as a tiled GeoTIFF, and its
   ground truth.
3. Runs ``tools/infer.py`` over it: 128 px tiles, overlap 32, blended, into ``<work-dir>/scene/classes.tif``
   (a Cloud-Optimized GeoTIFF with the iSAID colour table, nodata where the scene has none).
4. Draws the quick look ``<work-dir>/scene/quicklook.png``: the scene, the ground truth and the prediction
   over it, with a legend (the segmentation demo's captioned panels), and prints the pixel accuracy of the
   prediction inside the valid area.
"""
import os.path as osp
import sys

import numpy as np
import rasterio
from mmengine.config import Config
from mmengine.runner import Runner
from PIL import Image
from rasterio.transform import Affine

from mmringmoe.apis.scene.adapters.base import dataset_metainfo
from mmringmoe.utils.atomic_io import atomic_write_image, atomic_write_raster, is_write_failure, \
    prepare_output_folder
from mmringmoe.utils.scripts import load_script
from mmringmoe.visualization import SegPanelVisualizer

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
ITERATIONS = 120
MOSAIC, BORDER = 3, 24  # 3 x 3 generated scenes; nodata columns at the left edge
TRANSFORM = Affine(0.5, 0.0, 500000.0, 0.0, -0.5, 4000000.0)
CRS = 'EPSG:32650'


def train(config: str, data: str, work_dir: str) -> str:
    """Train the segmentation demo config on the demo data; returns the checkpoint."""
    generator = load_script(osp.join(ROOT, 'tools', 'dataset_converters', 'make_demo_seg_data.py'))
    generator.main(['--out', data])
    cfg = Config.fromfile(config)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = osp.join(data, 'iSAID')
    cfg.work_dir = work_dir
    cfg.train_cfg.max_iters = ITERATIONS
    cfg.train_cfg.val_begin = ITERATIONS + 1  # no evaluation: the scene is the test
    cfg.param_scheduler[-1].end = ITERATIONS
    cfg.default_hooks.checkpoint.interval = ITERATIONS
    cfg.default_hooks.visualization.draw = False
    cfg.visualizer.pop('name', None)
    Runner.from_cfg(cfg).train()
    return osp.join(work_dir, f'iter_{ITERATIONS}.pth')


def make_scene(folder: str) -> tuple:
    """The mosaic scene GeoTIFF and its ground truth (class indices, 255 on the nodata border)."""
    generator = load_script(osp.join(ROOT, 'tools', 'dataset_converters', 'make_demo_seg_data.py'))
    rng = np.random.default_rng(7)
    size = generator.ISAID_SCENE
    image = np.zeros((MOSAIC * size, MOSAIC * size, 3), np.uint8)
    truth = np.zeros(image.shape[:2], np.uint8)
    codes = {r * 65536 + g * 256 + b: index for index, (r, g, b) in enumerate(generator.ISAID_PALETTE)}
    for row in range(MOSAIC):
        for col in range(MOSAIC):
            scene, mask = generator.isaid_scene(rng)
            image[row * size:(row + 1) * size, col * size:(col + 1) * size] = np.maximum(scene, 1)
            code = (mask[..., 0].astype(np.int64) * 65536 + mask[..., 1].astype(np.int64) * 256 + mask[..., 2])
            values, inverse = np.unique(code, return_inverse=True)
            labels = np.array([codes[int(v)] for v in values], np.uint8)[inverse].reshape(code.shape)
            truth[row * size:(row + 1) * size, col * size:(col + 1) * size] = labels
    image[:, :BORDER] = 0
    truth[:, :BORDER] = 255
    path = osp.join(folder, 'scene.tif')
    profile = dict(driver='GTiff', width=image.shape[1], height=image.shape[0], count=3, dtype='uint8', crs=CRS,
                   transform=TRANSFORM, nodata=0, tiled=True, blockxsize=256, blockysize=256, compress='deflate')
    atomic_write_raster(path, profile, lambda dst: dst.write(image.transpose(2, 0, 1)))
    return path, image, truth


def quicklook(config: str, image: np.ndarray, truth: np.ndarray, prediction: np.ndarray, path: str) -> None:
    """The scene, the ground truth and the prediction over it, with a legend (``SegPanelVisualizer``)."""
    # alpha 0.45: the scene stays readable under the class colours (the background class is black)
    visualizer = SegPanelVisualizer.get_instance('scene_demo_quicklook', min_panel_size=0, alpha=0.45)
    visualizer.dataset_meta = dataset_metainfo(Config.fromfile(config))
    canvas = visualizer.draw_panels([('scene (nodata at the left edge)', image)],
                                    [('ground truth', truth), ('prediction of tools/infer.py', prediction)])
    atomic_write_image(path, Image.fromarray(canvas), 'PNG')


def run(config: str, data: str, work_dir: str) -> int:
    """Steps 1-4 of the module docstring; exits with one line when a write fails."""
    print(f'[1/4] training {osp.basename(config)} for {ITERATIONS} iterations on the demo data in {data}')
    try:
        checkpoint = train(config, data, work_dir)
    except OSError as err:
        if not is_write_failure(err):
            raise
        sys.exit(f'run_demo: cannot write to {work_dir}: {err.strerror}')
    folder = prepare_output_folder(osp.join(work_dir, 'scene'))
    scene, image, truth = make_scene(folder)
    print(f'[2/4] scene {scene}: {image.shape[1]} x {image.shape[0]} px, {CRS}, nodata 0 at the left edge')
    out = osp.join(folder, 'classes.tif')
    print(f'[3/4] python tools/infer.py {osp.relpath(config, ROOT)} {checkpoint} {scene} --out {out} --cog')
    infer = load_script(osp.join(ROOT, 'tools', 'infer.py'))
    infer.main([config, checkpoint, scene, '--out', out, '--cog', '--overwrite'])
    with rasterio.open(out) as src:
        prediction = src.read(1)
        georeferencing = f'{src.crs}, {src.transform.a} m pixels, {src.width} x {src.height}'
    valid = truth != 255
    accuracy = float((prediction[valid] == truth[valid]).mean())
    objects = valid & (truth != 0)
    object_accuracy = float((prediction[objects] == truth[objects]).mean())
    picture = osp.join(folder, 'quicklook.png')
    quicklook(config, image, truth, prediction, picture)
    print(f'[4/4] prediction {out} ({georeferencing}); quick look: {picture}')
    print(f'demo result: pixel accuracy {100 * accuracy:.1f}% ({100 * object_accuracy:.1f}% on object pixels); '
          f'nodata kept on {int((prediction == 255).sum())} of {int((~valid).sum())} nodata pixels')
    return 0
