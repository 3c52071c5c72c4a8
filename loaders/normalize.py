"""A same-length folded view of a text, for matching.

Recognizers match on `fold(text)` and report offsets into the original text: because the
fold maps every character to exactly one character, an offset means the same in both.
Folding turns traditional characters into simplified ones (寶雞 → 宝鸡), full-width ASCII
into half-width (（ → (, ％ → %), and the ideographic space into a space.
"""

from __future__ import annotations

import unicodedata
from functools import cache

import zhconv.zhconv as _zhconv

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
    _zhconv.loaddict()
    for src, dst in _zhconv.getdict("zh-cn").items():
        if len(src) == 1 and len(dst) == 1 and src != dst:
            table.setdefault(ord(src), dst)
    table[ord("號")] = "号"
    return table


def fold(text: str) -> str:
    """Same length as `text`; see the module docstring for what changes."""
    return text.translate(_table())
