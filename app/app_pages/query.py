"""Query: read-only SPARQL against the embedded store, and Cypher against Neo4j when the
app was started with --neo4j; example questions, a table of results, CSV download."""

from __future__ import annotations

import json
import time

import streamlit as st

from app.app_pages import _shared as ui
from kg import browse, queries

st.title("Query")
st.caption(
    f"Read-only: updates are refused. Each query may run for {browse.SPARQL_TIMEOUT:g} s and "
    f"returns at most {browse.SPARQL_ROW_CAP:,} rows. Prefixes zg:, skos:, rdf:, rdfs:, "
    "xsd: and prov: are predefined; the default graph is the union of all reports."
)
cat = ui.catalog()
sparql_tab, cypher_tab = st.tabs(["SPARQL", "Cypher (Neo4j)"])


def _use_example(kind: str) -> None:
    name = st.session_state[f"{kind}_example"]
    examples = queries.EXAMPLES if kind == "sparql" else queries.APP_CYPHER_EXAMPLES
    if name in examples:
        st.session_state[f"{kind}_text"] = examples[name]
        if kind == "cypher":
            params = queries.APP_CYPHER_PARAMS.get(name, {})
            st.session_state["cypher_params"] = json.dumps(params, ensure_ascii=False)


def _show(
    columns: list[str],
    rows: list[dict],
    truncated: str | None,
    seconds: float,
    kind: str,
    raw_json: dict | None = None,
) -> None:
    note = f" · stopped at the {truncated}" if truncated else ""
    st.caption(f"{len(rows)} row{'' if len(rows) == 1 else 's'} in {seconds * 1000:.0f} ms{note}")
    st.dataframe(rows, column_order=columns, hide_index=True)
    left, right, _ = st.columns([1, 1, 3])
    left.download_button(
        "Download CSV",
        browse.rows_csv(columns, rows),
        file_name=f"{kind}-results.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
    )
    if raw_json is not None:
        right.download_button(
            "SPARQL JSON results",
            json.dumps(raw_json, ensure_ascii=False).encode("utf-8"),
            file_name="sparql-results.srj",
            mime="application/sparql-results+json",
            icon=":material/data_object:",
            on_click="ignore",
        )


with sparql_tab:
    first = next(iter(queries.EXAMPLES))
    st.session_state.setdefault("sparql_example", first)
    st.session_state.setdefault("sparql_text", queries.EXAMPLES[first])
    st.selectbox(
        "Example questions",
        list(queries.EXAMPLES),
        key="sparql_example",
        on_change=_use_example,
        args=("sparql",),
    )
    text = st.text_area("SPARQL", key="sparql_text", height=220)
    if st.button("Run SPARQL", type="primary", icon=":material/play_arrow:"):
        st.session_state.pop("sparql_result", None)
        if cat is None:
            ui.empty_state()
        else:
            started = time.perf_counter()
            try:
                result = browse.run_sparql(cat.store, text)
            except browse.QueryError as e:
                st.error(browse.md_escape(e), icon=":material/error:")
            else:
                st.session_state["sparql_result"] = (result, time.perf_counter() - started)
    if "sparql_result" in st.session_state:
        result, seconds = st.session_state["sparql_result"]
        _show(result.columns, result.rows, result.truncated, seconds, "sparql", result.raw_json)

with cypher_tab:
    uri = ui.neo4j_uri()
    if not uri:
        st.info(
            "Cypher needs Neo4j: start the app with `kg app --neo4j bolt://HOST:7687` "
            "(and load it with `kg ingest --neo4j …`).",
            icon=":material/info:",
        )
    else:
        first = next(iter(queries.APP_CYPHER_EXAMPLES))
        st.session_state.setdefault("cypher_example", first)
        st.session_state.setdefault("cypher_text", queries.APP_CYPHER_EXAMPLES[first])
        st.session_state.setdefault("cypher_params", "{}")
        st.selectbox(
            "Example questions",
            list(queries.APP_CYPHER_EXAMPLES),
            key="cypher_example",
            on_change=_use_example,
            args=("cypher",),
        )
        text = st.text_area("Cypher", key="cypher_text", height=180)
        params_text = st.text_input("Parameters (JSON object)", key="cypher_params")
        if st.button("Run Cypher", type="primary", icon=":material/play_arrow:"):
            st.session_state.pop("cypher_result", None)
            try:
                params = json.loads(params_text or "{}")
                if not isinstance(params, dict):
                    raise ValueError("parameters must be a JSON object")
            except ValueError as e:
                st.error(browse.md_escape(f"Parameters: {e}"))
            else:
                started = time.perf_counter()
                try:
                    table = browse.run_cypher(ui.neo4j(uri), text, params)
                except ImportError:
                    st.error("This installation has no Neo4j backend (kg.neo4j_store).")
                except browse.QueryError as e:
                    st.error(browse.md_escape(e), icon=":material/error:")
                except Exception as e:  # connection problems: say so, keep the page
                    st.error(browse.md_escape(f"Neo4j at {uri}: {type(e).__name__}: {e}"))
                else:
                    st.session_state["cypher_result"] = (table, time.perf_counter() - started)
        if "cypher_result" in st.session_state:
            table, seconds = st.session_state["cypher_result"]
            _show(table.columns, table.rows, table.truncated, seconds, "cypher")
