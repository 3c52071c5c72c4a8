"""Ingest: upload report files, preview what was recognized in each, then add them to the
store. The viewer pages read the store read-only; adding opens it for writing briefly."""

from __future__ import annotations

import streamlit as st

from app.app_pages import _shared as ui
from kg import browse
from kg.store import StoreError

st.title("Ingest")
st.caption(
    f"Files {', '.join(browse.UPLOAD_SUFFIXES)} up to {browse.MAX_UPLOAD_MB} MB each "
    "(UTF-8, GB18030 or Big5 text). They are read and recognized on this machine; nothing "
    "is sent anywhere. Check the preview, then add the reports to "
    f"{browse.md_code(ui.store_path())}."
)

files = st.file_uploader(
    "Report files",
    type=[s.lstrip(".") for s in browse.UPLOAD_SUFFIXES],
    accept_multiple_files=True,
    max_upload_size=browse.MAX_UPLOAD_MB,
    key="ingest_files",
)
extracted: dict = st.session_state.setdefault("ingest_extracted", {})
if not files:
    st.stop()

todo = [f for f in files if f.file_id not in extracted]
if todo:
    bar = st.progress(0.0, text="Reading and recognizing…")
    for n, f in enumerate(todo, 1):
        extracted[f.file_id] = browse.extract_upload(f.name, f.getvalue())
        bar.progress(n / len(todo), text=f"Read {n} of {len(todo)}")
    bar.empty()
items = [extracted[f.file_id] for f in files]
ready = [x for x in items if x.report is not None]

st.subheader("Preview")
st.dataframe(
    [
        {
            "file": x.name,
            "status": "ready" if x.report else "error",
            **x.summary(),
            "error": x.error,
        }
        for x in items
    ],
    hide_index=True,
)
for x in items:
    if x.error:
        st.error(browse.md_escape(x.error), icon=":material/error:")
for x in ready:
    with st.expander(f"{browse.md_escape(x.name)} — recognized text"):
        st.html(browse.legend_html())
        with st.container(height=360):
            st.html(browse.report_html(x.report.text, browse.report_spans(x.report), link=None))

if ready and st.button(
    f"Add {len(ready)} report(s) to the store", type="primary", icon=":material/add:"
):
    bar = st.progress(0.0, text="Adding…")

    def step(n: int, total: int) -> None:
        bar.progress(n / total, text=f"Added {n} of {total}")

    try:
        results = browse.add_reports(ui.store_path(), [x.report for x in ready], progress=step)
    except browse.StoreBusy as e:
        st.error(browse.md_escape(e), icon=":material/lock:")
    except StoreError as e:
        st.error(browse.md_escape(e), icon=":material/error:")
    else:
        ui.reload()
        st.dataframe(
            [
                {
                    "file": x.name,
                    "status": r.status if r else "error",
                    "quads": r.quads if r else None,
                    "error": err,
                }
                for x, (_report, r, err) in zip(ready, results, strict=True)
            ],
            hide_index=True,
        )
        failed = sum(err is not None for _rep, _r, err in results)
        if failed:
            st.warning(f"{failed} report(s) could not be added; see the table.")
        st.success(
            f"Done: {len(results) - failed} report(s) in the store. The other pages now show them.",
            icon=":material/check_circle:",
        )
