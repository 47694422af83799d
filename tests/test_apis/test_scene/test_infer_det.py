"""Detections over a scene: boxes merged across tiles (once per object) and written as GIS vectors."""
import fiona
import numpy as np
import pytest

from mmringmoe.apis.scene.adapters.det import merge_detections, scene_boxes
from mmringmoe.apis.scene.tiling import TileGrid
from scene_helpers import CRS, DET_CONFIG, ROTATED_CONFIG, TRANSFORM, infer_tool, make_checkpoint, textured_scene, \
    write_scene

GRID = TileGrid(200, 120, 128, 48)  # two tiles side by side, at x = 0 and x = 72; one row (120 px high)


def tile_view(box, x0):
    """What the tile starting at ``x0`` sees of a scene box (x1, y1, x2, y2): clipped to the tile, in tile
    coordinates; None when it sees nothing."""
    x1, y1, x2, y2 = box
    x1, x2 = max(x1, x0) - x0, min(x2, x0 + 128) - x0
    return None if x2 <= x1 else [x1, y1, x2, y2]


def merged(per_tile):
    found = [scene_boxes(np.array(b, np.float32).reshape(-1, len(b[0]) if b else 4), np.array(s, np.float32),
                         np.array(l), x, 0, GRID) for x, (b, s, l) in per_tile.items()]
    boxes, scores, labels = (np.concatenate([f[i] for f in found]) for i in range(3))
    keep = merge_detections(boxes, scores, labels, 0.5)
    return boxes[keep], labels[keep]


def test_box_straddling_a_tile_border_is_reported_once():
    straddling = (110, 30, 170, 60)  # crosses x = 128, the right edge of the first tile
    in_overlap = (80, 70, 110, 100)  # inside both tiles
    per_tile = {}
    for x0, score in ((0, 0.9), (72, 0.8)):
        boxes = [tile_view(straddling, x0), tile_view(in_overlap, x0)]
        boxes[1][0] += x0 / 72  # the second tile's view differs by a pixel
        per_tile[x0] = (boxes, [score, score], [3, 3])
    boxes, labels = merged(per_tile)
    assert len(boxes) == 2
    np.testing.assert_allclose(boxes[np.argsort(boxes[:, 0])], [[80, 70, 110, 100], straddling], atol=1.01)
    # the cut view (110-128 of 110-170, IoU 0.3 with the whole box) alone would survive NMS
    cut = np.array([[110, 30, 128, 60], [110, 30, 170, 60]], np.float32)
    assert len(merge_detections(cut, np.array([0.9, 0.8], np.float32), np.array([3, 3]), 0.5)) == 2


def test_oriented_boxes_merge_with_rotated_nms():
    angle = 0.4
    per_tile = {0: ([[95.0, 85, 20, 10, angle], [120.0, 30, 30, 12, angle]], [0.9, 0.7], [1, 1]),
                72: ([[23.5, 85, 20, 10, angle]], [0.8], [1])}  # one box in the overlap, seen twice
    boxes, labels = merged(per_tile)
    # the second box of tile 0 reaches x = 120 + 15 cos + 6 sin > 126: cut by the tile edge, dropped
    assert len(boxes) == 1 and boxes.shape[1] == 5
    np.testing.assert_allclose(boxes[0], [95, 85, 20, 10, angle])
    # a different class at the same place is another object
    per_tile[72] = ([[23.5, 85, 20, 10, angle]], [0.8], [2])
    assert len(merged(per_tile)[0]) == 2


@pytest.mark.parametrize('config, out', [(DET_CONFIG, 'boxes.gpkg'), (ROTATED_CONFIG, 'boxes.geojson')])
def test_detector_writes_polygons_in_the_scene_crs(tmp_path, config, out):
    checkpoint = make_checkpoint(config, str(tmp_path / 'det.pth'))
    scene = write_scene(str(tmp_path / 'scene.tif'), textured_scene(200, 260))
    out = str(tmp_path / out)
    assert infer_tool.main([config, checkpoint, scene, '--out', out, '--score-thr', '0', '--no-progress',
                            '--cfg-options', 'model.test_cfg.rcnn.score_thr=0.0']) == 0
    with fiona.open(out) as layer:
        assert layer.crs.to_epsg() == int(CRS.split(':')[1])
        assert set(layer.schema['properties']) == {'class', 'class_id', 'score'}
        features = list(layer)
    assert features, 'a random detector with no score threshold finds something'
    (west, north), (east, south) = TRANSFORM @ (0, 0), TRANSFORM @ (260, 200)
    for feature in features:
        ring = np.array(feature.geometry.coordinates[0])
        assert ring.shape == (5, 2) and (ring[0] == ring[-1]).all()
        assert feature.properties['class'] and 0 <= feature.properties['score'] <= 1
        centre = ring[:4].mean(axis=0)
        assert west <= centre[0] <= east and south <= centre[1] <= north
    with pytest.raises(SystemExit, match='GeoPackage'):
        infer_tool.main([config, checkpoint, scene, '--out', str(tmp_path / 'boxes.tif')])
