"""Theme dictionary: edit the themes' terms, add or delete themes, and a user segmentation
dictionary; each change re-scores the stored articles of this session's corpus and the charts
follow. The dictionary downloads as the pipeline's themes.yaml and uploads back."""

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import blocks, charts, queries, ui, workspace
from dashboard.i18n import chart_text, labels_of, t
from pipeline.schema import Col
from pipeline.themes import TaxonomyError

NEW = "__new__"
MESSAGE_KEY, CHANGES_KEY, VERSION_KEY = "editor_message", "editor_changes", "editor_version"

view = ui.sidebar("themes_editor")
lang = view.lang
state = st.session_state
st.title(t("page_themes_editor", lang))
st.markdown(t("editor_intro", lang))
ws = state.get(workspace.SESSION_KEY)
own = ws is not None and ws.has_tables()
if own:
    st.caption(t("editor_target_own", lang).format(articles=f"{ws.report().get('articles', 0):,}"))
else:
    st.caption(t("editor_target_default", lang))
config = ws.taxonomy_config() if ws is not None else workspace.bundled_taxonomy()
version = state.get(VERSION_KEY, 0)  # in the widget keys: after an edit the fields reload from the taxonomy
labels = labels_of(config, lang)


def own_corpus() -> workspace.Workspace:
    """The session's workspace with tables to edit: its own corpus, or a copy of the shared tables
    it was showing. The session shows it from now on."""
    target = workspace.of_session(state)
    if not target.has_tables():
        target.adopt(Path(ui.default_folder()))
    target.active = True
    return target


def apply(make_config: Callable[[], dict]) -> None:
    """Re-score the session's corpus with the taxonomy `make_config` returns and reload the page,
    or say here why the taxonomy is invalid."""
    try:
        new_config = workspace.validated(make_config())
        result = own_corpus().apply_taxonomy(new_config)
    except TaxonomyError as exc:
        st.error(f"{t('editor_invalid', lang)} {exc}")
        return
    state[MESSAGE_KEY] = t("editor_applied", lang).format(seconds=result["seconds"])
    state[CHANGES_KEY] = result
    state[VERSION_KEY] = version + 1
    st.rerun()


# --- messages of the last action ---------------------------------------------------------------
if MESSAGE_KEY in state:
    st.success(state.pop(MESSAGE_KEY))

# --- the themes at a glance, and the chart they drive ------------------------------------------
counts = queries.top_themes(view.folder, view.filters)
tagged = dict(zip(counts[Col.theme], counts[Col.articles])) if not counts.empty else {}
st.subheader(t("editor_overview", lang), anchor=False)
left, right = st.columns([3, 2])
with left:
    st.dataframe(pd.DataFrame({
        t("editor_col_id", lang): [th["id"] for th in config["themes"]],
        t("editor_col_label", lang): [labels[th["id"]] for th in config["themes"]],
        t("editor_col_strong", lang): [len(th.get("strong") or []) for th in config["themes"]],
        t("editor_col_supporting", lang): [len(th.get("supporting") or []) for th in config["themes"]],
        t("editor_col_exclude", lang): [len(th.get("exclude") or []) for th in config["themes"]],
        t("editor_col_threshold", lang): [th.get("threshold") for th in config["themes"]],
        t("col_articles", lang): [tagged.get(th["id"], 0) for th in config["themes"]],
    }), hide_index=True, key="editor-overview")
drawn = []
with right:
    text = chart_text("top_themes", lang)
    if counts.empty:
        st.info(t("no_themes", lang))
    else:
        fig = charts.ranking(counts, Col.theme, Col.articles, text, labels, color=charts.PALETTE[0])
        drawn.append(blocks.chart(fig, counts, "editor-themes", view, text["caption"]))
changes = state.get(CHANGES_KEY)
if changes:
    with st.expander(t("editor_changes", lang)):
        ids = sorted(set(changes["before"]) | set(changes["after"]), key=lambda i: -changes["after"].get(i, 0))
        st.dataframe(pd.DataFrame({
            t("editor_col_label", lang): [labels.get(i, i) for i in ids],
            t("editor_col_before", lang): [changes["before"].get(i, 0) for i in ids],
            t("editor_col_after", lang): [changes["after"].get(i, 0) for i in ids],
        }), hide_index=True)

# --- one theme -----------------------------------------------------------------------------------
ids = [th["id"] for th in config["themes"]]
picked = st.selectbox(t("editor_pick", lang), [*ids, NEW], key="editor-theme",
                      format_func=lambda i: t("editor_new_theme", lang) if i == NEW else f"{labels[i]} ({i})")
theme = next((th for th in config["themes"] if th["id"] == picked), {})
with st.form(f"editor-form-{picked}-{version}"):
    tid = st.text_input(t("editor_id", lang), value=picked if theme else "", disabled=bool(theme),
                        key=f"editor-id-{picked}-{version}")
    a, b = st.columns(2)
    label_zh = a.text_input(t("editor_label_zh", lang), value=theme.get("label_zh", ""))
    label_en = b.text_input(t("editor_label_en", lang), value=theme.get("label_en", ""))
    description = st.text_input(t("editor_description", lang), value=theme.get("description", ""))
    a, b, c = st.columns(3)
    strong = a.text_area(t("editor_strong", lang), value="\n".join(theme.get("strong") or []), height=220,
                         key=f"editor-strong-{picked}-{version}")
    supporting = b.text_area(t("editor_supporting", lang), value="\n".join(theme.get("supporting") or []), height=220,
                             key=f"editor-supporting-{picked}-{version}")
    exclude = c.text_area(t("editor_exclude", lang), value="\n".join(theme.get("exclude") or []), height=220,
                          key=f"editor-exclude-{picked}-{version}")
    a, b = st.columns(2)
    own_threshold = theme.get("threshold")
    threshold = a.number_input(t("editor_threshold", lang), value=None if own_threshold is None else float(own_threshold),
                               min_value=0.0, step=0.5)
    parents = [None, *(i for i in ids if i != picked)]
    parent = b.selectbox(t("editor_parent", lang), parents,
                         index=parents.index(theme.get("parent")) if theme.get("parent") in parents else 0,
                         format_func=lambda i: t("editor_no_parent", lang) if i is None else labels.get(i, i))
    a, b = st.columns([1, 5])
    apply_clicked = a.form_submit_button(t("editor_apply", lang), type="primary")
    delete_clicked = b.form_submit_button(t("editor_delete", lang), disabled=not theme)
if apply_clicked:
    entry = {"id": picked if theme else tid.strip(), "label_zh": label_zh.strip(), "label_en": label_en.strip(),
             "description": description.strip(), "strong": workspace.parse_terms(strong),
             "supporting": workspace.parse_terms(supporting), "exclude": workspace.parse_terms(exclude),
             "parent": parent, "threshold": threshold}
    apply(lambda: workspace.put_theme(config, entry, replace_id=picked if theme else None))
if delete_clicked:
    apply(lambda: workspace.drop_theme(config, picked))

# --- the global threshold, the file ----------------------------------------------------------------
with st.form(f"editor-global-{version}"):
    a, b = st.columns([2, 3])
    global_threshold = a.number_input(t("editor_global", lang), value=float(config.get("threshold", 4.0)), min_value=0.0,
                                      step=0.5, help=t("editor_global_help", lang))
    if b.form_submit_button(t("editor_apply", lang)):
        apply(lambda: {**config, "threshold": global_threshold})

st.subheader(t("editor_files", lang), anchor=False)
a, b = st.columns(2)
a.download_button(t("editor_download", lang), data=workspace.taxonomy_yaml(config), file_name="themes.yaml",
                  mime="application/x-yaml", icon=":material/download:", on_click="ignore", key="editor-download")
if a.button(t("editor_reset", lang), disabled=ws is None or ws.taxonomy is None, key="editor-reset"):
    apply(workspace.bundled_taxonomy)
uploaded = b.file_uploader(t("editor_upload", lang), type=["yaml", "yml"], key=f"editor-yaml-{version}",
                           max_upload_size=max(1, workspace.MAX_YAML_BYTES // workspace.MB))
if uploaded is not None and b.button(t("editor_use_upload", lang), key="editor-use-yaml"):
    apply(lambda: workspace.load_taxonomy_yaml(uploaded.getvalue()))

# --- the user segmentation dictionary ---------------------------------------------------------------
st.subheader(t("editor_userdict", lang), anchor=False)
with st.form(f"editor-userdict-{version}"):
    words = st.text_area(t("editor_userdict", lang), value=ws.user_words if ws is not None else "", height=150,
                         label_visibility="collapsed", key=f"editor-userdict-text-{version}")
    st.caption(t("editor_userdict_help", lang))
    if st.form_submit_button(t("editor_userdict_apply", lang)):
        try:
            workspace.parse_user_words(words)
        except ValueError as exc:
            st.error(f"{t('editor_userdict_invalid', lang)} {exc}")
        else:
            result = own_corpus().apply_user_words(words)
            state[MESSAGE_KEY] = t("editor_userdict_applied", lang).format(**result)
            state[VERSION_KEY] = version + 1
            st.rerun()
blocks.finish(drawn, view, "themes_editor")
