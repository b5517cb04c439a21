"""Your corpus: upload files or a zip, build them with a progress bar per stage, read the report
(as the CLI's: files read, skipped with reasons, articles, duplicates), download the tables."""

import streamlit as st

from dashboard import ui, workspace
from dashboard.i18n import skip_reason, t
from pipeline import io

REPORT_KEY = "upload_report"  # the last build's report, kept across pages

view = ui.sidebar("upload")
lang = view.lang
state = st.session_state
st.title(t("page_upload", lang))
st.markdown(t("upload_intro", lang))
try:
    limits = workspace.UploadLimits.from_env()
except ValueError as exc:
    st.error(f"{t('upload_bad_limits', lang)}: {exc}")
    st.stop()
st.caption(t("upload_limits", lang).format(mb=f"{limits.max_upload_bytes / workspace.MB:,.0f}", files=f"{limits.max_files:,}",
                                           expanded=f"{limits.max_expanded_bytes / workspace.MB:,.0f}"))

ws = state.get(workspace.SESSION_KEY)
if ws is not None and ws.removed and ws.origin:
    st.warning(t("upload_expired", lang))
elif ws is not None and ws.active and ws.has_tables():
    st.info(t("upload_showing_own", lang).format(articles=f"{ws.report().get('articles', 0):,}"))
else:
    st.info(t("upload_showing_sample", lang))

files = st.file_uploader(t("upload_files", lang), type=[e.lstrip(".") for e in sorted(io.READABLE)], accept_multiple_files=True,
                         max_upload_size=limits.max_upload_mb, key="upload-files")
if st.button(t("upload_build", lang), type="primary", disabled=not files, key="upload-build"):
    ws = workspace.of_session(state)
    bar = st.progress(0.0, text=t("step_resources", lang))
    steps = workspace.STEPS

    def progress(step: str, fraction: float, detail: str) -> None:
        bar.progress(min(fraction, 1.0), text=f"{steps.index(step) + 1}/{len(steps)} · {t(f'step_{step}', lang)} {detail}")

    try:
        state[REPORT_KEY] = ws.build([(f.name, f.getvalue()) for f in files], limits, progress)
    except workspace.UploadRefused as exc:
        bar.empty()
        st.error(f"{t('upload_refused', lang)} {exc}")
    except (OSError, io.SchemaError) as exc:
        bar.empty()
        st.error(f"{t('upload_failed', lang)} {exc}")
    else:
        st.rerun()  # every part of the page (the sidebar too) now reads the new tables

report = state.get(REPORT_KEY)
if report:
    st.subheader(t("upload_report", lang), anchor=False)
    if report.get("error"):
        st.error(t("upload_no_article", lang))
    else:
        st.success(t("upload_done", lang).format(articles=f"{report['articles']:,}", seconds=report["durations_s"]["total"]))
    cols = st.columns(4)
    cols[0].metric(t("upload_files_read", lang), f"{report['files_read']:,}")
    cols[1].metric(t("upload_files_skipped", lang), f"{report['files_skipped']:,}")
    cols[2].metric(t("upload_articles", lang), f"{report.get('articles', 0):,}")
    cols[3].metric(t("upload_duplicates", lang), f"{report.get('duplicates_collapsed', 0):,}")
    if report["skipped"]:
        with st.container(key="upload-skipped"):
            st.markdown(f"**{t('upload_skipped_title', lang)}**")
            # Plain text, not a grid: file names are untrusted and must stay selectable and searchable.
            st.text("\n".join(f"{s['path']}: {skip_reason(s['reason'], lang)}" for s in report["skipped"]))
    if report.get("durations_s"):
        with st.expander(t("upload_durations", lang)):
            st.dataframe([{t("col_step", lang): t(f"step_{k}", lang), t("col_seconds", lang): v}
                          for k, v in report["durations_s"].items() if k in (*workspace.STEPS, "total")], hide_index=True)
    ws = state.get(workspace.SESSION_KEY)
    if not report.get("error") and ws is not None and ws.has_tables():
        left, right = st.columns(2)
        left.download_button(t("upload_download", lang), data=lambda folder=ws.tables: workspace.tables_zip(folder),
                             file_name="govlens-tables.zip", mime="application/zip", help=t("upload_download_help", lang),
                             on_click="ignore", icon=":material/download:", key="upload-download")
        right.page_link("views/overview.py", label=t("upload_go", lang), icon=":material/dashboard:")
