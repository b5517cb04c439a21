"""The shipped administrative boundaries (data/geo/*.geojson), read once. No Streamlit here.

Each file is a GeoJSON FeatureCollection whose features have `properties.adcode` (6 digits) and
`properties.name` (the full name, as in the places table). The maps are drawn from these alone:
no tile server, no base map, nothing fetched.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

GEO = Path(__file__).resolve().parent.parent / "data" / "geo"
LEVELS = {"province": "provinces.geojson", "city": "cities.geojson"}


@lru_cache(maxsize=len(LEVELS))
def boundaries(level: str) -> dict | None:
    """The FeatureCollection of `level` (`province` or `city`) with only the `name` property, or
    None when the file is absent. Rings are numpy arrays: plotly deep-copies a figure's data when
    building it, and copying a hundred thousand coordinate lists took over a second; an array is
    copied at once (and orjson serialises it directly)."""
    path = GEO / LEVELS[level]
    if not path.is_file():
        return None
    collection = json.loads(path.read_text(encoding="utf-8"))
    features = []
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        features.append({
            "type": "Feature", "properties": {"name": feature["properties"]["name"]},
            "geometry": {"type": "MultiPolygon", "coordinates": [[np.asarray(ring, dtype=float) for ring in polygon]
                                                                 for polygon in polygons]}})
    return {"type": "FeatureCollection", "features": features}
