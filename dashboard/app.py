"""govlens dashboard entry point: declares the pages, nothing else.

Run with `streamlit run dashboard/app.py` (or `bash scripts/app.sh`). The page scripts live in
`views/`, not `pages/`: beside a `pages/` folder Streamlit falls back to its old folder-based
navigation and never runs this file.
"""

import sys
from pathlib import Path

import streamlit as st

# Streamlit puts this file's folder on sys.path; the packages live one level up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.i18n import t  # noqa: E402
from dashboard.state import lang_from_params  # noqa: E402

# The sidebar's language switch once it exists (switching pages drops the URL's parameters), else the URL.
lang = st.session_state.get("f_lang") or lang_from_params({"lang": st.query_params.get_all("lang")})
st.set_page_config(page_title="govlens", page_icon="🔎", layout="wide")
pages = [
    st.Page("views/overview.py", title=t("page_overview", lang), icon="🗺️", url_path="overview", default=True),
    st.Page("views/compare.py", title=t("page_compare", lang), icon="⚖️", url_path="compare"),
    st.Page("views/timeline.py", title=t("page_timeline", lang), icon="📈", url_path="timeline"),
    st.Page("views/map.py", title=t("page_map", lang), icon="🧭", url_path="map"),
    st.Page("views/keywords.py", title=t("page_keywords", lang), icon="🔤", url_path="keywords"),
    st.Page("views/slogans.py", title=t("page_slogans", lang), icon="📣", url_path="slogans"),
    st.Page("views/articles.py", title=t("page_articles", lang), icon="📰", url_path="articles"),
    st.Page("views/upload.py", title=t("page_upload", lang), icon="📤", url_path="upload"),
    st.Page("views/themes_editor.py", title=t("page_themes_editor", lang), icon="🏷️", url_path="themes_editor"),
]
st.navigation(pages).run()
