"""Compare cities: theme profiles, timelines, distinctive terms and slogans side by side."""

import streamlit as st

from dashboard import blocks, charts, queries, snippets, ui
from dashboard.i18n import t
from pipeline.schema import Col

MAX_CITIES = 6

view = ui.sidebar("compare")
lang = view.lang
st.title(t("page_compare", lang))
drawn = []
ranked = tuple(queries.top_cities(view.folder, view.filters, 3)[Col.city])
cities = ui.control("cmp", ranked, lambda key: st.multiselect(
    t("compare_pick", lang), sorted(view.options.cities), key=key, max_selections=MAX_CITIES, help=t("compare_pick_help", lang),
    placeholder=t("choose", lang)),
    view.options.cities, elide_default=False, limit=MAX_CITIES)
if ui.nothing_matches(view):
    pass
elif len(cities) < 2:
    st.info(t("compare_need_two", lang))
else:
    profile = queries.city_theme_profile(view.folder, view.filters, cities)
    if profile.empty:
        ui.empty_notice(lang)
    else:
        drawn += blocks.charted(profile, lambda text: charts.theme_profiles(profile, view.labels, text),
                                "profiles", "theme-profiles", view)
        monthly = queries.city_monthly(view.folder, view.filters, cities)
        drawn += blocks.charted(monthly, lambda text: charts.monthly_lines(monthly, Col.city, text),
                                "city_months", "city-months", view, empty="no_dates")
        terms = queries.distinctive_terms(view.folder, view.filters, cities)
        drawn += blocks.charted(terms, lambda text: charts.term_columns(terms, Col.city, text), "distinctive",
                                "distinctive-terms", view, empty="no_terms",
                                caption=("caption", "caption_keywords") if terms.attrs.get("counted") == "keywords" else ("caption",))
        st.subheader(t("compare_slogans", lang), anchor=False)
        if "slogans" not in queries.tables(view.folder):
            ui.missing_table_notice("slogans", lang)
        else:
            st.caption(t("compare_slogans_caption", lang))
            by_city = queries.city_slogans(view.folder, view.filters, cities, 15)
            for city, column in zip(cities, st.columns(len(cities))):
                with column:
                    st.markdown(f"**{snippets.plain(city)}**")
                    if by_city[city].empty:
                        st.caption(t("no_slogans", lang))
                    else:
                        blocks.table(by_city[city], lang, key=f"slogans-{city}")
blocks.finish(drawn, view, "compare")
