"""The committed data/processed tables are what the current code builds from data/raw."""

import pandas as pd

from pipeline import io
from pipeline.schema import TABLES
from tests.conftest import PROCESSED


def test_processed_tables_are_up_to_date(built_sample):
    fresh, _ = built_sample
    for name in TABLES:
        committed = io.read_table(PROCESSED, name)
        rebuilt = io.read_table(fresh, name)
        pd.testing.assert_frame_equal(committed, rebuilt, check_exact=False, rtol=1e-9,
                                      obj=f"{name}: data/processed is stale; run `python -m pipeline build data/raw --out data/processed`")


def test_docs_tables_md_matches_schema():
    from pipeline.schema import markdown
    from tests.conftest import ROOT

    assert (ROOT / "docs" / "tables.md").read_text(encoding="utf-8").strip() == markdown().strip(), \
        "docs/tables.md is stale: run `python -m pipeline schema > docs/tables.md`"
