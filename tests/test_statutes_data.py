"""Checks on the national statute gazetteer `loaders/data/statutes.tsv`.

The file is reference data: one row per instrument (law, administrative regulation,
judicial interpretation or central party regulation), repealed instruments kept as
their own rows and pointing at their successor.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "loaders" / "data" / "statutes.tsv"
HEADER = ["title", "kind", "issuer", "status", "aliases", "successor"]
KINDS = {"law", "administrative_regulation", "judicial_interpretation", "party_regulation"}
STATUSES = {"in_force", "repealed"}
PRC = "中华人民共和国"


def _rows() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def _aliases(row: dict[str, str]) -> list[str]:
    return row["aliases"].split("|") if row["aliases"] else []


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return _rows()


@pytest.fixture(scope="module")
def by_title(rows) -> dict[str, dict[str, str]]:
    return {r["title"]: r for r in rows}


@pytest.fixture(scope="module")
def by_alias(rows) -> dict[str, str]:
    return {a: r["title"] for r in rows for a in _aliases(r)}


def test_file_is_plain_utf8_without_bom():
    raw = DATA.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    raw.decode("utf-8")
    assert b"\r" not in raw
    assert raw.endswith(b"\n")


def test_header_exact():
    with DATA.open(encoding="utf-8", newline="") as f:
        first = f.readline().rstrip("\n")
    assert first.split("\t") == HEADER


def test_every_row_has_six_fields():
    with DATA.open(encoding="utf-8", newline="") as f:
        for lineno, line in enumerate(f, start=1):
            assert line.rstrip("\n").count("\t") == 5, f"line {lineno}: {line!r}"


def test_fields_are_clean(rows):
    for r in rows:
        for key, value in r.items():
            assert value == value.strip(), (r["title"], key)
            assert '"' not in value, (r["title"], key)
        assert r["title"], r
        assert r["issuer"], r["title"]


def test_kinds_allowed(rows):
    assert {r["kind"] for r in rows} <= KINDS


def test_status_allowed(rows):
    assert {r["status"] for r in rows} <= STATUSES


def test_titles_unique(rows):
    dups = [t for t, n in Counter(r["title"] for r in rows).items() if n > 1]
    assert not dups


def test_aliases_well_formed(rows):
    for r in rows:
        aliases = _aliases(r)
        assert len(aliases) == len(set(aliases)), r["title"]
        for a in aliases:
            assert a, r["title"]
            assert a == a.strip(), (r["title"], a)
            assert not set(a) & set("《》〈〉<>\t|"), (r["title"], a)
            assert a != r["title"], r["title"]
            assert len(a) < len(r["title"]), (r["title"], a)
            # a substring of the title, or a short form keeping its characters in order
            assert a in r["title"] or _is_subsequence(a, r["title"]), (r["title"], a)


def test_aliases_unambiguous(rows):
    titles = {r["title"] for r in rows}
    counts = Counter(a for r in rows for a in _aliases(r))
    shared = [a for a, n in counts.items() if n > 1]
    assert not shared, shared
    clashes = [a for a in counts if a in titles]
    assert not clashes, clashes


def test_prefixed_titles_have_unprefixed_alias(rows):
    for r in rows:
        if r["title"].startswith(PRC):
            assert r["title"][len(PRC) :] in _aliases(r), r["title"]


def test_successors(rows, by_title):
    for r in rows:
        if r["status"] == "repealed":
            if r["successor"]:
                assert r["successor"] in by_title, (r["title"], r["successor"])
                assert r["successor"] != r["title"]
                assert by_title[r["successor"]]["status"] == "in_force", r["successor"]
        else:
            assert r["successor"] == "", r["title"]


def test_enough_laws(rows):
    assert sum(r["kind"] == "law" for r in rows) >= 300


def test_size(rows):
    assert 350 <= len(rows) <= 460


def test_issuers_match_kinds(rows):
    npc = {"全国人民代表大会", "全国人民代表大会常务委员会"}
    for r in rows:
        if r["kind"] == "law":
            assert r["issuer"] in npc, r["title"]
        elif r["kind"] == "administrative_regulation":
            assert r["issuer"].startswith("中华人民共和国国务院"), r["title"]
        elif r["kind"] == "judicial_interpretation":
            assert r["issuer"] in {
                "最高人民法院",
                "最高人民检察院",
                "最高人民法院、最高人民检察院",
            }, r["title"]
        else:
            assert r["issuer"].startswith("中国共产党"), r["title"]


@pytest.mark.parametrize(
    ("alias", "title"),
    [
        ("噪声法", "中华人民共和国噪声污染防治法"),
        ("噪声污染防治法", "中华人民共和国噪声污染防治法"),
        ("行政处罚法", "中华人民共和国行政处罚法"),
        ("民法典", "中华人民共和国民法典"),
        ("宪法", "中华人民共和国宪法"),
        ("刑法", "中华人民共和国刑法"),
        ("个人信息保护法", "中华人民共和国个人信息保护法"),
        ("反电信网络诈骗法", "中华人民共和国反电信网络诈骗法"),
        ("行政复议法", "中华人民共和国行政复议法"),
        ("治安管理处罚法", "中华人民共和国治安管理处罚法"),
        ("固体废物污染环境防治法", "中华人民共和国固体废物污染环境防治法"),
        ("未成年人保护法", "中华人民共和国未成年人保护法"),
        ("政府信息公开条例", "中华人民共和国政府信息公开条例"),
        ("行政复议法实施条例", "中华人民共和国行政复议法实施条例"),
        ("党章", "中国共产党章程"),
    ],
)
def test_alias_examples(by_alias, alias, title):
    assert by_alias.get(alias) == title


@pytest.mark.parametrize(
    ("title", "kind", "issuer"),
    [
        ("中华人民共和国宪法", "law", "全国人民代表大会"),
        ("中华人民共和国民法典", "law", "全国人民代表大会"),
        ("中华人民共和国行政处罚法", "law", "全国人民代表大会"),
        ("中华人民共和国噪声污染防治法", "law", "全国人民代表大会常务委员会"),
        (
            "全国人民代表大会常务委员会关于县级以下人民代表大会代表直接选举的若干规定",
            "law",
            "全国人民代表大会常务委员会",
        ),
        ("重大行政决策程序暂行条例", "administrative_regulation", "中华人民共和国国务院"),
        ("优化营商环境条例", "administrative_regulation", "中华人民共和国国务院"),
        ("中华人民共和国政府信息公开条例", "administrative_regulation", "中华人民共和国国务院"),
        ("中华人民共和国行政复议法实施条例", "administrative_regulation", "中华人民共和国国务院"),
        ("城市市容和环境卫生管理条例", "administrative_regulation", "中华人民共和国国务院"),
        ("城镇排水与污水处理条例", "administrative_regulation", "中华人民共和国国务院"),
        ("物业管理条例", "administrative_regulation", "中华人民共和国国务院"),
        ("行政执法机关移送涉嫌犯罪案件的规定", "administrative_regulation", "中华人民共和国国务院"),
        (
            "最高人民法院关于适用《中华人民共和国行政诉讼法》的解释",
            "judicial_interpretation",
            "最高人民法院",
        ),
        ("中国共产党章程", "party_regulation", "中国共产党全国代表大会"),
        ("中国共产党纪律处分条例", "party_regulation", "中国共产党中央委员会"),
        ("中国共产党问责条例", "party_regulation", "中国共产党中央委员会"),
        (
            "党政主要负责人履行推进法治建设第一责任人职责规定",
            "party_regulation",
            "中国共产党中央委员会办公厅、中华人民共和国国务院办公厅",
        ),
        ("信访工作条例", "party_regulation", "中国共产党中央委员会、中华人民共和国国务院"),
    ],
)
def test_entries_present(by_title, title, kind, issuer):
    assert title in by_title
    assert by_title[title]["kind"] == kind
    assert by_title[title]["issuer"] == issuer
    assert by_title[title]["status"] == "in_force"


def test_noise_law_replaced(by_title, by_alias):
    old = by_title["中华人民共和国环境噪声污染防治法"]
    assert old["status"] == "repealed"
    assert old["successor"] == "中华人民共和国噪声污染防治法"
    assert "噪声法" not in _aliases(old)
    assert by_alias["环境噪声污染防治法"] == "中华人民共和国环境噪声污染防治法"


@pytest.mark.parametrize(
    "old",
    [
        "中华人民共和国合同法",
        "中华人民共和国民法总则",
        "中华人民共和国物权法",
        "中华人民共和国侵权责任法",
        "中华人民共和国婚姻法",
        "中华人民共和国继承法",
        "中华人民共和国收养法",
        "中华人民共和国担保法",
        "中华人民共和国民法通则",
    ],
)
def test_civil_code_predecessors(by_title, by_alias, old):
    row = by_title[old]
    assert row["status"] == "repealed"
    assert row["successor"] == "中华人民共和国民法典"
    assert by_alias[old[len(PRC) :]] == old


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("中华人民共和国执业医师法", "中华人民共和国医师法"),
        ("中华人民共和国行政监察法", "中华人民共和国监察法"),
        ("中华人民共和国外资企业法", "中华人民共和国外商投资法"),
        ("中华人民共和国学位条例", "中华人民共和国学位法"),
        ("信访条例", "信访工作条例"),
        ("中华人民共和国公司登记管理条例", "中华人民共和国市场主体登记管理条例"),
        ("中国共产党党内监督条例（试行）", "中国共产党党内监督条例"),
    ],
)
def test_other_successions(by_title, old, new):
    assert by_title[old]["status"] == "repealed"
    assert by_title[old]["successor"] == new


def test_normative_documents_left_out(by_title):
    assert "法治政府建设实施纲要（2021－2025年）" not in by_title
    assert not any("实施纲要" in t for t in by_title)
