"""Overview: what the store holds, the most-cited instruments, who reports where and when,
programs by agency, and outcomes compared across agencies and years."""

from __future__ import annotations

import streamlit as st

from app.app_pages import _shared as ui
from kg import browse

st.title("Overview")
cat = ui.catalog()
if cat is None:
    ui.empty_state()
    st.stop()

counts = cat.counts()
for row in (counts[:4], counts[4:]):
    for col, (_key, name, n) in zip(st.columns(4), row, strict=False):
        col.metric(name, f"{n:,}")

link = st.column_config.LinkColumn("page", display_text="open", width="small")

st.subheader("Most-cited legal instruments")
top = cat.top_cited(limit=25)
if top:
    left, right = st.columns([3, 2])
    with left:
        st.caption("Reports citing each instrument (top 15)")
        ui.hbar(top[:15], "instrument", "reports")
    with right:
        st.caption("Instruments by kind")
        ui.hbar(cat.kinds(), "kind", "instruments", label_limit=240)
    rows = [{**r, "page": browse.entity_href(r["ref"])} for r in top]
    st.dataframe(
        rows,
        column_order=["instrument", "kind", "reports", "agencies", "page"],
        column_config={"page": link},
        hide_index=True,
    )
else:
    st.caption("No citations recognized yet.")

st.subheader("Instruments cited together")
pairs = cat.co_cited(limit=15)
if pairs:
    st.caption("Pairs of instruments that the same agencies cite, most shared first")
    st.dataframe(pairs, hide_index=True, column_order=["instrument", "with", "agencies"])
else:
    st.caption("No agency cites two instruments yet.")

st.subheader("Agencies by region and year")
cells = cat.agencies_by_region_year()
left, right = st.columns([2, 3])
with left:
    chart = [{**c, "year": str(c["year"] or "?")} for c in cells]
    st.bar_chart(
        chart, x="year", y="reports", color="region", stack=True, height=300, y_label="reports"
    )
with right:
    st.dataframe(
        cells,
        hide_index=True,
        column_order=[
            "region",
            "year",
            "reports",
            "publishing agencies",
            "agencies mentioned",
            "publishers",
        ],
    )

st.subheader("Programs by agency")
left, right = st.columns([3, 2])
with left:
    programs = [{**r, "page": browse.entity_href(r["ref"])} for r in cat.programs_by_agency()]
    if cat.program_agencies() > len(programs):
        st.caption(
            f"The {len(programs):,} of {cat.program_agencies():,} agencies that run the most"
            " programs; an agency's page lists its own"
        )
    st.dataframe(
        programs,
        hide_index=True,
        column_order=["agency", "programs", "program names", "page"],
        column_config={"page": link},
    )
with right:
    reach = cat.program_reach(limit=15)
    if reach:
        st.caption("Programs run by the most agencies")
        ui.hbar(reach, "program", "agencies", label_limit=240)

st.subheader("Outcomes")
st.caption(
    "Filter the reported outcomes, then compare them across agencies and years — e.g. "
    "measure 培训 with unit 次 for training sessions per agency per year. Values are summed "
    "as reported; qualifiers (余, 近, 约 …) are kept in the table but not applied to sums."
)
options = cat.outcome_options()
c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
text = c1.text_input("Measure contains", placeholder="e.g. 培训, 案件, 宣传, 满意率")
agencies = c2.multiselect("Agencies", options["agencies"], placeholder="all agencies")
years = c3.multiselect("Years", options["years"], placeholder="all years")
units = c4.multiselect("Units", options["units"], placeholder="all units")
filters = {"agencies": agencies, "years": years, "units": units, "text": text}
found = cat.outcome_table(limit=browse.OUTCOME_ROWS_SHOWN, **filters)
shown = found.rows
more = f" · the first {len(shown):,} shown: filter to see others" if found.truncated else ""
st.caption(f"{found.total:,} of {found.of:,} outcomes{more}")
table = [{**r, "page": browse.entity_href(r["ref"])} for r in shown]
st.dataframe(
    table,
    hide_index=True,
    height=320,
    column_order=[
        "agency",
        "year",
        "measure",
        "value",
        "qualifier",
        "unit",
        "outcome",
        "measures",
        "report",
        "page",
    ],
    column_config={"page": link, "value": st.column_config.NumberColumn(format="%g")},
)
comparison = cat.outcome_comparison(**filters)
wide, long = comparison.wide, comparison.long
if wide:
    st.markdown("**Comparison** — sum of values per agency and unit, by year")
    if comparison.truncated:
        st.caption(
            f"The first {len(wide):,} of {comparison.total:,} agency and unit rows:"
            " filter to see others"
        )
    left, right = st.columns([3, 2])
    left.dataframe(wide, hide_index=True)
    units_shown = sorted({r["unit"] for r in long})
    if len(units_shown) == 1:
        right.bar_chart(
            long,
            x="year",
            y="value",
            color="agency",
            stack=False,
            height=260,
            y_label=units_shown[0] or "value",
        )
    else:
        right.caption("Pick one unit to chart the comparison.")
