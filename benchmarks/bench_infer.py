"""Peak memory of tools/infer.py on a 16384 x 16384 scene against a 4096 x 4096 one, and its time over the
model alone.

    python benchmarks/bench_infer.py                          # scenes and outputs in a temporary folder
    python benchmarks/bench_infer.py --work-dir /data/bench   # keep the generated scenes there for reruns
    python benchmarks/bench_infer.py --sizes 2048 8192 --rounds 1

The model is the segmentation demo's (UperNet on a tiny RingMoE-KC, 16 classes, 128 px tiles), randomly
initialised. Scenes are 3-band 8-bit GeoTIFFs (tiled, DEFLATE) of a smooth texture with noise, generated
band of rows by band of rows (the generator never holds a scene). Each run is a fresh process with one
thread (``OMP_NUM_THREADS=1``):

1. Memory: ``tools/infer.py`` on each scene; the peak RSS (the process's ``VmHWM``) and its ratio to the
   smallest scene's. Target (issue 17): at most 1.1x from 4096^2 to 16384^2.
2. Time: on the smallest scene, the tool's inference (reading, blending, writing, assembling; the model built
   once beforehand) against the model alone on the same tiles, already in memory, in the same batches.
   Interleaved rounds (tool, model, tool, model...); the median ratio, of wall-clock and of CPU time (one
   thread: the CPU time is what a machine shared with other jobs measures best). Target: overhead under 10%.
"""
import argparse
import json
import os
import os.path as osp
import statistics
import subprocess
import sys
import tempfile

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)
CONFIG = osp.join(ROOT, 'configs', 'demo', 'upernet_ringmoe_kc-tiny_demo_isaid.py')
ROWS = 512  # rows generated at a time
# The child's own peak RSS since exec (a child's rusage would count the parent's RSS at fork).
PEAK = """
def _peak():
    with open('/proc/self/status') as status:
        return int(next(line for line in status if line.startswith('VmHWM:')).split()[1]) // 1024
"""
TOOL_RUN = PEAK + """
import json, sys, time
sys.path.insert(0, {root!r})
from mmringmoe.utils.scripts import load_script
start = time.perf_counter()
code = load_script({tool!r}).main({argv!r})
print(json.dumps(dict(code=code, seconds=time.perf_counter() - start, peak_mib=_peak())))
"""
TIMING_RUN = PEAK + """
import json, sys, time
sys.path.insert(0, {root!r})
import numpy as np, torch
from mmengine.config import Config
from mmringmoe.apis.scene import SceneJob, SceneReader, TileGrid, build_model, infer_scene
from mmringmoe.apis.scene.model_setup import make_adapter, test_pipeline
from mmringmoe.apis.scene.scene_reader import find_loader
cfg = Config.fromfile({config!r})
model = build_model(cfg, {checkpoint!r}, 'cpu')
adapter = make_adapter(model, cfg, None, 0.3)
with SceneReader(find_loader(test_pipeline(cfg)), [{scene!r}]) as reader:
    grid = TileGrid(reader.grid.width, reader.grid.height, {tile}, {overlap})
    rows = [[reader.read(x, y, {tile}, {tile})[0] for x in grid.columns] for y in grid.rows]
batches = [row[i:i + {batch}] for row in rows for i in range(0, len(row), {batch})]
results = dict(tool=[], model=[], tool_cpu=[], model_cpu=[])
for round in range({rounds}):
    start, cpu = time.perf_counter(), time.process_time()
    infer_scene(cfg, model, SceneJob([{scene!r}], {out!r}, {tile}, {overlap}, {batch}, overwrite=True),
                progress=False)
    results['tool'].append(time.perf_counter() - start)
    results['tool_cpu'].append(time.process_time() - cpu)
    start, cpu = time.perf_counter(), time.process_time()
    for batch in batches:
        adapter.predict(batch)
    results['model'].append(time.perf_counter() - start)
    results['model_cpu'].append(time.process_time() - cpu)
results['tiles'] = sum(len(b) for b in batches)
print(json.dumps(results))
"""


def texture(y0: int, rows: int, width: int, seed: int) -> np.ndarray:
    """Rows ``[y0, y0 + rows)`` of a smooth 3-band texture with noise (uint8), the same whatever the split."""
    y = np.arange(y0, y0 + rows, dtype=np.float32)[:, None]
    x = np.arange(width, dtype=np.float32)[None]
    bands = [128 + 60 * np.sin(x / (97 + 13 * b) + y / (131 - 7 * b)) * np.cos((x - y) / (211 + 5 * b))
             for b in range(3)]
    noise = np.random.default_rng(seed + y0).integers(-4, 5, (3, rows, width))
    return (np.stack(bands) + noise).clip(1, 255).astype(np.uint8)


def make_scene(path: str, size: int) -> str:
    """A ``size`` x ``size`` scene at ``path``, written band of rows by band of rows (kept if present)."""
    import rasterio
    from rasterio.transform import Affine
    from rasterio.windows import Window

    if osp.isfile(path):
        return path
    profile = dict(driver='GTiff', width=size, height=size, count=3, dtype='uint8', crs='EPSG:32650',
                   transform=Affine(0.5, 0, 500000, 0, -0.5, 4000000), tiled=True, blockxsize=256,
                   blockysize=256, compress='deflate', predictor=2, BIGTIFF='IF_SAFER')
    tmp = path + '.part.tif'
    with rasterio.Env(GDAL_CACHEMAX=64), rasterio.open(tmp, 'w', **profile) as dst:
        for y0 in range(0, size, ROWS):
            rows = min(ROWS, size - y0)
            dst.write(texture(y0, rows, size, 0), window=Window(0, y0, size, rows))
    os.replace(tmp, path)
    return path


def make_checkpoint(path: str) -> str:
    import torch
    from mmengine.config import Config
    from mmengine.registry import MODELS, init_default_scope

    import mmringmoe  # noqa: F401

    if not osp.isfile(path):
        cfg = Config.fromfile(CONFIG)
        init_default_scope(cfg.default_scope)
        torch.manual_seed(0)
        torch.save({'state_dict': MODELS.build(cfg.model).state_dict()}, path)
    return path


def child(code: str) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS='1')
    result = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f'bench_infer.py: a run failed:\n{result.stderr[-3000:]}')
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--work-dir', help='scenes, checkpoint and outputs (default: a temporary folder)')
    parser.add_argument('--sizes', type=int, nargs='+', default=[4096, 16384], help='scene sizes (px)')
    parser.add_argument('--tile', type=int, default=128)
    parser.add_argument('--overlap', type=int, default=32)
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--rounds', type=int, default=3, help='rounds of the time comparison')
    args = parser.parse_args(argv)
    work = args.work_dir or tempfile.mkdtemp(prefix='bench_infer_')
    os.makedirs(work, exist_ok=True)
    checkpoint = make_checkpoint(osp.join(work, 'seg_tiny.pth'))
    sizes = sorted(args.sizes)
    print(f'machine: {os.cpu_count()} CPUs, one thread per run; tile {args.tile}, overlap {args.overlap}, '
          f'batch {args.batch}')
    peaks = {}
    for size in sizes:
        scene = make_scene(osp.join(work, f'scene_{size}.tif'), size)
        out = osp.join(work, f'classes_{size}.tif')
        argv = [CONFIG, checkpoint, scene, '--out', out, '--overwrite', '--no-progress', '--tile', str(args.tile),
                '--overlap', str(args.overlap), '--batch', str(args.batch)]
        run = child(TOOL_RUN.format(root=ROOT, tool=osp.join(ROOT, 'tools', 'infer.py'), argv=argv))
        peaks[size] = run['peak_mib']
        print(f'{size} x {size}: peak RSS {run["peak_mib"]} MiB ({run["peak_mib"] / peaks[sizes[0]]:.3f} x '
              f'{sizes[0]}^2), {run["seconds"]:.0f} s', flush=True)
    scene = osp.join(work, f'scene_{sizes[0]}.tif')
    timing = child(TIMING_RUN.format(root=ROOT, config=CONFIG, checkpoint=checkpoint, scene=scene,
                                     out=osp.join(work, 'timing.tif'), tile=args.tile, overlap=args.overlap,
                                     batch=args.batch, rounds=args.rounds))
    for clock, label in (('', 'wall'), ('_cpu', 'CPU')):
        tool, model = timing['tool' + clock], timing['model' + clock]
        ratios = [t / m for t, m in zip(tool, model)]
        print(f'{label} time on {sizes[0]}^2 ({timing["tiles"]} tiles): tool {statistics.median(tool):.1f} s, '
              f'model alone {statistics.median(model):.1f} s; overhead {100 * (statistics.median(ratios) - 1):.1f}% '
              f'(rounds: {", ".join(f"{100 * (r - 1):.1f}%" for r in ratios)})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
