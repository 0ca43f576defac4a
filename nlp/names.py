"""Project names reduced to a matching key: prefix, years and places set aside, abbreviations folded.

The original name is always kept next to the key, and every part that was set aside is
recorded, so that a link can say what it ignored. Vocabulary lives in nlp/data/ (places.txt,
abbreviations.tsv, boilerplate.txt).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nlp.segment import tokenize
from nlp.textnorm import fold
from nlp.vocab import rows

GENERIC_WEIGHT = 1.5  # a key whose words weigh less than this in total is generic (专项工作经费)
_SINGLE_CHAR_WEIGHT = 0.5  # a one-character word that is not boilerplate counts half

_SPACE = re.compile(r"\s+")  # PDF-wrapped names carry line breaks and spaces mid-word
_YEAR_RANGE = re.compile(
    r"""[(（]?                        # optional opening bracket
        (?P<a>(?:19|20)\d{2})\s*年?\s*  # first year, optionally 年
        [-—–~～至到]\s*                 # range separator
        (?P<b>(?:19|20)\d{2})\s*年?度?  # second year, optionally 年/年度
        [)）]?""",
    re.VERBOSE,
)
_YEAR = re.compile(r"[(（]?(?P<a>(?:19|20)\d{2})\s*年度?[)）]?")  # 2024年, 2025年度, (2024年)
_SHORT_YEAR = re.compile(r"[(（](?P<a>\d{2})[nN年][)）]")  # (23n): carried over from 2023
_BARE_YEAR = re.compile(r"[(（](?P<a>(?:19|20)\d{2})[)）]")  # (2024)
_ORG_PREFIX = re.compile(
    r"""^(?P<org>[^\d()（）]{2,40}?          # an organisation name, no digits or brackets inside
        (?:办公室|办公厅|管理中心|中心|编辑部|委员会|局)  # ... ending in an office-like word
        (?:[(（][^()（）]{1,30}[)）])?)         # ... optionally followed by a bracketed unit
        (?=(?:19|20)\d{2})""",  # only when a year follows right after
    re.VERBOSE,
)
_PLACE_ORG_PREFIX = re.compile(
    r"""^(?P<org>[^\d()（）]{0,30}?(?:办公室|办公厅|管理中心|编辑部)  # 人大常委会办公室… after a place
        |人大常委会|人大|政府办|政府)  # or the bare body: 广州市天河区人大预算联网…""",
    re.VERBOSE,
)
_LEAD_LEVEL = re.compile(r"^[区市县](?=人大|政府|人民|机关|常委会)")  # 区人大常委会… → 人大常委会…
_EDGE_PUNCT = re.compile(r"^[\s,，、:：;；.·\-—_]+|[\s,，、:：;；.·\-—_]+$")
_EMPTY_BRACKETS = re.compile(r"[(（]\s*[)）]")


@dataclass(frozen=True)
class NameKey:
    """A project name prepared for matching; `original` is the name as the document gave it."""

    original: str
    key: str  # folded name without prefix, years and places; boilerplate kept
    tokens: tuple[str, ...]  # words of `key` (nlp.segment.tokenize); () if nothing is left to match
    weights: tuple[float, ...]  # one weight per token (boilerplate.txt, 1.0 otherwise)
    year: int | None  # the earliest year the name names (2025 for 2025-2026年度), None when none
    years: tuple[int, ...]  # every year the name mentions, ascending
    place: str  # the most specific place the name mentions ("" when none)
    removed: tuple[str, ...]  # what was set aside, as "kind:text" (prefix:, year:, place:)

    @property
    def weight(self) -> float:
        """Total weight of the key's distinct words."""
        return sum(dict(zip(self.tokens, self.weights, strict=True)).values())

    @property
    def generic(self) -> bool:
        """True when the name says little beyond boilerplate (专项工作经费, 购置经费)."""
        return self.weight < GENERIC_WEIGHT

    @property
    def boilerplate(self) -> tuple[str, ...]:
        """The key's down-weighted words."""
        table = boilerplate_weights()
        return tuple(t for t in dict.fromkeys(self.tokens) if t in table)


@lru_cache(maxsize=1)
def places() -> dict[str, str]:
    """Place name (no suffix) → level, from nlp/data/places.txt."""
    return {row[0].strip(): row[1].strip() for row in rows("places.txt")}


@lru_cache(maxsize=1)
def abbreviations() -> tuple[tuple[str, str], ...]:
    """(variant, canonical) pairs from nlp/data/abbreviations.tsv, longest variant first."""
    pairs = [(row[0].strip(), row[1].strip()) for row in rows("abbreviations.tsv")]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


@lru_cache(maxsize=1)
def boilerplate_weights() -> dict[str, float]:
    """Boilerplate word → weight, from nlp/data/boilerplate.txt."""
    return {row[0].strip(): float(row[1]) for row in rows("boilerplate.txt")}


@lru_cache(maxsize=1)
def _place_pattern() -> re.Pattern[str]:
    names = sorted(places(), key=len, reverse=True)
    alt = "|".join(re.escape(n) for n in names)
    return re.compile(rf"(?P<place>{alt})(?:省|市|自治州|区|县|镇|乡|地区)?")


@lru_cache(maxsize=200_000)
def fold_org(text: str | None) -> str:
    """An organisation name folded for comparison: NFKC, simplified, no spaces, abbreviations.

    >>> fold_org("广州市增城区人民代表大会常务委员会办公室")
    '广州市增城区人大常委会办公室'
    """
    out = _SPACE.sub("", fold(text))
    for variant, canonical in abbreviations():
        out = out.replace(variant, canonical)
    return out


@lru_cache(maxsize=50_000)
def place_of(text: str | None) -> str:
    """The most specific place named in `text` ("" when none), e.g. a department's district.

    >>> place_of("广州市天河区人民代表大会常务委员会办公室")
    '天河'
    """
    found = [m.group("place") for m in _place_pattern().finditer(fold_org(text))]
    if not found:
        return ""
    rank = {"province": 0, "city": 1, "county": 2, "district": 2}
    return max(found, key=lambda p: rank.get(places()[p], 1))


def _strip_years(text: str, removed: list[str], years: list[int]) -> str:
    for pattern in (_YEAR_RANGE, _SHORT_YEAR, _BARE_YEAR, _YEAR):
        for m in pattern.finditer(text):
            removed.append(f"year:{m.group(0)}")
            for group in ("a", "b"):
                value = m.groupdict().get(group)
                if value:
                    years.append(int(value) + (2000 if len(value) == 2 else 0))
        text = pattern.sub(" ", text)
    return text


def _strip_prefix(text: str, orgs: tuple[str, ...], removed: list[str]) -> str:
    for org in sorted((o for o in orgs if len(o) >= 2), key=len, reverse=True):
        if text.startswith(org) and len(text) > len(org):
            removed.append(f"prefix:{org}")
            return text[len(org) :]
    m = _ORG_PREFIX.match(text)
    if m:
        removed.append(f"prefix:{m.group('org')}")
        return text[m.end("org") :]
    return text


def _strip_places(text: str, removed: list[str]) -> str:
    found = [m.group(0) for m in _place_pattern().finditer(text)]
    if not found:
        return text
    starts_with_place = _place_pattern().match(text) is not None
    removed.extend(f"place:{p}" for p in found)
    text = _place_pattern().sub("", text)
    if starts_with_place:  # 广州市天河区人大常委会办公室2023年… : the office is a prefix too
        m = _PLACE_ORG_PREFIX.match(text)
        if m and len(text) > m.end("org"):
            removed.append(f"prefix:{m.group('org')}")
            text = text[m.end("org") :]
    return text


@lru_cache(maxsize=200_000)
def normalize_name(name: str, department: str = "", unit: str = "") -> NameKey:
    """Reduce a project name to its matching key, setting aside prefix, years and places.

    `department` and `unit` (the row's 部门名称 and 资金使用单位) are stripped when the name
    starts with them; a generic organisation pattern catches other prefixes.

    >>> k = normalize_name("广州市增城区人民代表大会常务\\n委员会办公室2024年预算联\\n网监督系统运维项目")
    >>> k.key, k.year, k.place
    ('预算联网监督系统运维项目', 2024, '增城')
    """
    removed: list[str] = []
    years: list[int] = []
    text = fold_org(name)
    text = _strip_prefix(text, (fold_org(unit), fold_org(department)), removed)
    text = _strip_years(text, removed, years)
    text = _strip_places(text, removed)
    text = _SPACE.sub("", text)
    lead = _LEAD_LEVEL.match(text)
    if lead:
        removed.append(f"place:{lead.group(0)}")
        text = text[lead.end() :]
    text = _EDGE_PUNCT.sub("", _EMPTY_BRACKETS.sub("", text))
    tokens = tokenize(text)  # () when nothing is left to match on
    if not text:  # the name was nothing but prefix/years/places: show the folded name
        text = fold_org(name)
    table = boilerplate_weights()
    weights = tuple(table.get(t, _SINGLE_CHAR_WEIGHT if len(t) == 1 else 1.0) for t in tokens)
    return NameKey(
        original=name,
        key=text,
        tokens=tokens,
        weights=weights,
        year=min(years) if years else None,
        years=tuple(sorted(years)),
        place=place_of(name),  # anywhere in the name, the stripped prefix included
        removed=tuple(removed),
    )
