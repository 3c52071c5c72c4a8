"""Reading files of every supported kind, and every kind of bad input, into `Document`s.

All fixtures are built here: text in each encoding, HTML pages, PDFs drawn with
reportlab's built-in Chinese CID font, DOCX files made by python-docx, and broken or
hostile variants of them.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import struct
import tempfile
import time
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from loaders.clean import clean_text
from loaders.errors import ReadError
from loaders.read import (
    BINARY_CONTENT,
    EMPTY_FILE,
    ENCRYPTED_PDF,
    NO_TEXT_LAYER,
    SUPPORTED_SUFFIXES,
    Document,
    decode_bytes,
    iter_paths,
    read_document,
)

SIMPLIFIED = (
    "某区司法局2023年度法治政府建设情况报告\n"
    "一、加强组织领导，全面落实第一责任人职责。\n"
    "全年组织集中学法12次，开展普法宣传活动60余场，发放宣传资料5000余份。\n"
    "二、推进严格规范公正文明执法，行政复议案件办结率达到100%。\n"
)
TRADITIONAL = (
    "某區法務局2023年度法治政府建設情況報告\n"
    "一、加強組織領導，全面落實第一責任人職責。\n"
    "全年組織集中學法12次，開展普法宣傳活動60餘場，發放宣傳資料5000餘份。\n"
)
GB18030_ONLY = SIMPLIFIED + "生僻字𠀾与欧元符号€只有GB18030能编码。\n"  # outside GBK


def _gb_family(encoding: str) -> bool:
    return encoding == "gb18030"


def _big5_family(encoding: str) -> bool:
    return encoding in {"big5", "cp950", "big5hkscs"}


# --- ReadError ----------------------------------------------------------------------------


def test_read_error_str_is_one_line_path_and_reason() -> None:
    error = ReadError("报告/a b.pdf", "not a readable PDF (bad\nxref\ttable)")
    assert (error.path, error.reason) == ("报告/a b.pdf", "not a readable PDF (bad xref table)")
    assert str(error) == "报告/a b.pdf: not a readable PDF (bad xref table)"


def test_read_error_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(ReadError("a.txt", "empty file")))
    assert (error.path, error.reason, str(error)) == ("a.txt", "empty file", "a.txt: empty file")


# --- decode_bytes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "text", "expected"),
    [
        pytest.param(SIMPLIFIED.encode("utf-8"), SIMPLIFIED, "utf-8", id="utf-8"),
        pytest.param(SIMPLIFIED.encode("utf-8-sig"), SIMPLIFIED, "utf-8-sig", id="utf-8-bom"),
        pytest.param(SIMPLIFIED.encode("gbk"), SIMPLIFIED, "gb18030", id="gbk"),
        pytest.param(GB18030_ONLY.encode("gb18030"), GB18030_ONLY, "gb18030", id="gb18030"),
        pytest.param(TRADITIONAL.encode("big5"), TRADITIONAL, "big5", id="big5"),
        pytest.param(
            b"\xff\xfe" + SIMPLIFIED.encode("utf-16-le"),
            SIMPLIFIED,
            "utf-16-le",
            id="utf-16-le-bom",
        ),
        pytest.param(
            b"\xfe\xff" + SIMPLIFIED.encode("utf-16-be"),
            SIMPLIFIED,
            "utf-16-be",
            id="utf-16-be-bom",
        ),
        pytest.param(SIMPLIFIED.encode("utf-16-le"), SIMPLIFIED, "utf-16-le", id="utf-16-le"),
        pytest.param(SIMPLIFIED.encode("utf-16-be"), SIMPLIFIED, "utf-16-be", id="utf-16-be"),
        pytest.param(
            TRADITIONAL.encode("utf-16-le"), TRADITIONAL, "utf-16-le", id="utf-16-le-traditional"
        ),
        pytest.param(
            "法治政府建设".encode("utf-16-le"), "法治政府建设", "utf-16-le", id="utf-16-le-no-ascii"
        ),
    ],
)
def test_decode_bytes_detects_encoding(data: bytes, text: str, expected: str) -> None:
    assert decode_bytes(data) == (text, expected)


@pytest.mark.parametrize("length", [2, 4, 6, 10, 20, 40])
@pytest.mark.parametrize(
    ("text", "encoding", "family"),
    [(SIMPLIFIED, "gbk", _gb_family), (TRADITIONAL, "big5", _big5_family)],
    ids=["gbk", "big5"],
)
def test_decode_bytes_tells_gbk_from_big5_in_short_texts(text, encoding, family, length) -> None:
    body = text.replace("\n", "")[4 : 4 + length]
    decoded, detected = decode_bytes(body.encode(encoding))
    assert decoded == body
    assert family(detected)


@pytest.mark.parametrize(
    ("data", "declared", "family"),
    [
        pytest.param(SIMPLIFIED.encode("gbk"), "gb2312", _gb_family, id="gb2312-as-gb18030"),
        pytest.param(SIMPLIFIED.encode("gbk"), "GBK", _gb_family, id="gbk-upper-case"),
        pytest.param(TRADITIONAL.encode("big5"), "big5", _big5_family, id="big5"),
        pytest.param(b"plain ascii", "gbk", _gb_family, id="ascii-takes-declared"),
        pytest.param(SIMPLIFIED.encode("utf-8"), "utf-8", lambda e: e == "utf-8", id="utf-8"),
    ],
)
def test_decode_bytes_respects_declared_charset_that_fits(data, declared, family) -> None:
    text, encoding = decode_bytes(data, declared=declared)
    assert family(encoding)
    assert text.encode(encoding) == data


@pytest.mark.parametrize(
    ("text", "encoding", "declared", "family"),
    [
        pytest.param(SIMPLIFIED, "gbk", "utf-8", _gb_family, id="gbk-declared-utf-8"),
        pytest.param(SIMPLIFIED, "gbk", "big5", _gb_family, id="gbk-declared-big5"),
        pytest.param(SIMPLIFIED, "gbk", "iso-8859-1", _gb_family, id="gbk-declared-latin-1"),
        pytest.param(TRADITIONAL, "big5", "gb2312", _big5_family, id="big5-declared-gb2312"),
        pytest.param(SIMPLIFIED, "utf-8", "gbk", lambda e: e == "utf-8", id="utf-8-declared-gbk"),
        pytest.param(SIMPLIFIED, "gbk", "x-no-such-charset", _gb_family, id="unknown-charset"),
        pytest.param(SIMPLIFIED, "gbk", "hex", _gb_family, id="not-a-text-codec"),
    ],
)
def test_decode_bytes_overrides_wrong_declared_charset(text, encoding, declared, family) -> None:
    decoded, detected = decode_bytes(text.encode(encoding), declared=declared)
    assert decoded == text
    assert family(detected)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 50, id="png"),
        pytest.param(bytes(range(256)) * 40, id="all-bytes"),
        pytest.param(b"\x01\x02\x03\x04\x05\x06\x07\x08" * 100 + b"text", id="controls"),
        pytest.param(SIMPLIFIED.encode("utf-8") + b"\x00" * 3, id="stray-nuls"),
    ],
)
def test_decode_bytes_rejects_binary(data: bytes) -> None:
    with pytest.raises(ReadError) as raised:
        decode_bytes(data)
    assert raised.value.reason == BINARY_CONTENT


def test_decode_bytes_forgives_a_character_cut_off_at_the_end() -> None:
    data = SIMPLIFIED.encode("gbk") + "法".encode("gbk")[:1]
    assert decode_bytes(data) == (SIMPLIFIED, "gb18030")


def test_decode_bytes_replaces_a_stray_invalid_byte() -> None:
    data = SIMPLIFIED.encode("utf-8") + b"\xff" + SIMPLIFIED.encode("utf-8")
    text, encoding = decode_bytes(data)
    assert (encoding, text) == ("utf-8", SIMPLIFIED + "\ufffd" + SIMPLIFIED)


def test_decode_bytes_of_nothing_is_empty_text() -> None:
    assert decode_bytes(b"") == ("", "utf-8")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    data=st.binary(max_size=3000),
    declared=st.one_of(
        st.none(),
        st.sampled_from(["gbk", "big5", "utf-8", "utf-16", "latin-1", "rot13", "undefined"]),
        st.text(max_size=20),
    ),
)
def test_decode_bytes_raises_only_read_error(data: bytes, declared: str | None) -> None:
    try:
        text, encoding = decode_bytes(data, declared=declared)
    except ReadError:
        return
    assert isinstance(text, str)
    assert encoding


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    data=st.one_of(
        st.binary(max_size=3000),
        st.sampled_from([b"%PDF-1.4\n", b"PK\x03\x04", b"<html><body>", b"\xff\xfe"]).flatmap(
            lambda head: st.binary(max_size=2000).map(lambda tail: head + tail)
        ),
    ),
    suffix=st.sampled_from(SUPPORTED_SUFFIXES),
)
def test_read_document_raises_only_read_error_on_arbitrary_bytes(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"arbitrary{suffix}"
        path.write_bytes(data)
        try:
            document = read_document(path)
        except ReadError as e:
            assert e.path == str(path)
            assert "\n" not in str(e)
            return
    assert document.text.strip()


# --- iter_paths ---------------------------------------------------------------------------


def test_iter_paths_recurses_sorted_over_supported_files(tmp_path: Path) -> None:
    for name in ["b/2.txt", "b/1.HTML", "a.pdf", "b/c/3.docx", "b/skip.png", "z.text", "x.doc"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_paths([tmp_path])]
    assert found == ["a.pdf", "b/1.HTML", "b/2.txt", "b/c/3.docx", "z.text"]


def test_iter_paths_yields_files_as_given(tmp_path: Path) -> None:
    image, report = tmp_path / "image.png", tmp_path / "报告 一.txt"
    image.write_bytes(b"x")
    report.write_bytes(b"x")
    assert list(iter_paths([str(image), report])) == [image, report]


def test_iter_paths_raises_for_a_missing_path(tmp_path: Path) -> None:
    paths = iter_paths([tmp_path, tmp_path / "missing"])
    with pytest.raises(ReadError) as raised:
        list(paths)
    assert raised.value.path == str(tmp_path / "missing")
    assert raised.value.reason == "no such file or directory"


# --- read_document: plain text ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        (SIMPLIFIED, "utf-8", "utf-8"),
        (SIMPLIFIED, "utf-8-sig", "utf-8-sig"),
        (SIMPLIFIED, "gbk", "gb18030"),
        (GB18030_ONLY, "gb18030", "gb18030"),
        (TRADITIONAL, "big5", "big5"),
        (SIMPLIFIED, "utf-16", "utf-16-le"),  # Python writes a little-endian BOM
        (SIMPLIFIED, "utf-16-be", "utf-16-be"),
    ],
)
@pytest.mark.parametrize("suffix", [".txt", ".text", ".TXT"])
def test_read_document_decodes_text_files(tmp_path, text, encoding, expected, suffix) -> None:
    path = tmp_path / f"report{suffix}"
    data = text.encode(encoding)
    path.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()  # of the bytes, whatever their encoding
    assert read_document(path) == Document(str(path), text, "text", expected, None, None, digest)


def test_read_document_keeps_crlf_for_cleaning(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes(SIMPLIFIED.replace("\n", "\r\n").encode("gbk"))
    document = read_document(path)
    assert document.text == SIMPLIFIED.replace("\n", "\r\n")
    assert clean_text(document.text).text == SIMPLIFIED.strip()


def test_read_document_path_with_spaces_and_chinese(tmp_path: Path) -> None:
    path = tmp_path / "法治 政府" / "区 司法局 2023年 报告.txt"
    path.parent.mkdir()
    path.write_text(SIMPLIFIED, encoding="utf-8")
    document = read_document(str(path))
    assert (document.path, document.text) == (str(path), SIMPLIFIED)


@pytest.mark.parametrize("suffix", SUPPORTED_SUFFIXES)
def test_read_document_rejects_an_empty_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(b"")
    with pytest.raises(ReadError) as raised:
        read_document(path)
    assert (raised.value.path, raised.value.reason) == (str(path), EMPTY_FILE)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8, BINARY_CONTENT, id="elf"),
        pytest.param(b"   \n\t\r\n ", "no text (whitespace only)", id="whitespace"),
    ],
)
def test_read_document_rejects_text_files_without_text(tmp_path, data, reason) -> None:
    path = tmp_path / "not text.txt"
    path.write_bytes(data)
    with pytest.raises(ReadError) as raised:
        read_document(path)
    assert str(raised.value) == f"{path}: {reason}"


def test_read_document_refuses_a_file_over_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * (3 * 2**20))
    with pytest.raises(ReadError) as raised:
        read_document(path, max_bytes=2**20)
    assert raised.value.reason == "file too large (3 MB > 1 MB)"


def test_read_document_reads_a_50_mb_single_line_fast(tmp_path: Path) -> None:
    line = "区城管委累计培训40余次，发放宣传品3万份。".encode() * (50 * 2**20 // 64)
    path = tmp_path / "one line.txt"
    path.write_bytes(line)
    started = time.perf_counter()
    document = read_document(path)
    elapsed = time.perf_counter() - started
    assert (document.encoding, len(document.text.encode())) == ("utf-8", len(line))
    assert elapsed < 10, f"reading took {elapsed:.1f} s"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("report.doc", "unsupported file type .doc"),
        ("report", "unsupported file type (none)"),
        ("missing.txt", "no such file or directory"),
    ],
)
def test_read_document_rejects_unsupported_and_missing(tmp_path, name, reason) -> None:
    (tmp_path / "report.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "report").write_bytes(b"x")
    with pytest.raises(ReadError) as raised:
        read_document(tmp_path / name)
    assert raised.value.reason == reason


def test_read_document_rejects_a_directory(tmp_path: Path) -> None:
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(ReadError) as raised:
        read_document(tmp_path / "folder.txt")
    assert raised.value.reason == "is a directory"


# --- read_document: HTML ------------------------------------------------------------------

BODY_PARAGRAPHS = (
    "2023年，区司法局坚持以习近平法治思想为指导，全面推进法治政府建设，现将有关情况报告如下。",
    "全年组织集中学法12次，开展普法宣传活动60余场，发放宣传资料5000余份，"
    "群众满意率达到98.5%。区司法局还组织执法人员参加行政执法资格考试，通过率100%。",
    "推进严格规范公正文明执法，全面落实行政执法公示制度、执法全过程记录制度、"
    "重大执法决定法制审核制度，行政复议案件办结率达到100%，未发生被纠错案件。",
)


def _page(charset_meta: str, *, head: str = "", body_extra: str = "") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY_PARAGRAPHS)
    return f"""<!DOCTYPE html>
<html><head>{charset_meta}
<title>区司法局2023年法治政府建设情况报告_某区人民政府</title>
{head}
<script>var tracker = "脚本里的文字不应出现"; function f() {{ return 1; }}</script>
<style>.article {{ color: #333; }} /* 样式里的文字不应出现 */</style>
</head><body>
<div class="nav"><a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a></div>
<div class="article">
<h1>区司法局2023年法治政府建设情况报告</h1>
<h2>一、主要举措和成效</h2>
{paragraphs}
<table><tr><td>指标</td><td>数量</td></tr><tr><td>行政复议案件</td><td>7件</td></tr></table>
<script>document.write("正文中的脚本也不应出现");</script>
{body_extra}
</div></body></html>"""


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_read_document_html_main_text_without_scripts_and_styles(tmp_path: Path) -> None:
    page = _page('<meta charset="utf-8">', head='<meta name="PubDate" content="2024-01-19 10:30">')
    document = read_document(_write(tmp_path, "page.html", page.encode("utf-8")))
    assert (document.format, document.encoding) == ("html", "utf-8")
    assert document.title == "区司法局2023年法治政府建设情况报告_某区人民政府"
    assert document.published == "2024-01-19"
    lines = document.text.split("\n")
    for expected in (*BODY_PARAGRAPHS, "区司法局2023年法治政府建设情况报告", "一、主要举措和成效"):
        assert expected in lines
    assert "| 行政复议案件 | 7件 |" in document.text
    for hidden in ("脚本", "样式", "tracker", "color"):
        assert hidden not in document.text


def _simple_page(meta: str, text: str) -> str:
    paragraphs = "".join(f"<p>{line}</p>" for line in text.splitlines())
    return (
        f"<html><head>{meta}<title>Report</title><script>var a = 1;</script></head>"
        f"<body><div class='article'>{paragraphs}</div></body></html>"
    )


@pytest.mark.parametrize(
    ("meta", "text", "encoding", "family"),
    [
        pytest.param('<meta charset="utf-8">', SIMPLIFIED, "gbk", _gb_family, id="gbk-as-utf-8"),
        pytest.param(
            '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
            TRADITIONAL,
            "big5",
            _big5_family,
            id="big5-as-gb2312",
        ),
        pytest.param('<meta charset="big5">', SIMPLIFIED, "gbk", _gb_family, id="gbk-as-big5"),
        pytest.param(
            '<meta charset="gbk">', SIMPLIFIED, "utf-8", lambda e: e == "utf-8", id="utf-8-as-gbk"
        ),
        pytest.param("", SIMPLIFIED, "gbk", _gb_family, id="gbk-undeclared"),
    ],
)
def test_read_document_html_survives_a_wrong_meta_charset(tmp_path, meta, text, encoding, family):
    page = _simple_page(meta, text)
    document = read_document(_write(tmp_path, "page.htm", page.encode(encoding)))
    assert family(document.encoding)
    assert document.text.split("\n") == text.splitlines()


def test_read_document_html_respects_a_right_meta_charset(tmp_path: Path) -> None:
    page = _page('<meta http-equiv="Content-Type" content="text/html; charset=GBK">')
    document = read_document(_write(tmp_path, "page.html", page.encode("gbk")))
    assert document.encoding == "gb18030"
    assert BODY_PARAGRAPHS[1] in document.text


@pytest.mark.parametrize(
    ("meta", "published"),
    [
        ('<meta name="PubDate" content="2019-01-24 15:52">', "2019-01-24"),
        ('<meta name="publishdate" content="2019-1-4">', "2019-01-04"),
        (
            '<meta property="article:published_time" content="2021-03-05T08:00:00+08:00">',
            "2021-03-05",
        ),
        ('<meta name="firstpublishedtime" content="2020年7月9日">', "2020-07-09"),
        ('<meta name="PubDate" content="20180814">', "2018-08-14"),
        ('<meta name="PubDate" content="2019-02-30">', None),
        ('<meta name="keywords" content="2019-01-24">', None),
    ],
)
def test_read_document_html_published_from_meta(tmp_path: Path, meta: str, published) -> None:
    page = _page('<meta charset="utf-8">', head=meta)
    document = read_document(_write(tmp_path, "page.html", page.encode("utf-8")))
    assert document.published == published


def test_read_document_html_prefers_og_title(tmp_path: Path) -> None:
    page = _page('<meta charset="utf-8">', head='<meta property="og:title" content="报告 正题">')
    document = read_document(_write(tmp_path, "page.html", page.encode("utf-8")))
    assert document.title == "报告 正题"


def test_read_document_html_falls_back_to_block_text(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("loaders.read.trafilatura.extract", lambda *args, **kwargs: None)
    page = _page('<meta charset="utf-8">')
    document = read_document(_write(tmp_path, "page.html", page.encode("utf-8")))
    lines = document.text.split("\n")
    for expected in (*BODY_PARAGRAPHS, "一、主要举措和成效", "指标", "数量", "7件"):
        assert expected in lines
    for hidden in ("脚本", "样式", "tracker", "color", "区司法局2023年法治政府建设情况报告_"):
        assert hidden not in document.text


def test_read_document_html_without_text(tmp_path: Path) -> None:
    page = b"<html><head><script>var a = 1;</script></head><body><img src=x></body></html>"
    with pytest.raises(ReadError) as raised:
        read_document(_write(tmp_path, "empty page.html", page))
    assert raised.value.reason == "no text in HTML"


# --- read_document: PDF -------------------------------------------------------------------

PDF_LINES = ("区城管委2023年度法治政府建设情况报告", "全年累计培训40余次，发放宣传品30000份。")


def _pdf(
    *, lines: tuple[str, ...] = PDF_LINES, title: str | None = "法治政府建设年度报告"
) -> bytes:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    if title:
        pdf.setTitle(title)
    pdf.setFont("STSong-Light", 12)
    for i, line in enumerate(lines):
        pdf.drawString(72, 720 - 20 * i, line)
    pdf.rect(72, 400, 200, 100, fill=1)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _encrypted(data: bytes, *, user: str, algorithm: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user, owner_password="owner-secret", algorithm=algorithm)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_read_document_pdf_with_chinese_text_layer(tmp_path: Path) -> None:
    document = read_document(_write(tmp_path, "报告 2023.pdf", _pdf()))
    assert (document.format, document.encoding, document.title) == (
        "pdf",
        None,
        "法治政府建设年度报告",
    )
    assert [line.strip() for line in document.text.strip().split("\n")] == list(PDF_LINES)


def test_read_document_pdf_without_text_layer(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as raised:
        read_document(_write(tmp_path, "scan.pdf", _pdf(lines=(), title=None)))
    assert raised.value.reason == NO_TEXT_LAYER == "no text layer: OCR is not supported"


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128", "AES-256"])
def test_read_document_pdf_encrypted_with_a_user_password(tmp_path, algorithm) -> None:
    data = _encrypted(_pdf(), user="user-secret", algorithm=algorithm)
    with pytest.raises(ReadError) as raised:
        read_document(_write(tmp_path, "locked.pdf", data))
    assert raised.value.reason == ENCRYPTED_PDF == "encrypted PDF"


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_read_document_pdf_with_only_an_owner_password_opens(tmp_path, algorithm) -> None:
    data = _encrypted(_pdf(), user="", algorithm=algorithm)
    document = read_document(_write(tmp_path, "restricted.pdf", data))
    assert PDF_LINES[1] in document.text


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"%PDF-1.7\nthis is not really a pdf\n", id="header-only"),
        pytest.param(b"<html>saved error page</html>", id="html-as-pdf"),
        pytest.param(bytes(range(256)) * 4, id="noise"),
    ],
)
def test_read_document_pdf_broken(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(ReadError) as raised:
        read_document(_write(tmp_path, "broken.pdf", data))
    assert raised.value.reason.startswith("not a readable PDF (")
    assert "\n" not in str(raised.value)


# --- read_document: DOCX ------------------------------------------------------------------


def _docx() -> bytes:
    document = docx.Document()
    document.core_properties.title = "区司法局 法治政府建设报告"
    document.add_heading("区司法局2023年法治政府建设情况报告", level=1)
    document.add_paragraph("一、加强组织领导，全面落实第一责任人职责。")
    table = document.add_table(rows=2, cols=2)
    for (row, col), value in {
        (0, 0): "指标",
        (0, 1): "数量",
        (1, 0): "行政复议案件",
        (1, 1): "7件",
    }.items():
        table.cell(row, col).text = value
    document.add_paragraph("二、全年组织集中学法12次。")
    layout = document.add_table(rows=1, cols=2).rows[0].cells
    layout[0].text = "正文在表格里："
    layout[1].text = "一、主要举措。"
    layout[1].add_paragraph("二、存在问题。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_read_document_docx_paragraphs_and_table_rows_in_order(tmp_path: Path) -> None:
    document = read_document(_write(tmp_path, "报告 一.docx", _docx()))
    assert (document.format, document.title) == ("docx", "区司法局 法治政府建设报告")
    assert document.text.split("\n") == [
        "区司法局2023年法治政府建设情况报告",
        "一、加强组织领导，全面落实第一责任人职责。",
        "| 指标 | 数量 |",
        "| 行政复议案件 | 7件 |",
        "二、全年组织集中学法12次。",
        "正文在表格里：",
        "一、主要举措。",
        "二、存在问题。",
    ]


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(_docx()[: len(_docx()) // 2], id="truncated"),
        pytest.param(SIMPLIFIED.encode("utf-8"), id="not-a-zip"),
        pytest.param(_zip({"readme.txt": b"hello"}), id="zip-but-not-docx"),
        pytest.param(_zip({"[Content_Types].xml": b"<not xml"}), id="broken-parts"),
    ],
)
def test_read_document_docx_unreadable(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(ReadError) as raised:
        read_document(_write(tmp_path, "broken.docx", data))
    assert raised.value.reason.startswith("not a readable DOCX (")
    assert "\n" not in str(raised.value)


def _forged_size(data: bytes, size: int) -> bytes:
    """A zip whose central directory claims `size` uncompressed bytes for its member."""
    forged = bytearray(data)
    directory = forged.index(b"PK\x01\x02")
    struct.pack_into("<I", forged, directory + 24, size)
    return bytes(forged)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(
            _zip({"word/document.xml": b"\0" * (20 * 2**20)}),
            "refused: DOCX expands to 20 MB (zip bomb?)",
            id="ratio",
        ),
        pytest.param(
            _forged_size(_zip({"word/document.xml": b"<w:document/>"}), 300 * 2**20),
            "refused: DOCX expands to 300 MB (zip bomb?)",
            id="size",
        ),
    ],
)
def test_read_document_docx_refuses_a_zip_bomb(tmp_path: Path, data: bytes, reason: str) -> None:
    with pytest.raises(ReadError) as raised:
        read_document(_write(tmp_path, "bomb.docx", data))
    assert raised.value.reason == reason
