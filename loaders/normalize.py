"""A same-length folded view of a text, for matching.

Recognizers match on `fold(text)` and report offsets into the original text: because the
fold maps every character to exactly one character, an offset means the same in both.
Folding turns traditional characters into simplified ones (寶雞 → 宝鸡), full-width ASCII
into half-width (（ → (, ％ → %), and the ideographic space into a space.
"""

from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

# Brackets whose full-width and half-width forms mean the same in titles and 文号.
_BRACKETS = {"【": "[", "】": "]", "［": "[", "］": "]", "＜": "<", "＞": ">"}


@cache
def _table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII block
        table[code] = unicodedata.normalize("NFKC", chr(code))
    table[0x3000] = " "
    for src, dst in _BRACKETS.items():
        table[ord(src)] = dst
    for src, dst in _zh_cn().items():
        if len(src) == 1 and len(dst) == 1 and src != dst:
            table.setdefault(ord(src), dst)
    table[ord("號")] = "号"
    return table


def _zh_cn() -> dict[str, str]:
    """zhconv's zh-cn table (zh2Hans updated by zh2CN, as `zhconv.getdict("zh-cn")` builds
    it), read from the package's data file: importing zhconv imports pkg_resources, which
    costs every worker a tenth of a second."""
    spec = importlib.util.find_spec("zhconv")
    locations = spec.submodule_search_locations if spec is not None else None
    path = Path(locations[0]) / "zhcdict.json" if locations else None
    if path is None or not path.is_file():
        import zhconv.zhconv

        zhconv.zhconv.loaddict()
        return zhconv.zhconv.getdict("zh-cn")
    tables = json.loads(path.read_bytes().decode("utf-8"))
    merged = dict(tables["zh2Hans"])
    merged.update(tables["zh2CN"])
    return merged


@cache
def _by_char() -> dict[str, str]:
    """The table keyed by character, for `str.replace`."""
    return {chr(code): dst for code, dst in _table().items()}


@cache
def _folded_chars() -> frozenset[str]:
    return frozenset(_by_char())


@cache
def _chained() -> bool:
    """Whether some character folds into one that folds again."""
    return not _folded_chars().isdisjoint(_by_char().values())


def fold(text: str) -> str:
    """Same length as `text`; see the module docstring for what changes.

    The stages of one report fold the same text again and again (its body, its mentions),
    so results are cached: many short strings, and only the latest few long ones."""
    return _fold_short(text) if len(text) <= _SHORT else _fold_long(text)


_SHORT = 64


def _fold(text: str) -> str:
    """Replace only the characters the text has: most report text is already simplified
    and half-width, and `str.replace` of a few characters beats a per-character
    `str.translate` lookup. That is the same as translating while no target is itself a
    source (else the order of the replacements would matter)."""
    if _chained():
        return text.translate(_table())
    by_char = _by_char()
    for ch in _present(text):
        text = text.replace(ch, by_char[ch])
    return text


def _present(text: str) -> set[str]:
    """The characters of `text` that fold. A regex scan of the characters below U+10000
    (a bitmap lookup per character) is much faster than iterating the string in Python;
    the rare text with characters above that is checked character by character."""
    if _ASTRAL.search(text):
        return set(_folded_chars().intersection(text))
    return set(_bmp_pattern().findall(text))


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@cache
def _bmp_pattern() -> re.Pattern[str]:
    chars = sorted(ch for ch in _folded_chars() if ord(ch) <= 0xFFFF)
    return re.compile("[" + "".join(map(re.escape, chars)) + "]")


_fold_short = lru_cache(maxsize=16384)(_fold)
_fold_long = lru_cache(maxsize=4)(_fold)
