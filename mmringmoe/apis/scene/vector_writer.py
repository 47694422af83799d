"""Detections of a scene as a GIS vector file (GeoPackage or GeoJSON, written by fiona/GDAL): one polygon
per box, in the scene's CRS, with the class and score as attributes."""
import os
import os.path as osp
import warnings
from typing import Sequence

import fiona
import numpy as np
from fiona.crs import CRS as FionaCRS

from mmringmoe.utils.atomic_io import atomic_output
from .adapters.det import box_corners
from .scene_reader import Grid

DRIVERS = {'.gpkg': 'GPKG', '.geojson': 'GeoJSON', '.json': 'GeoJSON'}
SCHEMA = {'geometry': 'Polygon', 'properties': {'class': 'str', 'class_id': 'int', 'score': 'float'}}


def vector_driver(path: str) -> str:
    """The OGR driver of ``path`` from its extension (``.gpkg``, ``.geojson``, ``.json``)."""
    ext = osp.splitext(path)[1].lower()
    if ext not in DRIVERS:
        raise ValueError(f'{path}: detections are written as GeoPackage (.gpkg) or GeoJSON (.geojson)')
    return DRIVERS[ext]


def write_boxes(path: str, grid: Grid, boxes: np.ndarray, scores: np.ndarray, labels: np.ndarray,
                classes: Sequence[str]) -> None:
    """Write the boxes (scene pixel coordinates, ``(N, 4)`` or ``(N, 5)``) to ``path``, complete or not at
    all; corners are mapped to the CRS through the scene's transform (pixel coordinates without a CRS)."""
    driver = vector_driver(path)
    crs = FionaCRS.from_wkt(grid.crs.to_wkt()) if grid.crs is not None else None
    corners = box_corners(boxes.reshape(len(boxes), -1)) if len(boxes) else np.zeros((0, 4, 2))
    with atomic_output(path) as tmp, warnings.catch_warnings():
        warnings.simplefilter('ignore')  # fiona warns about a layer without a CRS
        os.remove(tmp)  # OGR creates the file itself and refuses an existing one
        with fiona.open(tmp, 'w', driver=driver, schema=SCHEMA, crs=crs, layer='detections') as dst:
            for polygon, score, label in zip(corners, scores, labels):
                ring = [tuple(grid.transform @ (float(cx), float(cy))) for cx, cy in polygon]
                dst.write({'geometry': {'type': 'Polygon', 'coordinates': [ring + [ring[0]]]},
                           'properties': {'class': classes[int(label)] if int(label) < len(classes)
                                          else str(int(label)), 'class_id': int(label),
                                          'score': float(score)}})
