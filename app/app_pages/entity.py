"""Entity: everything about one agency, instrument, program, outcome, outlet or place —
names and aliases, related entities, every mention with its sentence, and the evidence
behind each fact, each linked to its report."""

from __future__ import annotations

import streamlit as st

from app.app_pages import _shared as ui
from kg import browse

cat = ui.catalog()
if cat is None:
    st.title("Entity")
    ui.empty_state()
    st.stop()

ref = st.query_params.get("e")
limit = browse.MENTION_LIMIT * (5 if st.session_state.get("entity_all") else 1)
view = cat.entity(ref, mention_limit=limit) if ref else None

if view is None:
    st.title("Entity")
    if ref:
        st.warning("No entity with this reference is in the store.", icon=":material/search_off:")
    query = st.text_input(
        "Find an entity",
        placeholder="名称或简称，如 晋安区城市管理局、新洲区城管委",
        key="entity_query",
    )
    for hit in cat.search(query, limit=30) if query.strip() else []:
        st.page_link(
            ui.PAGES["entity"], label=browse.md_escape(hit.display), query_params={"e": hit.ref}
        )
    st.stop()

st.title(browse.md_escape(view.label))
kind = next((v for k, v in view.attributes if k == "kind"), None)
st.caption(browse.md_escape(" · ".join(b for b in (browse.type_name(view.type), kind) if b)))
nav1, nav2, _ = st.columns([1, 1, 4])
nav1.page_link(
    ui.PAGES["explore"],
    label="Graph around it",
    icon=":material/hub:",
    query_params={"e": view.ref},
)
nav2.page_link(
    ui.PAGES["entity"], label="Permalink", icon=":material/link:", query_params={"e": view.ref}
)

main, side = st.columns([3, 2], gap="large")
with main:
    st.html(
        f"<div><b>Canonical name</b> {browse.chips_html([view.label])}</div>"
        + (
            f"<div><b>Also written</b> {browse.chips_html(view.aliases)}</div>"
            if view.aliases
            else ""
        )
    )
    details = [(k, v) for k, v in view.attributes if k != "kind"]
    if details:
        st.dataframe([{"field": k, "value": v} for k, v in details], hide_index=True)

    st.subheader(f"Mentions ({view.mention_total})")
    if view.mention_total > len(view.mentions):
        st.caption(f"Showing the first {len(view.mentions)}.")
        st.toggle("Show more mentions", key="entity_all")
    if view.mentions:
        st.html(browse.mentions_html(view.mentions))
    else:
        st.caption("Not mentioned in any report text (known from a report's metadata).")

    if view.evidence:
        st.subheader(f"Evidence for its facts ({len(view.evidence)})")
        st.html(browse.evidence_html(view.evidence))

with side:
    st.subheader(f"Related entities ({len(view.links)})")
    if not view.links:
        st.caption("No facts link this entity to others.")
    for group, links in view.links_by_relation():
        with st.expander(f"{group} ({len(links)})", expanded=len(view.links) <= 12):
            st.html(browse.links_html(links))
    st.caption(f"IRI {browse.md_code(view.iri)}")
