"""The web app: `kg app [--store DIR] [--neo4j URI] [--port P]` runs this with Streamlit.

Pages live in app_pages/ and only render; what they show comes from `kg.browse`."""

from __future__ import annotations

import streamlit as st

from app.app_pages import _shared

st.set_page_config(
    page_title="zhgov-kg · 法治报告知识图谱",
    page_icon="⚖️",  # an emoji favicon is a data: URL; a :material: one loads from Google
    layout="wide",
)

st.html(
    """<style>
mark { background: #ffe08a; color: inherit; padding: 0 2px; border-radius: 2px; }
.kg-list { margin: 0; padding-left: 1.1rem; line-height: 1.8; }
.kg-list li { margin-bottom: .35rem; }
.kg-meta { color: #6b7280; font-size: .85rem; }
.kg-report a { text-decoration: none; color: inherit; }
.kg-list a, .kg-group a { text-decoration: none; color: #1f5fa8; }
.kg-group { margin-bottom: .9rem; }
.kg-jump { font-size: .85rem; }
[data-testid="stAppDeployButton"] { display: none; }
.kg-chip { display: inline-block; background: #f1f3f6; border-radius: 4px; padding: 0 6px;
           margin: 0 4px 4px 0; }
</style>"""
)

pages = [
    st.Page(
        "app_pages/overview.py",
        title="Overview",
        icon=":material/monitoring:",
        url_path="overview",
        default=True,
    ),
    st.Page("app_pages/explore.py", title="Explore", icon=":material/hub:", url_path="explore"),
    st.Page("app_pages/entity.py", title="Entity", icon=":material/badge:", url_path="entity"),
    st.Page(
        "app_pages/reports.py", title="Reports", icon=":material/description:", url_path="reports"
    ),
    st.Page("app_pages/query.py", title="Query", icon=":material/terminal:", url_path="query"),
    st.Page(
        "app_pages/ingest.py", title="Ingest", icon=":material/upload_file:", url_path="ingest"
    ),
    st.Page("app_pages/export.py", title="Export", icon=":material/download:", url_path="export"),
]
navigation = st.navigation(pages)
_shared.sidebar()
navigation.run()
