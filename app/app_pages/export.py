"""Export: the whole graph in every format `kg export` writes, built when you click."""

from __future__ import annotations

from functools import partial

import streamlit as st

from app.app_pages import _shared as ui
from kg import browse

st.title("Export")
cat = ui.catalog()
if cat is None:
    ui.empty_state()
    st.stop()
st.caption(
    f"{cat.report_count()} reports. RDF formats come straight from the store (TriG and N-Quads "
    "keep one named graph per report); the property-graph formats come from the graph of "
    "entities and facts. Each file is built when you click its button."
)

for fmt, spec in browse.EXPORT_FORMATS.items():
    name = browse.export_file_name(ui.store_path(), fmt)
    left, middle, right = st.columns([2, 5, 2], vertical_alignment="center")
    left.markdown(f"**{spec.title}**")
    middle.caption(f"{spec.note} · {browse.md_code(name)}")
    right.download_button(
        "Download",
        data=partial(browse.export_bytes, cat.store, fmt),
        file_name=name,
        mime=spec.mime,
        key=f"export_{fmt}",
        icon=":material/download:",
        on_click="ignore",
    )
