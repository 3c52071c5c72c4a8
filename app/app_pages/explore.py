"""Explore: an interactive picture of the graph around one entity, found by its Chinese
name or an alias, with depth and filters; a click on a node opens its entity page."""

from __future__ import annotations

import streamlit as st

from app.app_pages import _shared as ui
from kg import browse, picture

st.title("Explore")
cat = ui.catalog()
if cat is None:
    ui.empty_state()
    st.stop()
options = cat.graph_options()

center = browse.iri_of_ref(st.query_params.get("e"))
left, right = st.columns([2, 3])
query = left.text_input(
    "Find an entity",
    key="explore_query",
    placeholder="名称或简称，如 晋安区城市管理局、新洲区城管委、行政处罚法",
    help="Matches canonical names and aliases (简称); traditional characters match too.",
)
if query.strip():
    hits = cat.search(query, limit=50)
    if hits:
        names = {h.iri: h.display for h in hits}
        center = right.selectbox("Matches", list(names), format_func=names.get, key="explore_pick")
    else:
        right.warning("No entity has a name or alias containing this text.")
if not cat.has_entity(center):
    center = cat.default_center()
if center is None:
    st.info("The store holds reports but no entities to draw.")
    st.stop()
ref = browse.entity_ref(center)
if st.query_params.get("e") != ref:
    st.query_params["e"] = ref

with st.expander("Depth and filters", expanded=False, icon=":material/tune:"):
    c1, c2, c3 = st.columns([1, 3, 2])
    depth = c1.slider("Depth", 1, 3, 1, help="Facts between the centre and the farthest node")
    cap = c1.number_input(
        "Max nodes",
        min_value=20,
        max_value=1000,
        value=browse.GRAPH_CAP,
        step=20,
        help="Larger neighbourhoods keep their best-connected nodes",
    )
    types = c2.multiselect(
        "Entity types", options["types"], default=options["types"], format_func=browse.type_name
    )
    kinds = c2.multiselect(
        "Instrument kinds", options["kinds"], format_func=browse.kind_name, placeholder="all kinds"
    )
    regions = c3.multiselect(
        "Report region",
        options["regions"],
        placeholder="all regions",
        help="Only facts stated in reports from these regions",
    )
    years = c3.multiselect(
        "Report year",
        options["years"],
        placeholder="all years",
        help="Only facts stated in reports of these years",
    )

nb = cat.neighbourhood(
    center, depth=depth, types=types, kinds=kinds, regions=regions, years=years, cap=int(cap)
)
label = cat.node_label(center) or ref
head, link = st.columns([4, 1])
head.markdown(
    f"**{browse.md_escape(label)}** · {browse.type_name(cat.entity_type(center))}"
    f" · {len(nb.nodes)} entities, {len(nb.edges)} links within depth {depth}"
)
link.page_link(
    ui.PAGES["entity"], label="Entity page", icon=":material/badge:", query_params={"e": ref}
)
if nb.truncated:
    st.warning(
        f"This neighbourhood has {nb.total} entities; the picture shows the {len(nb.nodes)} "
        "best-connected. Narrow it: lower the depth, choose fewer entity types, or filter by "
        "instrument kind, report region or year (Depth and filters above).",
        icon=":material/filter_alt:",
    )
if len(nb.nodes) <= 1:
    st.caption("Nothing around this entity passes the filters.")
st.iframe(picture.render_html(nb, link="entity"), height=640, alt=f"Graph around {label}")
st.caption(
    "Click a node to open its page · drag to move · scroll to zoom · size: connections "
    "· colour: entity type · arrows: subject → object of a fact"
)

with st.expander(f"Entities in this picture ({len(nb.nodes)})"):
    rows = [
        {
            "entity": n.label,
            "type": browse.type_name(n.type),
            "kind": browse.kind_name(n.kind),
            "connections": n.degree,
            "distance": n.depth,
            "page": browse.entity_href(n.ref),
        }
        for n in nb.nodes
    ]
    st.dataframe(
        rows,
        hide_index=True,
        column_config={"page": st.column_config.LinkColumn(display_text="open")},
    )
