"""Local names of 一级/二级 indicator levels → canonical codes (data: nlp/data/level_synonyms.tsv)."""

from __future__ import annotations

import re
from functools import lru_cache

from nlp.schema import LEVEL1, LEVEL2
from nlp.textnorm import fold
from nlp.vocab import rows

_SCORE = re.compile(r"\(\d+(?:\.\d+)?分\)$")  # 产出指标(50分)
_DROP = re.compile(r"[\s*★]")
_CODE = re.compile(r"^\s*(\d+)\s*-")  # the digits of a TAXONOMY §2 code: 31-服务对象满意度 → 31


def code_digits(text: str | None) -> str:
    """The digits of a level code (`31-服务对象满意度` → `31`, `1-产出指标` → `1`); "" for a name.

    >>> code_digits("31-服务对象满意度"), code_digits("１-产出指标"), code_digits("数量指标")
    ('31', '1', '')
    """
    match = _CODE.match(fold(text))
    return match.group(1) if match else ""


def level1_of(code: str | None) -> str | None:
    """The 一级指标 a level code belongs to (its first digit), or None if it has no code.

    >>> level1_of("31-服务对象满意度"), level1_of("数量指标")
    ('3-满意度指标', None)
    """
    digit = code_digits(code)[:1]
    return LEVEL1[int(digit) - 1] if digit in ("1", "2", "3", "4") else None


@lru_cache(maxsize=100_000)
def level_key(text: str | None) -> str:
    """Matching key of a level cell: folded, no spaces or */★, no trailing score (cached per cell text).

    >>> level_key("產出指標(50分)")
    '产出指标'
    """
    return _SCORE.sub("", _DROP.sub("", fold(text)))


@lru_cache(maxsize=1)
def _table() -> dict[tuple[str, int], str]:
    table: dict[tuple[str, int], str] = {}
    for surface, level, code in rows("level_synonyms.tsv"):
        table[(level_key(surface), int(level))] = code
    for code in LEVEL1:
        table[(level_key(code), 1)] = code
    for code in LEVEL2:
        table[(level_key(code), 2)] = code
    return table


@lru_cache(maxsize=4096)
def canonical_level1(text: str | None) -> str | None:
    """Canonical 一级指标 code for a local name, or None when the name is not known.

    >>> canonical_level1("项目完成指标")
    '1-产出指标'
    """
    return _table().get((level_key(text), 1))


@lru_cache(maxsize=4096)
def canonical_level2(text: str | None, level1: str | None = None) -> str | None:
    """Canonical 二级指标 code for a local name (level1: the parent, if known).

    >>> canonical_level2("可持续性发展影响指标")
    '24-可持续影响'
    """
    key = level_key(text)
    code = _table().get((key, 2))
    if code is None and level1 == "3-满意度指标" and _table().get((key, 1)) == level1:
        code = "31-服务对象满意度"  # 满意度 repeated in the 二级 column
    return code


@lru_cache(maxsize=1)
def level_words() -> tuple[str, ...]:
    """Known level names that end in 指标, longest first (to find them in run-together text)."""
    words = {key for key, _ in _table() if key.endswith("指标") and not key[0].isdigit()}
    return tuple(sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def level_headings() -> dict[str, tuple[str, str]]:
    """Section heading → (level1 code, level2 code or ""): the canonical names and every local name
    ending in 指标 (short words such as 质量 are too common to start a section); 一级 wins a tie.

    >>> level_headings()["项目完成指标"], level_headings()["数量指标"]
    (('1-产出指标', ''), ('1-产出指标', '11-数量指标'))
    """
    out: dict[str, tuple[str, str]] = {}
    for level in (2, 1):
        for (key, lv), code in _table().items():
            named = key.endswith("指标") or key == level_key(code.split("-", 1)[1])
            if lv != level or key[0].isdigit() or not named:
                continue
            if level == 2:
                out[key] = (next(c for c in LEVEL1 if c[0] == code[0]), code)
            else:
                out[key] = (code, "")
    return out
