"""Streamlit glue shared by the pages: the store opened once per process, its catalog,
page paths and the empty state. No logic about the graph lives here (that is `kg.browse`)."""

from __future__ import annotations

import os
from pathlib import Path

import altair as alt
import streamlit as st

from kg.browse import Catalog, md_code
from kg.store import Store, StoreError, default_path

PAGES = {
    "overview": "app_pages/overview.py",
    "explore": "app_pages/explore.py",
    "entity": "app_pages/entity.py",
    "reports": "app_pages/reports.py",
    "query": "app_pages/query.py",
    "ingest": "app_pages/ingest.py",
    "export": "app_pages/export.py",
}


def store_path() -> Path:
    """`$KG_STORE` (set by `kg app --store DIR`), else ./kg-store."""
    return default_path(os.environ.get("KG_STORE")).resolve()


def neo4j_uri() -> str | None:
    return os.environ.get("KG_NEO4J") or None


@st.cache_resource(show_spinner=False)
def _open(path: str) -> Store | None:
    try:
        return Store(path, read_only=True)
    except StoreError:
        return None


@st.cache_resource(
    show_spinner="Reading the store… The first reading after a change adds the changed reports"
    " to the store's summary (some 3 to 7 s per 1,000; `kg ingest --summary` does it in advance)."
)
def _catalog(path: str) -> Catalog | None:
    store = _open(path)
    if store is None:
        return None
    cat = Catalog(store)
    if not cat.is_empty():
        cat.prepare()
    return cat


def catalog() -> Catalog | None:
    """The catalog of the store, or None when there is no store or it holds no report."""
    cat = _catalog(str(store_path()))
    if cat is None or cat.is_empty():
        return None
    return cat


def reload() -> None:
    """Forget the open store, so the next page run reopens it and sees new reports."""
    _catalog.clear()
    _open.clear()


@st.cache_resource(show_spinner=False)
def neo4j(uri: str):
    from kg.browse import open_neo4j

    return open_neo4j(uri)


def empty_state() -> None:
    st.info(
        f"No reports in the store at {md_code(store_path())} yet. Add reports on "
        "the Ingest page, or from a shell with `kg ingest FILES… --store DIR`, then reload.",
        icon=":material/inventory_2:",
    )
    st.page_link(PAGES["ingest"], label="Add reports", icon=":material/upload_file:")


def sidebar() -> None:
    with st.sidebar:
        cat = _catalog(str(store_path()))
        n = cat.report_count() if cat is not None else 0
        st.caption(f"Store {md_code(store_path().name)} · {n} reports")
        if neo4j_uri():
            st.caption("Neo4j: connected for Cypher on the Query page")
        if st.button(
            "Reload store",
            icon=":material/refresh:",
            help="Reopen the store to see reports added by `kg ingest` meanwhile",
        ):
            reload()
            st.rerun()


def hbar(
    rows: list[dict], label: str, value: str, *, height: int | None = None, label_limit: int = 360
) -> None:
    """A horizontal bar chart whose long Chinese labels are not cut at 180 px."""
    if not rows:
        return
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            x=alt.X(f"{value}:Q", title=value, axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y(
                f"{label}:N",
                sort="-x",
                title=None,
                axis=alt.Axis(labelLimit=label_limit, labelOverlap=False),
            ),
            tooltip=[alt.Tooltip(f"{label}:N"), alt.Tooltip(f"{value}:Q")],
        )
        .properties(height=height or 28 * len(rows) + 70)
    )
    st.altair_chart(chart)
