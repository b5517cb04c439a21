"""Download controls: PNG, SVG, PDF and CSV under every chart, and the page's "export all" zip.

A page calls `chart_downloads` under each chart it draws and passes the charts to `export_all` at
its end. Files are made only when the user clicks: the buttons hold a function (Streamlit's
deferred download), so drawing a page renders no image and launches no browser. Where Chromium is
missing the image buttons give way to a message; the CSV, the word cloud PNG and plotly's own
toolbar PNG keep working.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from PIL import Image

from dashboard import export
from dashboard.i18n import t
from dashboard.ui import View


def toolbar_config(name: str) -> dict:
    """`st.plotly_chart(..., config=toolbar_config(name))`: the toolbar's camera button saves a
    PNG at the export scale and under the chart's name (it works without Chromium)."""
    return {"toImageButtonOptions": {"format": "png", "filename": name, "scale": export.PNG_SCALE}, "displaylogo": False}


def chart_downloads(fig: go.Figure | Image.Image, data: pd.DataFrame, name: str, lang: str) -> export.Chart:
    """Download buttons for one chart: PNG, SVG and PDF of a plotly figure (PNG only for a raster
    image such as a word cloud) and `data` as CSV. `name` is the file name stem, unique on the
    page. Returns the chart, to pass to `export_all`."""
    chart = export.Chart(name, fig, data)
    images = isinstance(fig, Image.Image) or export.chromium_path() is not None
    with st.container(horizontal=True, key=f"downloads-{chart.name}", gap="small"):
        for fmt in (*chart.formats, "csv") if images else ("csv",):
            st.download_button(
                fmt.upper(), data=partial(export.chart_bytes, chart, fmt), file_name=f"{chart.name}.{fmt}",
                mime=export.MIME[fmt], key=f"download-{chart.name}-{fmt}", help=t(f"download_help_{fmt}", lang),
                on_click="ignore", type="tertiary", icon=":material/download:")
    if not images:
        st.caption(t("export_no_chromium", lang))
    return chart


def export_all(charts: Iterable[export.Chart], view: View, page: str) -> None:
    """The sidebar's "export all" button: one zip with every chart of this view (PNG and SVG), their
    CSVs, the filters as JSON and a README. Call it last on the page, with every chart drawn.
    Also leaves the charts in the session state, where `python -m dashboard.export` collects them."""
    charts = list(charts)
    st.session_state[export.VIEW_EXPORT_KEY] = (page, charts)
    if not charts:
        return
    help_text = t("export_all_help", view.lang)
    if export.chromium_path() is None:
        help_text += " " + t("export_all_no_images", view.lang)
    st.sidebar.download_button(
        t("export_all", view.lang), data=partial(export.view_zip, charts, page, view.filters, view.lang, view.folder),
        file_name=export.zip_name(page, view.filters), mime=export.MIME["zip"], key="export-all", help=help_text,
        on_click="ignore", icon=":material/folder_zip:")
