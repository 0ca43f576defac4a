"""Parse one indicator-list cell (绩效指标) into Indicator records: the spellings of TAXONOMY.md §1.

Coded:  ``1、1-产出指标；11-数量指标；NAME；实施周期指标值:…；年度指标值:…。`` (``；`` or ``：``)
Prose:  ``产出指标：1、NAME，年度指标值：≥20；2、NAME：VALUE。 效益指标：…``

Recognition runs on a folded copy of the text of the same length as the cleaned text
(full-width → half-width, traditional → simplified, character by character), so every span found
in the folded copy cuts the display text (``textnorm.clean``) at the same place.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import lru_cache

from nlp.levels import level_headings
from nlp.schema import Indicator
from nlp.textnorm import clean, fold
from nlp.vocab import words

# An item of the coded spelling starts with its number and 、 followed by a level-1 code: "2、1-".
_CODED_ITEM = re.compile(r"(?<![\d.])\d{1,3}\s*、\s*(?=[1-4]\s*-\s*\D)")
# The head of a coded item: level-1 code-name, then optionally a level-2 code-name, each ended by ; or :.
_CODED_HEAD = re.compile(
    r"""\s*(?P<l1>[1-4]\s*-\s*[^;:,\d]*?)\s*[;:]        # 1-产出指标；
        \s*(?:(?P<l2>\d{2}\s*-\s*[^;:,\d]*?)\s*[;:])?   # 11-数量指标；  (absent in some tables)
    """,
    re.VERBOSE,
)
_PERIOD = re.compile(r"实施周期指标值\s*[:,]?")  # label of the 实施周期 value
_ANNUAL = re.compile(r"年度指标值\s*[:,]?")  # label of the 年度 value
_NUMBERED = re.compile(r"(?<![\d.])\d{1,2}\s*、")  # "2、" numbering inside a prose section
_STRIP = " \t\r\n;:,。、；：，"  # separators trimmed off names and values


_HEADINGS = level_headings()
# A section heading of the prose spelling: a level name followed by a colon, at the start of the
# text or after a sentence end / separator (so a name ending in 指标 inside an item is not cut).
_HEADING = re.compile(
    r"(?:^|(?<=[。.;\s]))(?P<h>"
    + "|".join(sorted(map(re.escape, _HEADINGS), key=len, reverse=True))
    + r")\s*:\s*"
)


_PLACEHOLDERS = tuple(fold(w).lower() for w in words("name_placeholders.txt"))
_PLACEHOLDER = re.compile("|".join(map(re.escape, _PLACEHOLDERS)))  # any of them, anywhere


@lru_cache(maxsize=50_000)
def is_placeholder_name(text: str | None) -> bool:
    """Template text left in a name (待单位补充, XXX …; nlp/data/name_placeholders.txt), any letter case.

    The one rule: the readers flag such an indicator `placeholder`, the quality stage asks here too.
    Cached per distinct name or value text.

    >>> is_placeholder_name("XXX完成率"), is_placeholder_name("请填写"), is_placeholder_name("完成率")
    (True, True, False)
    """
    folded = fold(text).lower()
    return bool(folded) and _PLACEHOLDER.search(folded) is not None


@dataclass(frozen=True)
class _Item:
    """One indicator found in a cell, as offsets-free strings (cacheable)."""

    start: int
    name: str
    level1: str = ""
    level2: str = ""
    period_value: str | None = None
    annual_value: str | None = None
    raw: str = ""
    flags: tuple[str, ...] = ()
    level1_raw: str = ""  # the level words as the cell writes them
    level2_raw: str = ""


class _FoldTable(dict[int, str]):
    """str.translate table: each character's fold() where that is one character, else the character.

    Filled on first sight of a character, so it holds at most one entry per distinct character.
    """

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        folded = fold(ch)
        self[code] = folded if len(folded) == 1 else ch
        return self[code]


_FOLD_TABLE = _FoldTable()


def _fold_same_length(text: str) -> str:
    """fold() character by character, so that offsets into the result are offsets into `text`."""
    return text.translate(_FOLD_TABLE)


def _value(text: str) -> str | None:
    out = text.strip(_STRIP)
    return out or None


def _flags(name: str, period: str | None, annual: str | None) -> tuple[str, ...]:
    flags = []
    if not annual:
        flags.append("missing_value")
    if any(is_placeholder_name(t) for t in (name, period, annual)):
        flags.append("placeholder")
    return tuple(flags)


def _labelled(disp: str, parse: str) -> tuple[str, str | None, str | None]:
    """Split `NAME 实施周期指标值:P 年度指标值:A` (either label optional) into name, period, annual."""
    period = _PERIOD.search(parse)
    annual = _ANNUAL.search(parse, period.end() if period else 0)
    cut = min(m.start() for m in (period, annual, None) if m) if (period or annual) else len(parse)
    name = disp[:cut].strip(_STRIP)
    p_val = _value(disp[period.end() : annual.start() if annual else len(disp)]) if period else None
    a_val = _value(disp[annual.end() :]) if annual else None
    return name, p_val, a_val


def _unparsed(start: int, raw: str) -> _Item:
    return _Item(start=start, name=raw, raw=raw, flags=("unparsed",))


def _coded(disp: str, parse: str, starts: list[re.Match[str]]) -> list[_Item]:
    items = []
    lead = disp[: starts[0].start()].strip(_STRIP)
    if lead:
        items.append(_unparsed(0, lead))
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(disp)
        raw = disp[m.start() : end].strip(_STRIP)
        head = _CODED_HEAD.match(parse, m.end(), end)
        if not head:
            items.append(_unparsed(m.start(), raw))
            continue
        name, period, annual = _labelled(disp[head.end() : end], parse[head.end() : end])
        if not name:
            items.append(_unparsed(m.start(), raw))
            continue
        # level codes are a closed vocabulary: kept folded (１-產出指標 → 1-产出指标) so stages can match them
        level1 = head.group("l1").replace(" ", "")
        level2 = (head.group("l2") or "").replace(" ", "")
        flags = _flags(name, period, annual)
        l1_raw = disp[head.start("l1") : head.end("l1")]
        l2_raw = disp[head.start("l2") : head.end("l2")] if head.group("l2") else ""
        items.append(_Item(m.start(), name, level1, level2, period, annual, raw, flags, l1_raw, l2_raw))
    return items


def _prose_item(disp: str, parse: str, start: int, levels: tuple[str, str], heading: str) -> _Item:
    raw = disp.strip(_STRIP)
    if _PERIOD.search(parse) or _ANNUAL.search(parse):
        name, period, annual = _labelled(disp, parse)
    elif ":" in parse:  # NAME：VALUE without the 年度指标值 word
        cut = parse.index(":")
        name, period, annual = disp[:cut].strip(_STRIP), None, _value(disp[cut + 1 :])
    else:
        name, period, annual = raw, None, None
    if not name:
        return _unparsed(start, raw)
    l1_raw, l2_raw = (heading, "") if not levels[1] else ("", heading)
    flags = _flags(name, period, annual)
    return _Item(start, name, levels[0], levels[1], period, annual, raw, flags, l1_raw, l2_raw)


def _prose(disp: str, parse: str, heads: list[re.Match[str]]) -> list[_Item]:
    items = []
    lead = disp[: heads[0].start()].strip(_STRIP)
    if lead:
        items.append(_unparsed(0, lead))
    for i, h in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(disp)
        levels = _HEADINGS[h.group("h")]
        cuts = [h.end()] + [m.start() for m in _NUMBERED.finditer(parse, h.end(), end)] + [end]
        for a, b in itertools.pairwise(cuts):
            num = _NUMBERED.match(parse, a)
            a = num.end() if num else a
            if disp[a:b].strip(_STRIP):
                heading = disp[h.start("h") : h.end("h")]
                items.append(_prose_item(disp[a:b], parse[a:b], a, levels, heading))
    return items


def _items(disp: str) -> list[_Item]:
    """The indicators a cleaned cell text holds, in order (uncached: _parse_cell keeps their fields)."""
    parse = _fold_same_length(disp)
    if not disp.strip(_STRIP):
        return []
    coded = list(_CODED_ITEM.finditer(parse))
    if coded:
        return _coded(disp, parse, coded)
    heads = list(_HEADING.finditer(parse))
    if heads:
        return _prose(disp, parse, heads)
    return [_unparsed(0, disp.strip(_STRIP))]


# Indicator's fields with their defaults, in field order (the required ones are always given)
_FIELDS = {f.name: f.default for f in fields(Indicator)}
_ITEM_FIELDS = tuple(f.name for f in fields(_Item) if f.name != "start")  # all of them Indicator's too


CELLS_KEPT = 2_000  # parsed cells a process keeps: each holds all its indicators' fields (KBs), and
# the repeats that pay come within a document or a project's years, not a corpus-wide cache that a
# corpus of distinct cells fills (20,000 cells took ~200 MB per process)


@lru_cache(maxsize=CELLS_KEPT)
def _parse_cell(text: str) -> tuple[str, tuple[tuple[int, dict[str, object]], ...]]:
    """clean(text) and its items, each one's start offset and Indicator fields (once per distinct cell)."""
    disp = clean(text)
    return disp, tuple((it.start, {f: getattr(it, f) for f in _ITEM_FIELDS}) for it in _items(disp))


def cell_text(text: str) -> str:
    """clean(text) of an indicator-list cell, from its parse's cache: a long cell is cleaned once."""
    return _parse_cell(text)[0]


# A reader makes one Indicator per indicator, and the frozen dataclass's constructor (a __setattr__ call
# per field, 23 of them) costs about five times what filling the instance dict at once does: the
# fields have plain defaults and Indicator no __post_init__. tests/test_indicators.py checks that
# parse_indicator_list's Indicators equal the constructor's.
_new = object.__new__


@lru_cache(maxsize=20_000)
def starts_indicator_list(text: str) -> int | None:
    """Offset in clean(text) where an indicator list starts (coded item or prose heading), else None.

    Cached per distinct cell or line text.

    >>> starts_indicator_list("保障运行。 1、1-产出指标；11-数量指标；x；年度指标值:1。")
    6
    """
    parse = _fold_same_length(clean(text))
    hits = [m.start() for m in (_CODED_ITEM.search(parse), _HEADING.search(parse)) if m]
    return min(hits) if hits else None


def parse_indicator_list(
    text: str,
    *,
    doc: str = "",
    project_id: str = "",
    line: int | None = None,
    line_of: Callable[[int], int | None] | None = None,
) -> list[Indicator]:
    """Parse one indicator-list cell into Indicators (seq from 1); `line_of` maps an offset to a line.

    Nothing is dropped: text that fits no spelling becomes an Indicator named by its raw text with
    the flag ``unparsed``; a missing 年度指标值 gives ``missing_value``, a template name ``placeholder``.

    >>> [(i.level2, i.name, i.annual_value) for i in parse_indicator_list(
    ...     "1、1-产出指标；11-数量指标；编外人员到位率；实施周期指标值:100%；年度指标值:100%。")]
    [('11-数量指标', '编外人员到位率', '100%')]
    """
    out = []
    for seq, (start, item) in enumerate(_parse_cell(text)[1], start=1):
        ind = _new(Indicator)  # built without the frozen dataclass's __setattr__ per field, see _new
        values = ind.__dict__
        values.update(_FIELDS)  # every field, in field order
        values.update(item)
        values["doc"], values["project_id"], values["seq"] = doc, project_id, seq
        values["line"] = line_of(start) if line_of else line
        out.append(ind)
    return out
