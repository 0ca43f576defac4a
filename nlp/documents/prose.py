"""Indicators written as text: bracketed headings (`【产出指标-数量指标】`) and prose sentences.

The prose reader (`prose_rows`) reads the sentences under a level heading (`(1)数量指标。`,
`质量指标:…`): each sentence is cut at 。;!? and its value expressions are found with the value
vocabulary (operator words before or after, number, multiplier, unit; nlp/data/value_*.tsv and the
reach-words of nlp/data/prose_words.tsv). A value counts only where it is marked as one: an operator
or copula before it (`为98%`, `达100%`, `≥95%`), an operator after it (`95%以上`), or the end of a
clause after it (`办理法律援助案件94件;`); a number inside a name (`每年3月、9月份发放`) is not one.
Then, per sentence:
- no value: one row named by the sentence, without a value;
- a value and a clause (`,`) without one: a statement with its target inside, kept whole as the name
  (`学校绿化覆盖达70%,优化校园生态环境。` → value `达70%`);
- otherwise name/value pairs run together: the name is the text before each value minus connective,
  copula and target-marker words (`…发放指标为100%` → `…发放`); a value after an actual marker
  (`实际完成值为100%`, the self-evaluation column titles of table_headers.tsv) is the previous row's
  actual; names joined by 及/和/、 before a distributive word share the value (`A及B均为100%` → A, B).
In a self-evaluation report a value with no target marker is the actual (`经费发放率为98%`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache

from nlp import vocab
from nlp.documents.cells import Body
from nlp.levels import canonical_level1, canonical_level2
from nlp.numerals import numeral_table
from nlp.textnorm import clean, fold
from nlp.values import unit_spellings


@dataclass(frozen=True)
class ProseRow:
    """One indicator read from text: where it stands, its levels as written, name, target, actual."""

    project: str
    line: int
    level1: str
    level2: str
    name: str
    value: str  # the target as written (operator and unit included), "" when none
    raw: str
    actual: str = ""
    explicit: bool = False  # the value was marked as a target (指标为…), not a bare value
    unparsed: bool = False  # the reader could not place a name: raw text kept


_BRACKET = re.compile(r"^【(.+?)[-－—](.+?)】$")
_ITEM = re.compile(r"^指标\d+[:：](.+?)[(（]([^()（）]*)[)）]\s*$")
_OVERVIEW = re.compile(r"^【项目概况】")
_AMOUNT = re.compile(r"^\d+(?:\.\d+)?$")
_CODE = re.compile(r"^\d{6}$")
_HEADING = re.compile(r"^(?:[(（]\d+[)）]|\d+[、.])?\s*(.+?指标)\s*[。.:：]?\s*(.*)$")
_SECTION = re.compile(r"^[(（]?[一二三四五六七八九十]+[)）、]")  # 三、… (二)…: a new part of the report
_SENTENCE = re.compile(r"[^。;!?]+[。;!?]?")
_CLAUSE_END = ",;。!?"
_NUMBER = r"(?<![A-Za-z\d.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_RANGE = rf"(?:\s*[-~至到]\s*{_NUMBER})?"
_FAKE_NAME = re.compile(r"^[\W\d_≥≤≧≦<>=%]*$")


def _alternation(words: set[str] | list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True) if w)


@cache
def _words() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for word, role in vocab.rows("prose_words.tsv"):
        out.setdefault(role, []).append(word)
    for title, role in vocab.rows("table_headers.tsv"):
        if role in ("value", "actual") and not re.search(r"[()（）]", title):
            out.setdefault("target" if role == "value" else "actual", []).append(title)
    return out


@cache
def _value_re() -> re.Pattern[str]:
    """A value expression: [operator] number [range] [multiplier] [unit] [operator after]."""
    ops = vocab.rows("value_operators.tsv")
    before = {s for s, _, where in ops if where == "before"}
    after = {s for s, _, where in ops if where == "after"}
    units = set(unit_spellings())
    mults = set(numeral_table().multipliers)
    return re.compile(
        rf"(?P<before>{_alternation(before)})?\s*(?P<num>{_NUMBER}){_RANGE}\s*"
        rf"(?P<unit>(?:{_alternation(mults)})?(?:{_alternation(units)})|(?:{_alternation(mults)}))?"
        rf"(?P<after>{_alternation(after)})?(?![\d.])"
    )


@cache
def _marker_res() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Ends of a name: copula, target and actual markers; distributive word; and leading connectives."""
    w = _words()
    copula = f"(?:{_alternation(w.get('copula', []))})"
    end = re.compile(
        rf"(?:(?P<actual>{_alternation(w.get('actual', []))})"
        rf"|(?P<target>{_alternation(w.get('target', []))}))?"
        rf"(?P<dist>{_alternation(w.get('distributive', []))})?{copula}?\s*$"
    )
    lead = re.compile(rf"^(?:[\s,、;]|{_alternation(w.get('connective', []))})+")
    coord = re.compile(_alternation(w.get("coordinator", [])))
    return end, lead, coord, re.compile(copula)


@dataclass(frozen=True)
class _Value:
    start: int
    end: int
    text: str  # the value as written, operator and unit included


def _values(sentence: str) -> list[_Value]:
    """The value expressions of a sentence that are marked as values (see module docstring)."""
    copula = _marker_res()[3]
    out = []
    for m in _value_re().finditer(sentence):
        before_text = sentence[: m.start()]
        marked = bool(m.group("before") or m.group("after"))
        marked = marked or bool(re.search(rf"(?:{copula.pattern})\s*$", before_text))
        rest = sentence[m.end() :].lstrip()
        ends = not rest or rest[0] in _CLAUSE_END
        # at a clause end: with a unit, or a bare number after a name (not a list item after 、)
        marked = marked or (ends and (bool(m.group("unit")) or before_text.rstrip()[-1:] not in ("", "、")))
        if marked:
            out.append(_Value(m.start(), m.end(), m.group().strip()))
    return out


def _is_fake(name: str) -> bool:
    """A name that is only punctuation, numbers or operator signs cannot name an indicator."""
    return bool(_FAKE_NAME.match(name)) or bool(_value_re().fullmatch(name))


def _sentence_rows(sentence: str, line: int, levels: tuple[str, str], selfeval: bool) -> Iterator[ProseRow]:
    """The indicator rows of one sentence under a level heading."""
    whole = sentence.strip().rstrip(";").strip()
    if not whole.strip(_CLAUSE_END + " "):
        return
    values = _values(sentence)
    base = ProseRow("", line, levels[0], levels[1], "", "", whole)
    if not values:
        yield _named(base, whole)
        return
    clauses = [c for c in re.split(r",", whole.rstrip("。!?")) if c.strip()]
    if any(not _values(c) for c in clauses):  # a statement with its target inside: kept whole
        v = values[0]
        yield _valued(_named(base, whole), v.text, "", False, selfeval)
        return
    yield from _pairs(sentence, values, base, selfeval)


def _named(row: ProseRow, name: str) -> ProseRow:
    """The row named `name`; a name that is only an operator, number or unit is no name (unparsed)."""
    name = name.strip()
    fake = not name or _is_fake(name)
    return replace(row, name="" if fake else name, unparsed=row.unparsed or fake)


def _valued(row: ProseRow, value: str, actual: str, explicit: bool, selfeval: bool) -> ProseRow:
    """The row with its target and actual; a self-evaluation's unmarked value is what was done."""
    if selfeval and not explicit and value and not actual:
        value, actual = "", value
    return replace(row, value=value, actual=actual, explicit=explicit)


def _pairs(sentence: str, values: list[_Value], base: ProseRow, selfeval: bool) -> Iterator[ProseRow]:
    """Name/value pairs run together in one sentence (`A为98%B及C均为100%`, `…指标为X实际完成值为Y`)."""
    end_re, lead_re, coord_re, _ = _marker_res()
    pending: list[ProseRow] = []
    prev = 0
    for v in values:
        segment = lead_re.sub("", sentence[prev : v.start])
        prev = v.end
        m = end_re.search(segment)
        name = segment[: m.start()].strip() if m else segment.strip()
        if m and m.group("actual") and pending and not name:  # …指标为100%实际完成值为100%
            pending = [replace(r, actual=v.text) for r in pending]
            continue
        yield from (_valued(r, r.value, r.actual, r.explicit, selfeval) for r in pending)
        pending = []
        if not name:
            pending = [_named(base, "")]  # a value with nothing to name it: raw text kept, flagged
            continue
        names = coord_re.split(name) if m and m.group("dist") else [name]
        is_actual = bool(m and m.group("actual"))
        explicit = bool(m and m.group("target"))
        row = replace(
            base, value="" if is_actual else v.text, actual=v.text if is_actual else "", explicit=explicit
        )
        pending = [_named(row, n) for n in names if n.strip()]
    yield from (_valued(r, r.value, r.actual, r.explicit, selfeval) for r in pending)


def bracketed_rows(body: Body) -> Iterator[ProseRow]:
    """`【一级-二级】` headings followed by `指标1:name(value)` lines; the project is named above."""
    project = ""
    recent: list[str] = []
    level1 = level2 = ""
    for k, line in enumerate(body.lines):
        text = clean(line)
        if not text:
            continue
        if _OVERVIEW.match(text):
            project = next(
                (r for r in reversed(recent) if not _AMOUNT.match(r) and not _CODE.match(r)), project
            )
            recent = []
            continue
        recent.append(text)
        m = _BRACKET.match(fold(text))
        if m:
            level1, level2 = m.group(1), m.group(2)
            continue
        item = _ITEM.match(text)
        if item and level2:
            yield ProseRow(
                project, body.line_no(k), level1, level2, item.group(1).strip(), item.group(2).strip(), text
            )


def is_selfeval(body: Body) -> bool:
    """A self-evaluation report: its title (first lines) says 自评."""
    return "自评" in fold(" ".join(body.lines[:10]))


def prose_rows(body: Body) -> Iterator[ProseRow]:
    """The indicators written as sentences under level headings (`(1)数量指标。` then sentences, or
    inline `数量指标:name>=17600株;…`); see the module docstring."""
    selfeval = is_selfeval(body)
    level1 = level2 = ""
    for k, line in enumerate(body.lines):
        text = fold(clean(line))
        m = _HEADING.match(text)
        if m and (canonical_level1(m.group(1)) or canonical_level2(m.group(1))):
            if canonical_level2(m.group(1)):
                level2 = m.group(1)
            else:
                level1, level2 = m.group(1), ""
            text = m.group(2)
            if not text:
                continue
        elif _SECTION.match(text):
            level2 = ""
        if not level2:
            continue
        if not text.strip():
            level2 = ""
            continue
        for s in _SENTENCE.finditer(text):
            yield from _sentence_rows(s.group(), body.line_no(k), (level1, level2), selfeval)
