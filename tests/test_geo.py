"""The shipped boundaries the maps are drawn from."""

import pandas as pd

from dashboard import geo
from pipeline.schema import Col
from tests.conftest import PROCESSED


def test_boundaries_name_every_province_and_city_the_places_table_uses():
    provinces, cities = geo.boundaries("province"), geo.boundaries("city")
    assert len(provinces["features"]) == 34
    province_names = {f["properties"]["name"] for f in provinces["features"]}
    city_names = {f["properties"]["name"] for f in cities["features"]}
    places = pd.read_parquet(PROCESSED / "places.parquet")
    subject = places[places[Col.role] == "subject"]
    assert set(subject[Col.province]) <= province_names
    # cities under a province directly (county-level cities of 湖北省, 河南省…) carry the province's name
    assert set(subject[Col.city].dropna()) - city_names <= province_names


def test_a_missing_boundary_file_is_reported_not_raised(monkeypatch, tmp_path):
    monkeypatch.setattr(geo, "GEO", tmp_path)
    geo.boundaries.cache_clear()
    try:
        assert geo.boundaries("city") is None
    finally:
        monkeypatch.undo()
        geo.boundaries.cache_clear()
