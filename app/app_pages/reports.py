"""Reports: the list of reports with publisher, year, date and counts; one report's text
with its recognized entities highlighted, a colour per entity type."""

from __future__ import annotations

import streamlit as st

from app.app_pages import _shared as ui
from kg import browse

cat = ui.catalog()
if cat is None:
    st.title("Reports")
    ui.empty_state()
    st.stop()

report = cat.report(st.query_params.get("r"))

if report is None:
    st.title("Reports")
    if st.query_params.get("r"):
        st.warning("No report with this id is in the store.", icon=":material/search_off:")
    every = cat.report_rows()
    c1, c2 = st.columns([3, 2])
    text = c1.text_input("Filter", placeholder="title, publisher, region or file name")
    years = c2.multiselect(
        "Years", sorted({r["year"] for r in every if r["year"]}), placeholder="all years"
    )
    rows = browse.filter_reports(every, text=text, years=years)
    st.caption(f"{len(rows)} of {len(every)} reports · select a row to read the report")
    picked = st.dataframe(
        rows,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="reports",
        column_order=[
            "title",
            "publisher",
            "year",
            "published",
            "region",
            "mentions",
            "entities",
            "facts",
            "source",
        ],
    )
    chosen = picked.selection.rows if picked is not None and picked.selection else []
    names = {r["id"]: f"{r['title']} · {r['publisher'] or '?'} · {r['year'] or '?'}" for r in rows}
    pick = st.selectbox(
        "Open a report",
        list(names),
        format_func=names.get,
        index=None,
        placeholder="choose a report",
    )
    if chosen:
        pick = rows[chosen[0]]["id"]
    if pick:
        st.query_params["r"] = pick
        st.rerun()
    st.stop()

info = report.info
st.page_link(ui.PAGES["reports"], label="All reports", icon=":material/arrow_back:")
st.title(browse.md_escape(info.name))
st.html(browse.report_meta_html(info))
st.caption(f"Source {browse.md_code(info.source)} · id {browse.md_code(info.id)}")

counts = report.counts()
present = [t for t in browse.ENTITY_TYPES if counts.get(t)]
shown = st.pills(
    "Highlight",
    present,
    default=present,
    selection_mode="multi",
    format_func=lambda t: f"{browse.type_name(t)} · {counts[t]}",
)
focus = st.query_params.get("at")
focus = int(focus) if focus and focus.isdigit() else None

text_col, side = st.columns([3, 1])
with text_col:
    snippet = report.focus_html(focus)
    if snippet:
        st.html(
            f'<div class="kg-meta">You followed this mention (outlined in red below):</div>'
            f"<div>{snippet}</div>"
        )
    with st.container(height=720, border=True):
        st.html(browse.report_html(report.text, report.spans, focus=focus, types=shown))
with side:
    st.markdown("**Recognized entities**")
    with st.container(height=720, border=False):
        for type_ in present:
            with st.expander(f"{browse.type_name(type_)} ({counts[type_]})"):
                st.html(report.entities_html(type_))
