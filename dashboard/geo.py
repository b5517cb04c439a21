"""The shipped administrative boundaries (data/geo/*.geojson), read once. No Streamlit here.

Each file is a GeoJSON FeatureCollection whose features have `properties.adcode` (6 digits) and
`properties.name` (the full name, as in the places table). The maps are drawn from these alone:
no tile server, no base map, nothing fetched.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

GEO = Path(__file__).resolve().parent.parent / "data" / "geo"
LEVELS = {"province": "provinces.geojson", "city": "cities.geojson"}


@lru_cache(maxsize=len(LEVELS))
def boundaries(level: str) -> dict | None:
    """The FeatureCollection of `level` (`province` or `city`), or None when the file is absent."""
    path = GEO / LEVELS[level]
    if not path.is_file():
        return None
    collection = json.loads(path.read_text(encoding="utf-8"))
    # plotly needs only the geometry and the name it joins on
    collection["features"] = [
        {"type": "Feature", "geometry": f["geometry"], "properties": {"name": f["properties"]["name"]}}
        for f in collection["features"]
    ]
    return collection
