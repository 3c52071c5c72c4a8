"""Coverage-guided fuzzing of the readers and the pipeline with atheris (libFuzzer).

    python tests/fuzz/fuzz_readers.py -max_total_time=60 -timeout=20 -rss_limit_mb=3072 \
        -max_len=65536 -artifact_prefix=build/ build/fuzz

`make fuzz` runs it so. The corpus directory (build/fuzz) is seeded on the first run with
small real inputs of every kind (text in each encoding, HTML, PDF, DOCX, report text) and
grows with every input that reaches new code. Whatever breaks a contract is a crash: libFuzzer
stops and writes the input to build/crash-<sha1>; run the harness with that file as its only
argument to replay it.

The first byte of an input picks the target, the rest is its payload:

    0  decode_bytes(payload, declared=…)         only ReadError; text and codec otherwise
    1  read_document(file with each suffix)      only ReadError, one line, naming the file
    2  clean_text(payload as text)               spans in the text, on line bounds
    3  build_report(payload as text)             no exception; every offset matches the text
    4  build_report(arbitrary code points)       the same, surrogates and controls included

The contracts are those of tests/test_read.py, tests/test_clean.py and
tests/test_reliability.py; this only looks for inputs nobody thought of.
"""

from __future__ import annotations

import io
import sys
import tempfile
import zipfile
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

with atheris.instrument_imports(include=["loaders"]):
    from loaders.clean import clean_text
    from loaders.errors import ReadError
    from loaders.pipeline import build_report
    from loaders.read import SUPPORTED_SUFFIXES, decode_bytes, read_document

_DECLARED = [None, "utf-8", "gbk", "gb2312", "big5", "utf-16", "latin-1", "rot13", "x-junk", "\0"]
_TMP = Path(tempfile.mkdtemp(prefix="kg-fuzz-"))
_MAX_TEXT = 200_000  # characters given to the pipeline: keep each run well under the timeout


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    target, payload = data[0] % 5, data[1:]
    if target == 0:
        _decode(payload, _DECLARED[data[0] // 5 % len(_DECLARED)])
    elif target == 1:
        _read(payload, SUPPORTED_SUFFIXES[data[0] // 5 % len(SUPPORTED_SUFFIXES)])
    elif target == 2:
        _clean(payload.decode("utf-8", "replace"))
    elif target == 3:
        _pipeline(payload.decode("utf-8", "replace")[:_MAX_TEXT])
    else:
        provider = atheris.FuzzedDataProvider(payload)
        _pipeline(provider.ConsumeUnicode(min(len(payload), _MAX_TEXT)))


def _decode(payload: bytes, declared: str | None) -> None:
    try:
        text, encoding = decode_bytes(payload, declared=declared)
    except ReadError as e:
        assert e.path == "<bytes>" and "\n" not in str(e), str(e)
        return
    assert isinstance(text, str) and encoding, (text, encoding)


def _read(payload: bytes, suffix: str) -> None:
    path = _TMP / f"input{suffix}"
    path.write_bytes(payload)
    try:
        document = read_document(path)
    except ReadError as e:
        assert e.path == str(path), (e.path, str(path))
        assert "\n" not in str(e) and e.reason, str(e)
        return
    assert document.text.strip(), "a document without text was returned"


def _clean(raw: str) -> None:
    cleaned = clean_text(raw)
    previous = 0
    for span in cleaned.furniture:
        assert previous <= span.start < span.end <= len(cleaned.text), span
        assert span.start == 0 or cleaned.text[span.start - 1] == "\n", span
        assert span.end == len(cleaned.text) or cleaned.text[span.end] == "\n", span
        previous = span.end
    assert "\r" not in cleaned.text and "\n\n\n" not in cleaned.text


def _pipeline(raw: str) -> None:
    report = build_report(raw, source="fuzz")
    text = report.text
    ids = {e.id for e in report.entities}
    for e in report.entities:
        for m in e.mentions:
            assert 0 <= m.start < m.end <= len(text), (e.label, m)
            assert text[m.start : m.end] == m.text, (e.label, m, text[m.start : m.end])
    for r in report.relations:
        assert r.source in ids and r.target in ids, r
        assert 0 <= r.evidence.start <= r.evidence.end <= len(text), r


# ----------------------------------------------------------------- seeds

_REPORT = (
    "福州市晋安区城市管理局2023年度法治政府建设年度报告\n发布时间:2024-02-19 16:09\n"
    "2023年，晋安区城市管理局依据《中华人民共和国行政处罚法》（闽司〔2017〕348号）开展"
    "“谁执法谁普法”活动，全年开展执法培训30余次，发放宣传资料1.5万份，在《福州日报》发布信息。\n"
)
_TRADITIONAL = "某區司法局依據《中華人民共和國行政處罰法》開展培訓30餘次，國發〔2016〕9號。\n"


def _seeds() -> dict[str, bytes]:
    seeds = {
        "decode-utf8": b"\x00" + _REPORT.encode(),
        "decode-gbk": bytes([5 * 2]) + _REPORT.encode("gbk"),
        "decode-big5": bytes([5 * 4]) + _TRADITIONAL.encode("big5"),
        "decode-utf16": b"\x00" + _REPORT.encode("utf-16-le"),
        "clean": b"\x02" + ("上一篇:\n首页 > 新闻\n" + _REPORT * 2).encode(),
        "report": b"\x03" + (_REPORT + _TRADITIONAL).encode(),
        "report-raw": b"\x04" + (_REPORT + _TRADITIONAL).encode(),
    }
    for i, suffix in enumerate(SUPPORTED_SUFFIXES):
        seeds[f"read-{suffix[1:]}"] = bytes([1 + 5 * i]) + _file_seed(suffix)
    return seeds


def _file_seed(suffix: str) -> bytes:
    if suffix in (".html", ".htm"):
        return (
            '<html><head><meta charset="gb2312"><title>报告</title><script>x()</script></head>'
            f"<body><p>{_REPORT}</p></body></html>"
        ).encode()
    if suffix == ".pdf":
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfgen import canvas

        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        buffer = io.BytesIO()
        pdf = canvas.Canvas(buffer)
        pdf.setFont("STSong-Light", 12)
        pdf.drawString(72, 720, _REPORT.splitlines()[0])
        pdf.showPage()
        pdf.save()
        return buffer.getvalue()
    if suffix == ".docx":
        return _minimal_docx()
    return _REPORT.encode("gb18030")


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _minimal_docx() -> bytes:
    """The smallest DOCX python-docx opens, stored uncompressed so that the mutator works on
    its XML rather than on deflate noise."""
    paragraphs = "".join(
        f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in _REPORT.splitlines()
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Override PartName="/word/document.xml"'
            ' ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
            'document.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
            'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{_W}"><w:body>'
            f"{paragraphs}<w:tbl><w:tr><w:tc><w:p><w:r><w:t>指标</w:t></w:r></w:p></w:tc>"
            "<w:tc><w:p><w:r><w:t>7件</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _seed_corpus(argv: list[str]) -> None:
    """Fill an empty corpus directory (the first argument not starting with '-')."""
    dirs = [Path(a) for a in argv[1:] if not a.startswith("-")]
    if not dirs or (dirs[0].exists() and not dirs[0].is_dir()):
        return
    dirs[0].mkdir(parents=True, exist_ok=True)
    if not any(dirs[0].iterdir()):
        for name, data in _seeds().items():
            (dirs[0] / f"seed-{name}").write_bytes(data)


if __name__ == "__main__":
    _seed_corpus(sys.argv)
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
