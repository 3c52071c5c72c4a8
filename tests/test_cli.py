"""The `kg` command as users run it: real processes, real files, real store."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.conftest import SEEDS, kg


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "store"
    done = kg("ingest", str(SEEDS), "--store", str(path))
    assert done.returncode == 0, done.stderr
    return path


def test_cli_extract_prints_one_json_object_per_file():
    done = kg("extract", str(SEEDS), "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    docs = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(docs) == 2
    assert {d["publisher"] for d in docs} == {
        "武汉市新洲区城市管理委员会",
        "福州市晋安区城市管理局",
    }


def test_cli_extract_table():
    done = kg("extract", str(SEEDS / "001_03c2fc86df35f7ce.txt"), "--format", "table")
    assert done.returncode == 0
    assert "中华人民共和国行政处罚法" in done.stdout


def test_cli_bad_files_get_one_line_each_and_the_rest_goes_on(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "空格 名字.txt").write_text(
        "新洲区城管委依据《行政处罚法》执法。", encoding="gb18030"
    )
    done = kg("extract", str(tmp_path))
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if "empty.txt" in line or "binary" in line]
    assert len(errors) == 2 and all(": " in line for line in errors)
    assert "Traceback" not in done.stderr
    assert "1 extracted, 2 failed" in done.stderr
    (doc,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert doc["source"].endswith("空格 名字.txt")


def test_cli_missing_path_is_one_line(tmp_path):
    done = kg("extract", str(tmp_path / "nope.txt"))
    assert done.returncode == 1
    assert "nope.txt" in done.stderr and "Traceback" not in done.stderr


def test_cli_ingest_twice_is_idempotent(store):
    before = kg("stats", "--store", str(store), "--format", "json").stdout
    again = kg("ingest", str(SEEDS), "--store", str(store))
    assert again.returncode == 0
    assert "0 added, 2 unchanged" in again.stderr
    assert kg("stats", "--store", str(store), "--format", "json").stdout == before


def test_cli_stats_counts(store):
    stats = json.loads(kg("stats", "--store", str(store), "--format", "json").stdout)
    assert stats["reports"] == 2
    assert stats["entities"]["LegalInstrument"] > 10
    assert stats["relations"]["cites"] > 10


def test_cli_query_answers_and_results_json(store):
    q = (
        "SELECT DISTINCT ?agency WHERE { ?a zg:cites ?law ; skos:prefLabel ?agency . "
        '?law skos:prefLabel "中华人民共和国行政处罚法"@zh }'
    )
    done = kg("query", q, "--store", str(store), "--format", "json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["head"]["vars"] == ["agency"]
    agencies = {b["agency"]["value"] for b in result["results"]["bindings"]}
    assert "福州市晋安区城市管理局" in agencies


def test_cli_query_refuses_updates(store):
    done = kg("query", "INSERT DATA { <http://a> <http://b> <http://c> }", "--store", str(store))
    assert done.returncode == 2
    assert "read-only" in done.stderr


def test_cli_query_csv(store):
    done = kg(
        "query", "SELECT ?r WHERE { ?r a zg:Report }", "--store", str(store), "--format", "csv"
    )
    assert done.stdout.splitlines()[0] == "r" and len(done.stdout.splitlines()) == 3


def test_cli_export_validate_and_remove(store, tmp_path):
    out = tmp_path / "graph.ttl"
    assert kg("export", "--store", str(store), "--format", "turtle", "-o", str(out)).returncode == 0
    assert out.stat().st_size > 1000
    assert kg("validate", "--store", str(store)).returncode == 0
    rid = json.loads(kg("extract", str(SEEDS / "000_cf09c887e7593fd8.txt")).stdout)["id"]
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-r", str(store), str(copy)], check=True)
    assert kg("remove", rid, "--store", str(copy)).returncode == 0
    stats = json.loads(kg("stats", "--store", str(copy), "--format", "json").stdout)
    assert stats["reports"] == 1
    assert kg("remove", rid, "--store", str(copy)).returncode == 1


def test_cli_export_to_unwritable_place_is_one_line(store, tmp_path):
    done = kg(
        "export", "--store", str(store), "--format", "turtle", "-o", str(tmp_path / "no/x.ttl")
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "x.ttl" in done.stderr
