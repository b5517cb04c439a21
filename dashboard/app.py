"""govlens dashboard entry point: declares the pages, nothing else.

Run with `streamlit run dashboard/app.py` (or `bash scripts/app.sh`). The page scripts live in
`views/`, not `pages/`: beside a `pages/` folder Streamlit falls back to its old folder-based
navigation and never runs this file. Icons are Material symbols, which Streamlit ships (emoji
need a colour emoji font the server's browser may lack).
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
st.set_page_config(page_title="govlens", page_icon=str(Path(__file__).with_name("assets") / "icon.png"), layout="wide")
pages = [
    st.Page("views/overview.py", title=t("page_overview", lang), icon=":material/dashboard:", url_path="overview", default=True),
    st.Page("views/compare.py", title=t("page_compare", lang), icon=":material/compare_arrows:", url_path="compare"),
    st.Page("views/timeline.py", title=t("page_timeline", lang), icon=":material/timeline:", url_path="timeline"),
    st.Page("views/map.py", title=t("page_map", lang), icon=":material/map:", url_path="map"),
    st.Page("views/keywords.py", title=t("page_keywords", lang), icon=":material/tag:", url_path="keywords"),
    st.Page("views/slogans.py", title=t("page_slogans", lang), icon=":material/campaign:", url_path="slogans"),
    st.Page("views/articles.py", title=t("page_articles", lang), icon=":material/article:", url_path="articles"),
    st.Page("views/upload.py", title=t("page_upload", lang), icon=":material/upload_file:", url_path="upload"),
    st.Page("views/themes_editor.py", title=t("page_themes_editor", lang), icon=":material/label:", url_path="themes_editor"),
]
st.navigation(pages).run()
