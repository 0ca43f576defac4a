"""Text clean-up shared by every stage: HTML debris, widths, traditional characters.

Two levels, so that output keeps what the document said while matching sees one spelling:
`clean` is for display fields (HTML removed, entities unescaped, spaces folded, widths kept);
`fold` is for matching and parsing (clean + NFKC + traditional → simplified).
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]*>")  # <p>, </p>, <br/>, <span style=...>
_ANSI = re.compile(r"\x1b(?:\][^\x07\x1b]*(?:\x07|\x1b\\)|\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])")  # terminal codes
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")  # runs of ASCII, no-break and ideographic spaces


def clean(text: str | None) -> str:
    """Drop terminal codes and HTML tags, unescape entities, fold runs of spaces; keep full-width forms.

    >>> clean("<p>1、产出&lt;30分钟</p>  <p>2</p>")
    '1、产出<30分钟 2'
    """
    if not text:
        return ""
    return _clean_cell(text) if len(text) <= _CELL else _clean(text)


_CELL = 200  # texts up to this length (cells, names, values) are cleaned once per distinct text


@lru_cache(maxsize=100_000)
def _clean_cell(text: str) -> str:
    return _clean(text)


def _clean(text: str) -> str:
    out = _TAG.sub(" ", _ANSI.sub("", text))
    out = html.unescape(out)
    out = _TAG.sub(" ", out)  # tags that were escaped once (&lt;p&gt;)
    return _SPACES.sub(" ", out).strip()


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # opencc-python-reimplemented: pure Python, dictionaries ship in the wheel

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _t2s_changes() -> dict[str, tuple[str, ...]]:
    """The OpenCC t2s entries that change their text (where key and value differ), by one character
    of each key (the first that differs).

    A text that holds none of these keys matches no changing entry, so t2s gives it back unchanged:
    the pure-Python conversion (about 1.5 µs a character) is skipped for simplified text, also for
    text holding a character that only some phrases change (覆 of 覆核 in 覆盖率).
    """
    from importlib import resources

    changes: dict[str, list[str]] = {}
    for name in ("TSPhrases.txt", "TSCharacters.txt"):  # the t2s config's dictionaries
        table = resources.files("opencc") / "dictionary" / name
        for line in table.read_text(encoding="utf-8").splitlines():
            key, _, values = line.strip().partition("\t")
            value = values.split(" ")[0]  # OpenCC uses the first of several values
            if key and value != key:
                mark = next((a for a, b in zip(key, value, strict=False) if a != b), key[0])
                changes.setdefault(mark, []).append(key)
    return {mark: tuple(keys) for mark, keys in changes.items()}


def to_simplified(text: str) -> str:
    """Traditional → simplified characters (OpenCC t2s) of a whole text, nothing else changed."""
    changes = _t2s_changes()
    if any(key in text for mark in changes.keys() & set(text) for key in changes[mark]):
        return _t2s().convert(text)
    return text


def fold_text(text: str | None) -> str:
    """`fold` without its cache: for whole documents, which do not repeat (cells and names do)."""
    out = unicodedata.normalize("NFKC", clean(text))
    if any("\u4e00" <= ch <= "\u9fff" for ch in out):
        out = to_simplified(out)
    return out


@lru_cache(maxsize=200_000)
def fold(text: str | None) -> str:
    """Clean, then NFKC (full-width → half-width) and traditional → simplified, for matching.

    Cached per distinct text, for cells, names, values and lines; whole documents use `fold_text`.

    >>> fold("驗收合格率（％）：１００")
    '验收合格率(%):100'
    """
    return fold_text(text)
