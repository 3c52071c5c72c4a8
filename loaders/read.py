"""One file on disk -> its decoded, still uncleaned text (`Document`).

Reports come scraped from thousands of government sites: plain text and HTML in UTF-8,
GBK, GB18030, Big5 or UTF-16, often with a wrong `<meta charset>`; PDFs with or without
a text layer; Word files. This module turns each into text or raises `ReadError` with a
one-line reason, so that a batch run can skip a bad file and say why. Cleaning (page
furniture, repeated blocks, normalization) is `loaders.clean`'s job, not this one's.
"""

from __future__ import annotations

import codecs
import copy
import hashlib
import importlib
import io
import logging
import os
import re
import stat
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree, html

from loaders.errors import ReadError

if TYPE_CHECKING:
    from pypdf import PdfReader

# Libraries that only some files need are imported on first use: they take longer to load
# (a third of a second together) than a worker takes to extract a hundred plain-text reports.
_LAZY_MODULES = frozenset({"charset_normalizer", "docx", "pypdf", "trafilatura"})


def __getattr__(name: str) -> object:
    """`loaders.read.trafilatura` and the other lazily imported libraries (PEP 562)."""
    if name in _LAZY_MODULES:
        return importlib.import_module(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# pypdf logs what it finds wrong with a broken file ("EOF marker not found"); with no handler
# that goes to stderr as a line naming no file. The ReadError already says why, naming it.
logging.getLogger("pypdf").addHandler(logging.NullHandler())

SUPPORTED_SUFFIXES = (".txt", ".text", ".html", ".htm", ".pdf", ".docx")
_FORMATS = {
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
}

NO_TEXT_LAYER = "no text layer: OCR is not supported"
ENCRYPTED_PDF = "encrypted PDF"
BINARY_CONTENT = "binary content, not text"
EMPTY_FILE = "empty file"

_BYTES = "<bytes>"  # the path ReadError names when decode_bytes has no file
_MB = 2**20
MAX_BYTES = 64 * _MB  # files larger than this are refused before they are read
_DOCX_MAX_EXPANDED = 200 * _MB  # uncompressed size of all members a DOCX may have
_DOCX_MAX_RATIO = 100  # uncompressed / compressed, beyond which a large DOCX is a bomb
_DOCX_RATIO_FLOOR = 10 * _MB  # small archives may compress well without being a threat

_SAMPLE = 64 * 1024  # bytes looked at to choose an encoding
_SCORE_SAMPLE = 20_000  # decoded characters scored for plausibility
_PLAUSIBLE = 0.6  # below this the best Chinese decoding is likely wrong
_DECLARED_TOLERANCE = 0.1  # a declared charset wins unless detection is clearly better
_LENIENT_MINIMUM = 0.5  # a decoding with replacement characters must still read this well
_MAX_CONTROL_SHARE = 0.02  # share of C0 control bytes above which "text" is binary
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1A), *range(0x1C, 0x20), 0x7F])
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# GB18030 first: mainland sites are the majority, so it wins ties.
_CJK_ENCODINGS = ("gb18030", "big5", "cp950", "big5hkscs")
_GB_FAMILY = {"gb2312", "gbk", "cp936", "euc_cn", "hz"}  # read as their superset GB18030

_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,400}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{2,40})""")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_TITLE_META = ("og:title", "articletitle")
_DATE_META = (
    "pubdate",
    "publishdate",
    "publish_date",
    "article:published_time",
    "og:published_time",
    "datepublished",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "firstpublishedtime",
    "publishtime",
)
_DATE = re.compile(
    r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})|((?:19|20)\d\d)(\d\d)(\d\d)"
)
_XML_BLOCKS = frozenset({"p", "head", "list", "table", "quote", "code"})  # trafilatura's XML
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "iframe", "svg"})
_BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "body", "br", "caption", "center"),
        *("dd", "details", "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure"),
        *("footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html"),
        *("legend", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table"),
        *("tbody", "td", "tfoot", "th", "thead", "tr", "ul"),
    }
)


@dataclass(frozen=True, slots=True)
class Document:
    """One file's text as decoded, before cleaning, with what the file says about itself."""

    path: str
    text: str  # raw decoded text; for HTML the main text with line breaks between blocks
    format: str  # "text" | "html" | "pdf" | "docx"
    encoding: str | None  # for text and HTML: the codec the bytes were decoded with
    title: str | None  # HTML <title>/og:title or DOCX/PDF core title, if any
    published: str | None  # YYYY-MM-DD from HTML meta, if any
    sha256: str | None = None  # of the file's bytes: the same bytes need no second extraction


def iter_paths(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files as given, and the supported files under each directory in sorted order.

    A file named explicitly is yielded whatever its suffix (so that `read_document` can
    say why it is unsupported); inside a directory only supported suffixes count, because
    scraped folders hold images and scripts too. A missing path raises `ReadError`
    rather than vanishing from a batch without a word.
    """
    for given in paths:
        path = Path(given)
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.suffix.lower() in _FORMATS and p.is_file()
            )
        elif path.exists():
            yield path
        else:
            raise ReadError(str(given), "no such file or directory")


def read_document(path: str | Path, *, max_bytes: int = MAX_BYTES) -> Document:
    """Read one file into a `Document`; every failure is a `ReadError` with a reason."""
    name = str(path)
    fmt = _FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        suffix = Path(path).suffix or "(none)"
        raise ReadError(name, f"unsupported file type {suffix}")
    data = _read_bytes(name, max_bytes=max_bytes)
    if not data:
        raise ReadError(name, EMPTY_FILE)
    return replace(_read_format(name, fmt, data), sha256=_sha256(data))


def file_sha256(path: str | Path, *, max_bytes: int = MAX_BYTES) -> str | None:
    """The SHA-256 of a file's bytes, as `read_document` records it; None for a file it
    would refuse to read."""
    try:
        return _sha256(_read_bytes(str(path), max_bytes=max_bytes))
    except ReadError:
        return None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_format(name: str, fmt: str, data: bytes) -> Document:
    if fmt == "pdf":
        return _read_pdf(name, data)
    if fmt == "docx":
        return _read_docx(name, data)
    try:
        if fmt == "html":
            return _read_html(name, data)
        return _read_text(name, data)
    except ReadError as e:
        if e.path == _BYTES:
            raise ReadError(name, e.reason) from e
        raise


def _read_bytes(name: str, *, max_bytes: int) -> bytes:
    """The file's bytes, refusing files over the limit before reading them."""
    path = os.fspath(Path(name))  # as pathlib spells it, without its per-call overhead
    try:
        status = os.stat(path)
        if stat.S_ISDIR(status.st_mode):
            raise ReadError(name, "is a directory")
        size = status.st_size
        if size > max_bytes:
            raise ReadError(name, f"file too large ({_mb(size)} MB > {_mb(max_bytes)} MB)")
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError as e:
        raise ReadError(name, "no such file or directory") from e
    except PermissionError as e:
        raise ReadError(name, "permission denied") from e
    except OSError as e:
        raise ReadError(name, f"cannot read ({e.strerror or e})") from e


def _mb(size: int) -> str:
    return f"{size / _MB:.1f}".removesuffix(".0")


def _one_line(value: str) -> str | None:
    """Whitespace collapsed; None for nothing, so that "no title" has one spelling."""
    return " ".join(value.split()) or None


def _describe(error: BaseException) -> str:
    """A library's exception as a short one-line reason."""
    message = " ".join(str(error).split()) or type(error).__name__
    return message if len(message) <= 160 else message[:157] + "..."


# --- plain text ---------------------------------------------------------------------------


def _read_text(name: str, data: bytes) -> Document:
    text, encoding = decode_bytes(data)
    if not text.strip():
        raise ReadError(name, "no text (whitespace only)")
    return Document(name, text, "text", encoding, None, None)


def decode_bytes(data: bytes, *, declared: str | None = None) -> tuple[str, str]:
    """Decode bytes of unknown encoding; returns (text, codec name).

    Order of evidence: a BOM; UTF-16 without BOM when NUL or control bytes appear (data
    that no UTF-16 reading explains is binary); strict UTF-8; then the Chinese
    double-byte codecs, which accept each other's bytes, told apart by how plausible
    their characters are as Chinese. `declared` (an HTML meta charset) is
    honoured when it decodes cleanly and reads no worse than what detection finds, since
    sites often declare gb2312 for Big5 or UTF-8 pages. Raises `ReadError` (path
    "<bytes>") for binary or undecodable data.
    """
    if (bom := _decode_bom(data)) is not None:
        return bom
    if not data:
        return "", _codec(declared) or "utf-8"
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if 0 in data or controls > _MAX_CONTROL_SHARE * len(data):
        return _decode_utf16_without_bom(data)
    text, encoding = _detect(data)
    codec = _codec(declared)
    if codec is None or codec == encoding:
        return text, encoding
    declared_text = _strict(data, codec)
    if declared_text is not None and _plausibility(declared_text) >= (
        _plausibility(text) - _DECLARED_TOLERANCE
    ):
        return declared_text, codec
    return text, encoding


def _decode_bom(data: bytes) -> tuple[str, str] | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :] if encoding != "utf-8-sig" else data
            text = _strict(body, encoding)
            if text is None:
                text = body.decode(encoding, errors="replace")
            return text, encoding
    return None


def _decode_utf16_without_bom(data: bytes) -> tuple[str, str]:
    """Control bytes, NULs above all, come in text only from UTF-16 (the zero half of an
    ASCII code unit, the low half of some Chinese ones); data that no UTF-16 reading
    explains is binary."""
    best: tuple[float, str, str] | None = None
    for encoding in ("utf-16-le", "utf-16-be"):
        text = _strict(data, encoding)
        if text is None or _control_share(text) > _MAX_CONTROL_SHARE:
            continue
        score = _plausibility(text)
        if best is None or score > best[0]:
            best = (score, text, encoding)
    if best is None or best[0] < _PLAUSIBLE:
        raise ReadError(_BYTES, BINARY_CONTENT)
    return best[1], best[2]


def _control_share(text: str) -> float:
    sample = text[:_SCORE_SAMPLE]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r\f\v\x1a\x1b")
    return controls / max(1, len(sample))


def _detect(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8"), "utf-8"  # what `_strict` gives for complete UTF-8
    except UnicodeDecodeError:
        pass
    text = _strict(data, "utf-8")  # forgives a character cut off at the end
    if text is not None:
        return text, "utf-8"
    candidates = list(_CJK_ENCODINGS)
    if len(data) % 2 == 0:
        candidates += ["utf-16-le", "utf-16-be"]
    ranked = _rank(data, candidates)
    if not ranked or ranked[0][0] < _PLAUSIBLE:
        guess = _charset_normalizer_guess(data)
        if guess is not None and guess not in candidates:
            ranked = sorted([*ranked, *_rank(data, [guess])], key=lambda r: -r[0])
    for _score, encoding in ranked:
        text = _strict(data, encoding)
        if text is not None:
            return text, encoding
    return _decode_lenient(data)


def _rank(data: bytes, encodings: list[str]) -> list[tuple[float, str]]:
    """Encodings that decode the sample strictly, most plausible first (stable on ties)."""
    scored = []
    for encoding in encodings:
        sample = _strict_sample(data, encoding)
        if sample is not None:
            scored.append((_plausibility(sample), encoding))
    return sorted(scored, key=lambda r: -r[0])


def _decode_lenient(data: bytes) -> tuple[str, str]:
    """Last resort for text with a few bad bytes (a truncated download, a stray byte):
    the most plausible decoding with replacement characters, if any is plausible."""
    best: tuple[float, str] | None = None
    for encoding in ("utf-8", "gb18030", "big5"):
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        score = _plausibility(decoder.decode(data[:_SAMPLE]))
        if best is None or score > best[0]:
            best = (score, encoding)
    if best is None or best[0] < _LENIENT_MINIMUM:
        raise ReadError(_BYTES, "undecodable text (no known encoding fits)")
    return data.decode(best[1], errors="replace"), best[1]


def _charset_normalizer_guess(data: bytes) -> str | None:
    """charset-normalizer's codec for text in none of the usual Chinese encodings."""
    import charset_normalizer

    try:
        match = charset_normalizer.from_bytes(data[: 4 * _SAMPLE]).best()
    except Exception:  # a detector's failure must not fail the read; detection goes on
        return None
    return None if match is None else _codec(match.encoding)


def _strict(data: bytes, encoding: str) -> str | None:
    """Strict decoding that forgives only a character cut off at the very end."""
    try:
        return codecs.getincrementaldecoder(encoding)(errors="strict").decode(data, final=False)
    except (ValueError, LookupError):  # UnicodeDecodeError is a ValueError
        return None


def _strict_sample(data: bytes, encoding: str) -> str | None:
    return _strict(data[:_SAMPLE], encoding)


def _codec(name: str | None) -> str | None:
    """Python's name for a declared charset, or None if Python has no text codec for it."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower().removeprefix("x-")
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):  # unknown, or not even a name ("\0")
        return None
    if not getattr(info, "_is_text_encoding", True):  # hex, base64, rot13, zlib...
        return None
    return "gb18030" if info.name in _GB_FAMILY else info.name


@cache
def _common_hanzi() -> frozenset[str]:
    """The everyday Chinese characters of both scripts, taken from the codecs themselves:
    GB 2312 level 1 (the 3,755 most used simplified characters) and Big5's block of
    frequent characters (5,401 traditional ones). Decoding GBK bytes as Big5, or Big5 as
    GBK, yields mostly characters outside these sets."""
    chars: set[str] = set()
    trails = [*range(0x40, 0x7F), *range(0xA1, 0xFF)]
    for lead in range(0xB0, 0xD8):
        chars.update(_cells("gb2312", lead, range(0xA1, 0xFF)))
    for lead in range(0xA4, 0xC7):
        chars.update(_cells("big5", lead, trails if lead < 0xC6 else range(0x40, 0x7F)))
    return frozenset(ch for ch in chars if "\u4e00" <= ch <= "\u9fff")


def _cells(encoding: str, lead: int, trails: Iterable[int]) -> Iterator[str]:
    for trail in trails:
        try:
            yield bytes((lead, trail)).decode(encoding)
        except UnicodeDecodeError:
            continue


_ASCII = re.compile("[\x00-\x7f]+")


def _plausibility(text: str) -> float:
    """How much the non-ASCII characters of a decoding look like Chinese text, 0..1.

    ASCII reads the same in every candidate codec, so only the rest can tell a right
    decoding (common characters and CJK punctuation) from a wrong one (rare characters,
    kana, private-use or replacement characters).
    """
    weights = _weights
    total = good = 0.0
    # ASCII dropped first, in C: the counts keep the order of first occurrence, so the sums
    # add up in the same order as over the whole sample.
    for ch, n in Counter(_ASCII.sub("", text[:_SCORE_SAMPLE])).items():
        total += n
        weight = weights.get(ch)
        if weight is None:
            weight = weights[ch] = 1.0 if ch in _common_hanzi() else _char_weight(ord(ch))
        good += n * weight
    return 1.0 if total == 0 else good / total


_weights: dict[str, float] = {}  # by character, as `_plausibility` weighs it


def _char_weight(code: int) -> float:
    if 0x4E00 <= code <= 0x9FFF:
        return 0.3  # a real but uncommon character
    if 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF:
        return 0.1
    if (
        0x2010 <= code <= 0x206F  # “” ‘’ — …
        or 0x3000 <= code <= 0x303F  # 、。〔〕《》
        or 0xFF01 <= code <= 0xFF5E  # ，：（）
        or 0xFFE0 <= code <= 0xFFE6
        or 0x2100 <= code <= 0x21FF  # ℃ № → and Roman numerals
        or 0x2460 <= code <= 0x24FF  # ①
        or 0x25A0 <= code <= 0x25FF  # ● ■ □
        or 0x3220 <= code <= 0x324F  # ㈠
        or code in (0xB7, 0xD7, 0xF7, 0xB0)
    ):
        return 1.0
    if 0xA0 <= code <= 0xFF:
        return 0.5  # Latin-1 letters: plausible in non-Chinese text
    return 0.0


# --- HTML ---------------------------------------------------------------------------------


def _read_html(name: str, data: bytes) -> Document:
    markup, encoding = decode_bytes(data, declared=_declared_charset(data))
    markup = _XML_DECLARATION.sub("", markup, count=1)
    tree = _parse_html(markup)
    if tree is None:
        raise ReadError(name, "no text in HTML")
    text = _main_text(copy.deepcopy(tree)) or _block_text(tree)
    if not text.strip():
        raise ReadError(name, "no text in HTML")
    title, published = _html_meta(tree)
    return Document(name, text, "html", encoding, title, published)


def _declared_charset(data: bytes) -> str | None:
    head = data[: 4 * 4096]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def _parse_html(markup: str) -> html.HtmlElement | None:
    parser = html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True)
    try:
        return html.document_fromstring(markup, parser=parser)
    except (etree.ParserError, etree.LxmlError, ValueError):
        return None


def _main_text(tree: html.HtmlElement) -> str:
    """The article text as trafilatura sees it, tuned for recall: report bodies on
    government sites often sit in tables, and headings carry the report's structure.

    Two of trafilatura's habits cost recall here. When no known content container is
    found it drops headings, so h1-h6 are handed to it as paragraphs. Its text output
    flattens a table cell into one line, which on old sites laid out with tables joins
    every paragraph of the report; so its XML is taken, layout tables are unwrapped,
    and only then is it rendered as text. `tree` is consumed.
    """
    import trafilatura
    from trafilatura.xml import xmltotxt

    for heading in tree.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        heading.tag = "p"
    try:
        xml = trafilatura.extract(
            tree,
            favor_recall=True,
            include_tables=True,
            include_comments=False,
            include_images=False,
            include_links=False,
            deduplicate=False,
            output_format="xml",
        )
        if not xml:
            return ""
        parser = etree.XMLParser(remove_blank_text=True, huge_tree=True)
        main = etree.fromstring(xml, parser=parser).find("main")
        if main is None:
            return ""
        _unwrap_layout_tables(main)
        return xmltotxt(main, include_formatting=False)
    except Exception:  # a broken page must fall back to plain extraction, not fail
        return ""


def _unwrap_layout_tables(main: etree._Element) -> None:
    """Replace each table whose cells hold paragraphs or headings (a page layout, not
    data) by the contents of its cells, in order."""
    for table in list(main.iter("table")):
        cells = [cell for row in table.iterchildren("row") for cell in row.iterchildren("cell")]
        if not any(child.tag in _XML_BLOCKS for cell in cells for child in cell):
            continue
        blocks: list[etree._Element] = []
        for cell in cells:
            if cell.text and cell.text.strip():
                paragraph = etree.Element("p")
                paragraph.text = cell.text
                blocks.append(paragraph)
            blocks.extend(cell)
        parent = table.getparent()
        if parent is None:
            continue
        position = parent.index(table)
        parent.remove(table)
        for offset, block in enumerate(blocks):
            parent.insert(position + offset, block)


def _block_text(tree: html.HtmlElement) -> str:
    """All visible text with a line break between block elements, scripts and styles
    left out: the fallback when trafilatura finds no main text."""
    parts: list[str] = []
    skipping = 0
    for event, element in etree.iterwalk(tree, events=("start", "end")):
        tag = element.tag.lower() if isinstance(element.tag, str) else None
        if event == "start":
            if tag is None or tag in _SKIP_TAGS:
                skipping += 1
            elif not skipping:
                if tag in _BLOCK_TAGS:
                    parts.append("\n")
                parts.append(element.text or "")
            continue
        if tag is None or tag in _SKIP_TAGS:
            skipping -= 1
        elif not skipping and tag in _BLOCK_TAGS:
            parts.append("\n")
        if not skipping:
            parts.append(element.tail or "")
    lines = (line.strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _html_meta(tree: html.HtmlElement) -> tuple[str | None, str | None]:
    """(title, published date) from the page's <meta> tags and <title>."""
    meta: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        content = element.get("content")
        if key and content and content.strip():
            meta.setdefault(key.strip().lower(), " ".join(content.split()))
    titles = [meta.get(key) for key in _TITLE_META]
    title_element = tree.find(".//title")
    if title_element is not None:
        titles.append(_one_line(title_element.text_content()))
    title = next((t for t in titles if t), None)
    dates = (_iso_date(meta[key]) for key in _DATE_META if key in meta)
    return title, next((d for d in dates if d), None)


def _iso_date(value: str) -> str | None:
    match = _DATE.search(value)
    if match is None:
        return None
    year, month, day = (int(g) for g in match.groups() if g is not None)
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


# --- PDF ----------------------------------------------------------------------------------


def _read_pdf(name: str, data: bytes) -> Document:
    reader = _open_pdf(name, data)
    try:
        if len(reader.pages) == 0:
            raise ReadError(name, "not a readable PDF (no pages)")
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except ReadError:
        raise
    except Exception as e:  # pypdf raises many kinds of errors on malformed files
        raise ReadError(name, f"not a readable PDF ({_describe(e)})") from e
    if not text.strip():
        raise ReadError(name, NO_TEXT_LAYER)
    return Document(name, text, "pdf", None, _pdf_title(reader), None)


def _open_pdf(name: str, data: bytes) -> PdfReader:
    """A reader ready to extract text; PDFs locked only by an owner password open with
    the empty user password, as every PDF viewer does."""
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise ReadError(name, ENCRYPTED_PDF)
    except ReadError:
        raise
    except DependencyError as e:
        raise ReadError(name, f"{ENCRYPTED_PDF} (AES needs the cryptography package)") from e
    except Exception as e:  # pypdf raises many kinds of errors on malformed files
        raise ReadError(name, f"not a readable PDF ({_describe(e)})") from e
    return reader


def _pdf_title(reader: PdfReader) -> str | None:
    try:
        title = reader.metadata.title if reader.metadata is not None else None
    except Exception:  # a broken info dictionary costs the title, not the text
        return None
    return _one_line(str(title)) if title else None


# --- DOCX ---------------------------------------------------------------------------------


def _read_docx(name: str, data: bytes) -> Document:
    import docx

    _check_zip(name, data)
    try:
        document = docx.Document(io.BytesIO(data))
        text = "\n".join(_docx_blocks(document.element.body, document))
        title = document.core_properties.title
    except Exception as e:  # python-docx and zipfile raise many kinds on broken files
        raise ReadError(name, f"not a readable DOCX ({_describe(e)})") from e
    if not text.strip():
        raise ReadError(name, "no text in DOCX")
    return Document(name, text, "docx", None, _one_line(title or ""), None)


def _check_zip(name: str, data: bytes) -> None:
    """Refuse archives that are not zips, or whose directory promises a decompression
    bomb, before python-docx inflates anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as e:
        raise ReadError(name, f"not a readable DOCX (not a zip archive: {_describe(e)})") from e
    expanded = sum(m.file_size for m in members)
    compressed = max(1, sum(m.compress_size for m in members))
    if expanded > _DOCX_MAX_EXPANDED or (
        expanded > _DOCX_RATIO_FLOOR and expanded / compressed > _DOCX_MAX_RATIO
    ):
        raise ReadError(name, f"refused: DOCX expands to {_mb(expanded)} MB (zip bomb?)")


def _docx_blocks(container: etree._Element, parent: object) -> Iterator[str]:
    """Paragraphs and table cells in document order, one block each; content controls
    (w:sdt) are looked into, since forms keep their text there."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, parent).text
        elif child.tag == qn("w:tbl"):
            for row in child.iterchildren(qn("w:tr")):
                yield from _docx_row(row, parent)
        elif child.tag == qn("w:sdt"):
            for content in child.iterchildren(qn("w:sdtContent")):
                yield from _docx_blocks(content, parent)


def _docx_row(row: etree._Element, parent: object) -> Iterator[str]:
    """A row of one-line cells as one line "| a | b |", the way trafilatura writes an
    HTML table row, so that a figure stays on the line of its label; a row whose cells
    hold several paragraphs (a layout table) as those paragraphs."""
    from docx.oxml.ns import qn

    cells = [list(_docx_blocks(cell, parent)) for cell in row.iterchildren(qn("w:tc"))]
    if all(len(blocks) <= 1 for blocks in cells):
        yield "| " + " | ".join(blocks[0] if blocks else "" for blocks in cells) + " |"
    else:
        for blocks in cells:
            yield from blocks
