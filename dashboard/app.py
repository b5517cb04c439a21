"""govlens dashboard entry point: declares the pages, nothing else.

Run with `streamlit run dashboard/app.py` (or `bash scripts/app.sh`).
"""

import sys
from pathlib import Path

import streamlit as st

# Streamlit puts this file's folder on sys.path; the packages live one level up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.i18n import t  # noqa: E402

lang = st.query_params.get("lang", "zh")
lang = lang if lang in ("zh", "en") else "zh"
st.set_page_config(page_title="govlens", page_icon="🔎", layout="wide")
pages = [
    st.Page("pages/overview.py", title=t("page_overview", lang), icon="🗺️", url_path="overview", default=True),
    st.Page("pages/timeline.py", title=t("page_timeline", lang), icon="📈", url_path="timeline"),
    st.Page("pages/articles.py", title=t("page_articles", lang), icon="📰", url_path="articles"),
]
st.navigation(pages).run()
