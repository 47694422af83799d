"""Run a trained model over a whole georeferenced scene of any size; write a georeferenced result.

    python tools/infer.py CONFIG CHECKPOINT SCENE.tif --out classes.tif [--probs float16] [--cog]
    python tools/infer.py CONFIG CHECKPOINT OPTICAL.tif SAR.tif --out classes.tif   # optical + SAR config
    python tools/infer.py CONFIG CHECKPOINT SCENE.tif --out boxes.gpkg              # a detector
    python tools/infer.py CHANGE_CONFIG CHECKPOINT DATE_A.tif DATE_B.tif --out change.tif
    python tools/infer.py HEIGHT_CONFIG CHECKPOINT SCENE.tif --out height.tif       # metres, float32
    python tools/infer.py ... --resume                                             # continue a killed run

The task comes from the config: a segmentor (or a change detector, given two dates) writes a class map
GeoTIFF (uint8, uint16 beyond 254 classes) with the dataset's colour table, and with --probs the per-class
probabilities (OUT_probs.tif); a height estimator a float32 GeoTIFF of metres; a detector
(horizontal or oriented) writes one polygon per box, class and score as attributes, into a GeoPackage or
GeoJSON. Scenes are read in windows as the config's loading transform reads its tiles (bands, channel
order, 16-bit and complex values), tiled at the model's input size with --overlap, blended with a smooth
window, and written in the scene's CRS, transform and size; nodata stays nodata.
"""
import argparse
import os
import os.path as osp
import sys
import warnings

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
warnings.filterwarnings('ignore', message='pkg_resources is deprecated', category=UserWarning)

import mmringmoe  # noqa: E402,F401
from mmengine.config import DictAction  # noqa: E402

from mmringmoe.apis.scene import (SceneError, SceneJob, SceneWarning, build_model, infer_scene,  # noqa: E402
                                  model_tile_size)
from mmringmoe.apis.scene.resume_state import file_fingerprint  # noqa: E402
from mmringmoe.engine.runner_setup import load_config, one_line_errors  # noqa: E402
from mmringmoe.utils.atomic_io import OutputWriteError  # noqa: E402
from mmringmoe.utils.checkpoint_files import CheckpointError  # noqa: E402
from mmringmoe.utils.threads import configure_threads  # noqa: E402

TOOL = 'infer.py'


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='the model\'s config')
    parser.add_argument('checkpoint', help='its trained checkpoint (must fit the model exactly)')
    parser.add_argument('inputs', nargs='+', metavar='INPUT',
                        help='the scene (GeoTIFF or any raster GDAL reads); two for a config that reads pairs '
                        '(optical + SAR, or the two dates of a change detector)')
    parser.add_argument('--out', required=True, help='output: .tif for segmentation, .gpkg / .geojson for '
                        'detection')
    parser.add_argument('--tile', type=int, help='tile size in pixels (default: the model\'s input size)')
    parser.add_argument('--overlap', type=int, help='overlap of neighbouring tiles in pixels (default: a '
                        'quarter of the tile)')
    parser.add_argument('--batch', type=int, default=4, help='tiles per forward pass (default: 4)')
    parser.add_argument('--device', default='cpu', help='torch device, e.g. cuda:0 (default: cpu)')
    parser.add_argument('--blend', choices=('cosine', 'uniform'), default='cosine',
                        help='weights of overlapping predictions: a smooth window (default) or the plain '
                        'average of mmseg\'s slide inference')
    parser.add_argument('--probs', choices=('float16', 'uint8'),
                        help='also write per-class probabilities to OUT_probs.tif (uint8: p x 254)')
    parser.add_argument('--score-thr', type=float, default=0.3, help='detection: minimum score (default 0.3)')
    parser.add_argument('--iou-thr', type=float, default=0.5,
                        help='detection: NMS IoU threshold across tiles (default 0.5)')
    parser.add_argument('--cog', action='store_true', help='write Cloud-Optimized GeoTIFFs with overviews')
    parser.add_argument('--resume', action='store_true', help='continue the partial run kept in OUT.partial/')
    parser.add_argument('--overwrite', action='store_true', help='replace existing outputs')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={}, help='override config keys')
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')
    return parser.parse_args(argv)


def main(argv=None, on_batch=None) -> int:
    configure_threads()
    args = parse_args(argv)
    for path in (args.checkpoint, *args.inputs):
        if not osp.isfile(path):
            sys.exit(f'{TOOL}: no such file: {path}')
    if args.batch < 1:
        sys.exit(f'{TOOL}: --batch must be positive, got {args.batch}')
    cfg = load_config(args.config, args.cfg_options, 'none', None, tool=TOOL)
    tile = args.tile or model_tile_size(cfg)
    if not tile:
        sys.exit(f'{TOOL}: the config gives no input size (data_preprocessor.size or a test Resize): give --tile')
    overlap = tile // 4 if args.overlap is None else args.overlap
    if not 0 <= overlap < tile:
        sys.exit(f'{TOOL}: --overlap must lie in [0, {tile}) for {tile} px tiles, got {overlap}')
    settings = dict(config=file_fingerprint(args.config), checkpoint=file_fingerprint(args.checkpoint),
                    inputs=[file_fingerprint(p) for p in args.inputs], tile=tile, overlap=overlap,
                    batch=args.batch, device=args.device, blend=args.blend, probs=args.probs,
                    score_thr=args.score_thr, iou_thr=args.iou_thr, cog=args.cog, cfg_options=args.cfg_options)
    job = SceneJob(inputs=args.inputs, out=args.out, tile=tile, overlap=overlap, batch=args.batch,
                   blend=args.blend, cog=args.cog, resume=args.resume, overwrite=args.overwrite,
                   iou_threshold=args.iou_thr, settings=settings)
    with one_line_errors(TOOL), warnings.catch_warnings():
        warnings.simplefilter('always', SceneWarning)
        show = warnings.showwarning
        warnings.showwarning = lambda message, category, *rest, **kw: (
            print(f'{TOOL}: warning: {message}', file=sys.stderr) if issubclass(category, SceneWarning) else
            show(message, category, *rest, **kw))
        try:
            model = build_model(cfg, args.checkpoint, args.device)
            written = infer_scene(cfg, model, job, probs=args.probs, score_threshold=args.score_thr,
                                  progress=not args.no_progress, on_batch=on_batch)
        except (SceneError, CheckpointError, FileExistsError, OutputWriteError, ValueError) as err:
            sys.exit(f'{TOOL}: {err}')
    for path in written:
        print(f'wrote {path} ({os.path.getsize(path) / 2**20:.1f} MiB)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
