"""Concurrent use of the embedded store (issue #7): one writer, any number of readers.

The model (docs/reliability.md): Oxigraph lets one process write a store directory; a
second writer is refused in one line. Readers open the directory read-only while the writer
works. A read-only store is a fixed view of the store as it was when opened: it never sees
later writes, and never half of one (each batch of `kg ingest` is one bulk load). Opening
can fail for a moment while the writer creates, flushes or compacts the store; the opener
must retry or say so in one line, never crash. These tests run a real `kg ingest` process
and readers against it, in this process, in `kg` processes and in the app.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.app_pages import _shared
from kg.store import Store, StoreError
from tests.conftest import kg

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app" / "streamlit_app.py")
N_REPORTS = 400
DEADLINE = 120  # seconds any reader loop may run, whatever the writer does

MENTIONS_PER_REPORT = """
SELECT ?src (COUNT(?m) AS ?n) WHERE {
  GRAPH ?g { ?g a zg:Report ; zg:source ?src . OPTIONAL { ?m zg:mentionOf ?e } }
} GROUP BY ?src
"""


def _writer(directory: Path, store: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "ingest", str(directory), "--store", str(store)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def _finish(writer: subprocess.Popen) -> str:
    _out, err = writer.communicate(timeout=DEADLINE)
    assert writer.returncode == 0, err[-2000:]
    return err


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict:
    """Generated reports and the mention count `kg extract` gives for each file."""
    directory = tmp_path_factory.mktemp("corpus") / "reports"
    done = kg("bench", "generate", str(N_REPORTS), str(directory))
    assert done.returncode == 0, done.stderr
    extracted = kg("extract", str(directory), "--format", "jsonl")
    assert extracted.returncode == 0, extracted.stderr[-2000:]
    mentions = {}
    for line in extracted.stdout.splitlines():
        doc = json.loads(line)
        mentions[doc["source"]] = sum(len(e["mentions"]) for e in doc["entities"])
    assert len(mentions) == N_REPORTS
    return {"dir": directory, "mentions": mentions}


def _view(store: Store, expected: dict[str, int]) -> int:
    """Check that every report in an open view is whole; return how many there are."""
    rows = store.select(MENTIONS_PER_REPORT)
    for row in rows:
        assert row["n"] == expected[row["src"]], f"{row['src']}: {row['n']} mentions, half a report"
    assert store.stats()["reports"] == len(rows)
    return len(rows)


# ----------------------------------------------------------------- one writer


def test_store_second_writer_is_refused_in_one_line_and_changes_nothing(tmp_path):
    store = tmp_path / "store"
    assert kg("ingest", str(ROOT / "seeds"), "--store", str(store)).returncode == 0
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from kg.store import Store; s = Store(sys.argv[1]); "
            "print('holding', flush=True); time.sleep(60)",
            str(store),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        report = tmp_path / "a.txt"
        report.write_text("新洲区城管委依据《中华人民共和国行政处罚法》执法。", encoding="utf-8")
        done = kg("ingest", str(report), "--store", str(store))
        assert done.returncode == 2
        assert "Traceback" not in done.stderr
        (line,) = done.stderr.strip().splitlines()
        assert line.startswith(f"kg: {store}: cannot open the store (") and "lock" in line
        refused = kg("remove", "0" * 16, "--store", str(store))
        assert refused.returncode == 2 and "lock" in refused.stderr
    finally:
        holder.kill()
        holder.wait(timeout=30)
    stats = json.loads(kg("stats", "--store", str(store), "--format", "json").stdout)
    assert stats["reports"] == 2


# ----------------------------------------------------------------- readers beside the writer


def test_reader_opened_before_an_ingest_keeps_its_view_while_the_writer_runs(corpus, tmp_path):
    store = tmp_path / "store"
    assert kg("ingest", str(ROOT / "seeds"), "--store", str(store)).returncode == 0
    early = Store(store, read_only=True)
    try:
        before = early.stats()
        writer = _writer(corpus["dir"], store)
        queries = 0
        deadline = time.monotonic() + DEADLINE
        while writer.poll() is None and time.monotonic() < deadline:
            assert early.stats() == before  # a fixed view: no write shows, none breaks it
            queries += 1
        _finish(writer)
        assert queries > 0
        assert early.stats() == before
        assert early.report_ids() and len(early.report_ids()) == 2
    finally:
        early.close()
    late = Store(store, read_only=True)
    try:
        assert late.stats()["reports"] == 2 + N_REPORTS
    finally:
        late.close()


def test_readers_opened_during_an_ingest_see_whole_reports_or_fail_in_one_line(corpus, tmp_path):
    """Open, read, close, again and again while `kg ingest` creates and fills the store.

    A reader may find no store yet, or be told the store is busy (StoreError, one line);
    anything else escaping `Store(path, read_only=True)` is a crash for `kg query` and the app.
    """
    store = tmp_path / "store"  # absent: the writer creates it while readers knock
    writer = _writer(corpus["dir"], store)
    counts: list[int] = []
    refused: list[str] = []
    crashes: list[str] = []
    deadline = time.monotonic() + DEADLINE
    try:
        while writer.poll() is None and time.monotonic() < deadline:
            try:
                reader = Store(store, read_only=True)
            except StoreError as e:
                refused.append(str(e))
                continue
            except Exception as e:  # what a user would see as a traceback
                crashes.append(f"open: {type(e).__name__}: {e}")
                continue
            try:
                counts.append(_view(reader, corpus["mentions"]))
            except AssertionError:
                raise
            except Exception as e:
                crashes.append(f"read: {type(e).__name__}: {e}")
            finally:
                reader.close()
    finally:
        _finish(writer)
    assert all("\n" not in line for line in refused)
    assert not crashes, (
        f"{len(crashes)} of {len(crashes) + len(counts)} opens crashed: {crashes[:3]}"
    )
    assert counts == sorted(counts), "a later view saw fewer reports than an earlier one"
    final = Store(store, read_only=True)
    try:
        assert _view(final, corpus["mentions"]) == N_REPORTS
    finally:
        final.close()


def test_kg_query_during_an_ingest_answers_or_fails_in_one_line(corpus, tmp_path):
    store = tmp_path / "store"
    assert kg("ingest", str(ROOT / "seeds"), "--store", str(store)).returncode == 0
    writer = _writer(corpus["dir"], store)
    answers: list[int] = []
    try:
        for _ in range(12):  # each `kg` process takes about a second to start
            if writer.poll() is not None:
                break
            done = kg(
                "query",
                "SELECT (COUNT(?r) AS ?n) WHERE { ?r a zg:Report }",
                "--store",
                str(store),
                "--format",
                "csv",
                timeout=60,
            )
            assert "Traceback" not in done.stderr, done.stderr[-2000:]
            if done.returncode == 0:
                answers.append(int(done.stdout.splitlines()[1]))
            else:
                assert done.returncode == 2 and re.fullmatch(r"kg: [^\n]+\n", done.stderr)
    finally:
        _finish(writer)
    assert answers == sorted(answers) and all(n >= 2 for n in answers)


def test_app_pages_render_while_an_ingest_writes(corpus, tmp_path, monkeypatch):
    """The app reopens the store on each reload (as its Reload button does) while `kg
    ingest` writes: every run renders without an exception and no view goes back in time."""
    store = tmp_path / "store"
    assert kg("ingest", str(ROOT / "seeds"), "--store", str(store)).returncode == 0
    monkeypatch.setenv("KG_STORE", str(store))
    monkeypatch.delenv("KG_NEO4J", raising=False)
    writer = _writer(corpus["dir"], store)
    seen: list[int] = []
    try:
        for page in ["reports", "overview", "reports", "entity", "reports", "overview"] * 2:
            if writer.poll() is not None and seen:
                break
            _shared.reload()
            at = AppTest.from_file(APP, default_timeout=60)
            at.run()
            if page != "overview":
                at.switch_page(f"app_pages/{page}.py")
                at.run()
            assert not at.exception, [e.value for e in at.exception]
            shown = [c.value for c in at.sidebar.caption if " reports" in c.value]
            if shown:
                seen.append(int(re.search(r"(\d+) reports", shown[0]).group(1)))
    finally:
        _finish(writer)
        _shared.reload()
    assert seen and seen == sorted(seen)
