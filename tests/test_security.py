"""Safe to expose (issue #7): query surfaces are read-only, bounded in rows, time and memory,
and never reach out to the network; report text and labels reach the app's HTML escaped;
uploads are capped and type-checked; export file names are safe; credentials come from the
environment and are never printed.

The SPARQL limits are tested on a store with enough data for a cartesian product to be
hopeless, and whatever might run away is run in a child process, so that a failing limit
costs that process and not the test session.
"""

from __future__ import annotations

import csv
import http.server
import io
import json
import os
import re
import subprocess
import sys
import textwrap
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from kg import browse, sparql
from kg.store import Store
from tests.conftest import kg
from tests.test_app_pages import run_page

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

CARTESIAN_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CARTESIAN_ROWS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
CARTESIAN_SORTED = "SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    """The seeds and 60 generated reports: some 40,000 quads."""
    work = tmp_path_factory.mktemp("security")
    assert kg("bench", "generate", "60", str(work / "reports")).returncode == 0
    done = kg("ingest", str(SEEDS), str(work / "reports"), "--store", str(work / "store"))
    assert done.returncode == 0, done.stderr[-2000:]
    return work / "store"


@pytest.fixture()
def listener() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request: nothing may reach it."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _record(self) -> None:
            hits.append(f"{self.command} {self.path}")
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            self.wfile.write(b'{"head": {"vars": []}, "results": {"bindings": []}}')

        do_GET = do_POST = _record

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def _run_isolated(store: Path, code: str, timeout: float = 120) -> dict:
    """Run `code` in a child Python holding `store` as `store` and a 4 GB address-space cap;
    it prints one JSON object. A query the limits fail to stop dies with the child."""
    program = (
        textwrap.dedent(
            f"""
        import json, os, resource, sys, threading, time
        resource.setrlimit(resource.RLIMIT_AS, (4 * 2**30, 4 * 2**30))
        import psutil
        from kg import sparql
        from kg.store import Store
        store = Store({str(store)!r}, read_only=True)
        me = psutil.Process()
        out = {{}}
        """
        )
        + textwrap.dedent(code)
        + "\nprint(json.dumps(out), flush=True)\nos._exit(0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    assert done.returncode == 0 and done.stdout.strip(), (done.returncode, done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------- SPARQL: rows, time, memory


def test_sparql_run_caps_the_rows_of_a_cartesian_product(store_dir):
    store = Store(store_dir, read_only=True)
    try:
        started = time.monotonic()
        result = sparql.run(store, CARTESIAN_ROWS, limit=50, timeout=20)
        assert time.monotonic() - started < 10
    finally:
        store.close()
    assert len(result.rows) == 50 and result.truncated == "row cap 50"
    assert len(result.raw_json["results"]["bindings"]) == 50
    assert result.columns == ["a", "b", "c", "d", "e", "f"]


def test_sparql_run_stops_a_long_query_at_the_time_limit_and_nothing_keeps_running(store_dir):
    out = _run_isolated(
        store_dir,
        f"""
        started = time.monotonic()
        try:
            sparql.run(store, {CARTESIAN_COUNT!r}, timeout=1.5)
            out["error"] = None
        except sparql.QueryError as e:
            out["error"] = str(e)
        out["waited"] = time.monotonic() - started
        cpu = sum(me.cpu_times()[:2])
        time.sleep(1.5)
        out["cpu_after"] = sum(me.cpu_times()[:2]) - cpu
        out["children_after"] = len(me.children(recursive=True))
        out["threads_after"] = threading.active_count()
        """,
    )
    assert out["error"] == "query stopped: it ran longer than the 1.5 s limit"
    assert out["waited"] < 4
    assert out["cpu_after"] < 0.5, f"the stopped query went on running: {out}"
    assert out["children_after"] == 0 and out["threads_after"] == 1, out


def test_sparql_run_stops_a_query_that_would_take_all_memory(store_dir):
    out = _run_isolated(
        store_dir,
        f"""
        started = time.monotonic()
        try:
            sparql.run(store, {CARTESIAN_SORTED!r}, limit=10, timeout=20)
            out["error"] = None
        except sparql.QueryError as e:
            out["error"] = str(e)
        except MemoryError:
            out["error"] = "MemoryError in the caller"
        out["waited"] = time.monotonic() - started
        time.sleep(1)
        out["rss_mb"] = me.memory_info().rss / 2**20
        """,
    )
    assert out["error"] and out["error"].startswith("query stopped: "), out
    assert out["rss_mb"] < 1024, f"the caller holds the query's memory: {out}"


# ----------------------------------------------------------------- SPARQL: read-only, no network

REFUSED_UPDATES = [
    'INSERT DATA { <urn:a> <urn:b> "c" }',
    "insert data { graph <urn:g> { <urn:a> <urn:b> <urn:c> } }",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "WITH <urn:g> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "DROP ALL",
    "CLEAR DEFAULT",
    "CREATE GRAPH <urn:new>",
    "COPY DEFAULT TO <urn:g>",
    "PREFIX zg: <https://w3id.org/zhgov-kg/ontology#>\n# a comment\nDELETE WHERE { ?r a zg:Report }",
    "SELECT * WHERE { ?s ?p ?o } ; DROP ALL",
]


def test_sparql_run_refuses_updates_and_leaves_the_store_as_it_was(store_dir):
    store = Store(store_dir, read_only=True)
    try:
        before = store.stats()
        for update in REFUSED_UPDATES:
            with pytest.raises(sparql.QueryError) as refused:
                sparql.run(store, update, timeout=10)
            assert "\n" not in str(refused.value), update
        assert store.stats() == before
    finally:
        store.close()
    after = Store(store_dir, read_only=True)
    try:
        assert after.stats() == before
    finally:
        after.close()


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}",
        "select * where {{ service<{url}/sparql>{{?s ?p ?o}} }}",
        "PREFIX ex: <{url}/> SELECT * WHERE {{ SERVICE ex:sparql {{ ?s ?p ?o }} }}",
        "PREFIX : <{url}/> SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ SERVICE :sparql {{ ?s ?p ?o }} }} }}",
        "LOAD <{url}/data.nt>",
        "LOAD SILENT <{url}/data.nt> INTO GRAPH <urn:g>",
    ],
)
def test_sparql_run_never_sends_anything_over_the_network(store_dir, listener, template):
    url, hits = listener
    store = Store(store_dir, read_only=True)
    try:
        with pytest.raises(sparql.QueryError) as refused:
            sparql.run(store, template.format(url=url), timeout=10)
    finally:
        store.close()
    assert "\n" not in str(refused.value)
    assert hits == [], f"the query reached {url}: {hits}"


def test_sparql_run_allows_the_word_service_where_it_is_not_a_keyword(store_dir):
    store = Store(store_dir, read_only=True)
    try:
        result = sparql.run(
            store,
            "PREFIX service: <urn:x#>\n# SERVICE <http://example.org/> in a comment\n"
            'SELECT ?service WHERE { BIND("SERVICE <http://example.org/>" AS ?service) '
            "FILTER(?service != service:SERVICE) }",
            timeout=10,
        )
    finally:
        store.close()
    assert result.rows == [{"service": "SERVICE <http://example.org/>"}]


def test_kg_query_refuses_service_and_updates_in_one_line(store_dir, listener):
    url, hits = listener
    for text in (f"SELECT * WHERE {{ SERVICE <{url}/x> {{ ?s ?p ?o }} }}", f"LOAD <{url}/x>"):
        done = kg("query", text, "--store", str(store_dir))
        assert done.returncode == 2, done.stderr[-2000:]
        assert "Traceback" not in done.stderr and "RuntimeError" not in done.stderr
        assert re.fullmatch(r"kg: [^\n]+\n", done.stderr), done.stderr[-2000:]
    assert hits == []


def test_kg_query_stops_at_its_time_limit_in_one_line(store_dir):
    started = time.monotonic()
    done = kg("query", CARTESIAN_COUNT, "--store", str(store_dir), "--timeout", "1")
    assert time.monotonic() - started < 30
    assert done.returncode == 2
    assert done.stderr == "kg: query stopped: it ran longer than the 1 s limit\n"


def test_kg_query_caps_rows_and_says_so(store_dir):
    done = kg("query", CARTESIAN_ROWS, "--store", str(store_dir), "--limit", "5", "--format", "csv")
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(list(csv.reader(io.StringIO(done.stdout)))) == 1 + 5
    assert "stopped at 5 rows (row cap 5)" in done.stderr


# ----------------------------------------------------------------- the app

HOSTILE = """福州市晋安区城市管理局2023年度法治政府建设年度报告<script>alert('title')</script>
2023年，晋安区城市管理局<script>alert(1)</script>依据《中华人民共和国行政处罚法》开展执法培训30余次。
我局在《<img src=x onerror=alert(1)>条例》宣传中，通过<a href="javascript:alert(1)">福州日报</a>发布信息。
依据《<svg onload=alert(2)>办法》和《javascript:alert(3)实施细则》开展“<b onmouseover=alert(4)>谁执法谁普法</b>”活动。
"""
# Elements and attributes the app never writes itself: if one shows up, the report wrote it.
_FOREIGN_TAGS = {
    *("script", "img", "svg", "iframe", "frame", "object", "embed", "math", "form"),
    *("input", "button", "video", "audio", "source", "link", "meta", "base", "template"),
}
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"}


def _html_problems(markup: str, *, own_scripts: bool = False) -> list[str]:
    """What in `markup` is live HTML from the hostile report: an element the app never writes,
    an event handler, a javascript: URL. With `own_scripts` the page has its own <script>s
    (pyvis): allowed, as long as none carries the report's markup raw."""
    problems = []
    document = markup if own_scripts else f"<html><body>{markup}</body></html>"
    for element in lxml.html.document_fromstring(document).iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if own_scripts and tag in ("meta", "link") and element.getparent().tag == "head":
            pass  # the picture page's own head (charset, content security policy)
        elif tag == "script" and own_scripts:
            text = element.text or ""
            if any(raw in text for raw in ("<img src=x", "<script>alert", "<svg onload")):
                problems.append(f"<script> with raw markup: {text[:80]}")
        elif tag in _FOREIGN_TAGS:
            problems.append(f"<{tag}> {lxml.html.tostring(element, encoding=str)[:80]}")
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                problems.append(f"<{tag} {name}={value!r}>")
            if name.lower() in _URL_ATTRIBUTES and re.match(
                r"\s*(javascript|vbscript|data):", value, re.I
            ):
                problems.append(f"<{tag} {name}={value!r}>")
    return problems


def _markdown_problems(text: str) -> list[str]:
    """Raw markup or a javascript: link in text shown as Markdown (code spans are literal)."""
    shown = re.sub(r"`[^`]*`", "", text)
    problems = [m.group(0) for m in re.finditer(r"(?<!\\)<\s*/?\s*[a-zA-Z][^>]*>?", shown)]
    problems += re.findall(r"javascript:", shown, flags=re.IGNORECASE)
    return problems


def _check_page(at: AppTest) -> None:
    for html in at.html:
        assert not _html_problems(html.value), _html_problems(html.value)
    for frame in at.get("iframe"):
        srcdoc = frame.proto.srcdoc
        assert not _html_problems(srcdoc, own_scripts=True), _html_problems(
            srcdoc, own_scripts=True
        )
        assert "<img src=x" not in srcdoc and "<script>alert" not in srcdoc
    shown = [
        *(e.value for e in (*at.markdown, *at.title, *at.header, *at.subheader, *at.caption)),
        *(e.value for e in (*at.info, *at.warning, *at.error, *at.success)),
        *(link.proto.label for link in at.get("page_link")),
        *(e.label for e in at.expander),
    ]
    for text in shown:
        assert not _markdown_problems(text), (text, _markdown_problems(text))


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory) -> tuple[Path, str, list[str]]:
    work = tmp_path_factory.mktemp("hostile")
    source = work / "晋安 <script>.txt"
    source.write_text(HOSTILE, encoding="utf-8")
    done = kg("ingest", str(source), "--store", str(work / "store"))
    assert done.returncode == 0, done.stderr
    store = Store(work / "store", read_only=True)
    try:
        catalog = browse.Catalog(store)
        (rid,) = list(catalog.reports)
        refs = sorted(
            browse.entity_ref(row["e"])
            for row in store.select("SELECT DISTINCT ?e WHERE { ?e skos:prefLabel ?l }")
        )
        labels = {row["l"] for row in store.select("SELECT ?l WHERE { ?e skos:prefLabel ?l }")}
    finally:
        store.close()
    assert any("onerror" in label for label in labels), labels  # the payload is in the data
    return work / "store", rid, refs


def test_app_report_page_of_an_ingested_hostile_report_is_escaped(hostile_store, monkeypatch):
    store, rid, _refs = hostile_store
    at = run_page(store, "reports", monkeypatch, r=rid)
    _check_page(at)
    page = "\n".join(h.value for h in at.html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_app_entity_pages_of_an_ingested_hostile_report_are_escaped(hostile_store, monkeypatch):
    store, _rid, refs = hostile_store
    hostile = [r for r in refs if "%3C" in r or "<" in r or "javascript" in r]
    assert hostile, refs
    for ref in refs:
        at = run_page(store, "entity", monkeypatch, e=ref)
        assert not any("No entity" in w.value for w in at.warning), ref
        _check_page(at)


def test_app_explore_picture_of_a_hostile_report_is_escaped(hostile_store, monkeypatch):
    store, _rid, refs = hostile_store
    for ref in [r for r in refs if r.startswith("agency/")][:1] + [
        r for r in refs if "onerror" in r or "%3Cimg" in r
    ][:1]:
        at = run_page(store, "explore", monkeypatch, e=ref)
        assert at.get("iframe"), ref
        _check_page(at)


def test_app_query_page_refuses_service_without_reaching_out(store_dir, listener, monkeypatch):
    url, hits = listener
    at = run_page(store_dir, "query", monkeypatch)
    at.text_area(key="sparql_text").input(f"SELECT * WHERE {{ SERVICE <{url}/x> {{ ?s ?p ?o }} }}")
    at.run()
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.error and hits == []


def test_app_ingest_uploader_accepts_only_report_types_up_to_the_cap(tmp_path, monkeypatch):
    at = run_page(tmp_path / "store", "ingest", monkeypatch)
    (uploader,) = at.get("file_uploader")
    assert sorted(uploader.proto.type) == sorted(browse.UPLOAD_SUFFIXES)
    assert uploader.proto.max_upload_size_mb == browse.MAX_UPLOAD_MB == 20


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("big.txt", b"a" * (20 * 2**20 + 1), "file too large"),
        ("report.exe", b"MZ\x90\x00", "unsupported file type .exe"),
        ("report.txt.sh", b"#!/bin/sh\nrm -rf /\n", "unsupported file type .sh"),
        ("noext", "某区司法局报告".encode(), "unsupported file type (none)"),
        ("empty.txt", b"", "empty file"),
    ],
)
def test_upload_is_refused_by_size_and_type_in_one_line(name, data, reason):
    got = browse.extract_upload(name, data)
    assert got.report is None and got.error and "\n" not in got.error
    assert got.error.startswith(f"{name}: {reason}"), got.error


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd.txt", "..\\..\\windows\\win.ini.txt", "/abs/path/报告.txt", "a/../../b.txt"],
)
def test_upload_names_lose_their_directories(name):
    got = browse.extract_upload(name, "新洲区城管委依据《中华人民共和国行政处罚法》执法。".encode())
    assert got.report is not None, got.error
    assert "/" not in got.name and "\\" not in got.name and ".." not in got.name
    assert got.report.source == f"upload:{got.name}"


def test_upload_of_a_zip_bomb_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (300 * 2**20))
    got = browse.extract_upload("bomb.docx", buffer.getvalue())
    assert got.report is None and "zip bomb" in got.error


# ----------------------------------------------------------------- export file names


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=120))
def test_safe_file_name_is_never_a_path_hidden_or_empty(text):
    name = browse.safe_file_name(text)
    assert name and len(name) <= 80
    assert "/" not in name and "\\" not in name and "\0" not in name
    assert not name.startswith(".") and ".." not in name
    assert not any(ch.isspace() or ord(ch) < 32 for ch in name)


@pytest.mark.parametrize(
    "store_name", ["../../etc", "kg store", ".hidden", "a;rm -rf ~", "名字$(id)", "\x00x", "…"]
)
def test_export_file_names_are_safe_for_any_store_name(tmp_path, store_name):
    for fmt in browse.EXPORT_FORMATS:
        name = browse.export_file_name(tmp_path / store_name, fmt)
        assert re.fullmatch(r"[\w][\w.\-]*", name), name
        assert ".." not in name and name.endswith(browse.EXPORT_FORMATS[fmt].suffix)


# ----------------------------------------------------------------- credentials


def test_ingest_to_an_unreachable_neo4j_never_shows_the_password(tmp_path):
    report = tmp_path / "a.txt"
    report.write_text("新洲区城管委依据《中华人民共和国行政处罚法》执法。", encoding="utf-8")
    env = {**_env(), "NEO4J_USER": "neo4j", "NEO4J_PASSWORD": "hunter2-env-secret"}
    for uri in ("bolt://127.0.0.1:9", "bolt://neo4j:hunter2-uri-secret@127.0.0.1:9"):
        done = kg("ingest", str(report), "--neo4j", uri, env=env, timeout=120)
        output = done.stdout + done.stderr
        assert done.returncode == 2, output[-2000:]
        assert "Traceback" not in output
        assert "hunter2" not in output, output[-2000:]
        assert re.fullmatch(r"kg: [^\n]+\n", done.stderr), done.stderr[-2000:]


def _env() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}


@pytest.mark.neo4j
def test_neo4j_status_and_ingest_output_never_show_the_password(neo4j_server, tmp_path):
    status = kg("neo4j", "status", "--dir", str(neo4j_server.dir), env=_env())
    assert status.returncode == 0 and neo4j_server.uri in status.stdout
    assert neo4j_server.password not in status.stdout + status.stderr

    env = {**_env(), "NEO4J_USER": neo4j_server.user, "NEO4J_PASSWORD": neo4j_server.password}
    done = kg("ingest", str(SEEDS), "--neo4j", neo4j_server.uri, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert neo4j_server.password not in done.stdout + done.stderr

    wrong = {**env, "NEO4J_PASSWORD": "not-the-password-4711"}
    refused = kg("stats", "--neo4j", neo4j_server.uri, env=wrong)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "not-the-password-4711" not in refused.stdout + refused.stderr
    assert neo4j_server.password not in refused.stdout + refused.stderr


@pytest.mark.neo4j
def test_neo4j_cypher_is_read_only_capped_and_time_limited(neo4j_server, neo4j_driver, monkeypatch):
    from kg.neo4j_store import Neo4jError, Neo4jStore

    env = {**_env(), "NEO4J_USER": neo4j_server.user, "NEO4J_PASSWORD": neo4j_server.password}
    for write in (
        "CREATE (n:Intruder) RETURN n",
        "MERGE (n:Intruder {key: 'x'}) RETURN n",
        "MATCH (n) DETACH DELETE n",
        "CREATE USER intruder SET PASSWORD 'intruder-pass-1'",
    ):
        done = kg("cypher", write, "--neo4j", neo4j_server.uri, env=env)
        assert done.returncode == 2 and "Traceback" not in done.stderr, (write, done.stderr)
        assert re.fullmatch(r"kg: [^\n]+\n", done.stderr), done.stderr
    records, _, _ = neo4j_driver.execute_query("MATCH (n:Intruder) RETURN count(n) AS n")
    assert records[0]["n"] == 0

    monkeypatch.setenv("NEO4J_USER", neo4j_server.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password)
    store = Neo4jStore.connect(neo4j_server.uri)
    try:
        columns, rows = store.cypher("UNWIND range(1, 100000) AS x RETURN x", limit=100)
        assert columns == ["x"] and len(rows) == 100
        table = browse.run_cypher(store, "UNWIND range(1, 100000) AS x RETURN x", limit=40)
        assert len(table.rows) == 40 and table.truncated == "row cap 40"
        started = time.monotonic()
        with pytest.raises(Neo4jError):
            store.cypher(
                "UNWIND range(1, 2000000000) AS x WITH x WHERE x < 0 RETURN count(x) AS n",
                timeout=1,
            )
        assert time.monotonic() - started < 15
    finally:
        store.close()


@pytest.mark.neo4j
def test_neo4j_cypher_cannot_read_local_files_or_reach_the_network(
    neo4j_server, listener, monkeypatch, tmp_path
):
    """LOAD CSV is a read, so a READ session allows it: the server must refuse file URLs and
    every host, or the Cypher tab reads /etc/passwd and fetches any URL from this machine."""
    from kg.neo4j_store import Neo4jError, Neo4jStore

    url, hits = listener
    secret = tmp_path / "secret.csv"
    secret.write_text("only,for,this,machine\n", encoding="utf-8")
    monkeypatch.setenv("NEO4J_USER", neo4j_server.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password)
    store = Neo4jStore.connect(neo4j_server.uri)
    try:
        for source in (secret.as_uri(), "file:///etc/passwd", f"{url}/data.csv"):
            with pytest.raises(Neo4jError):
                store.cypher(f"LOAD CSV FROM '{source}' AS row RETURN row LIMIT 1")
    finally:
        store.close()
    assert hits == []
