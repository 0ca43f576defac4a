"""Reader for PDF-wrapped 项目支出绩效目标表 (seed 000): text laid out line by line, cells wrapped.

Shape: `合计 N N`, a funding-unit name (possibly over several lines) and its amounts line, then per
project a name line indented by spaces (the name may wrap over more lines, the amounts end the name
or stand on their own line), the goal prose, and the indicator list wrapped mid-word and mid-number.
Wrapped lines are joined without separators (Chinese text has none).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from nlp.documents.common import (
    Joined,
    Parts,
    department_of,
    district_of,
    parse_amount,
    project_id,
    record,
    year_of,
)
from nlp.indicators import parse_indicator_list, starts_indicator_list
from nlp.schema import Document, Problem, Project, UnitTotal
from nlp.textnorm import clean

LAYOUT = "wrapped"
_INDENTED = re.compile(r"^[ \u3000]{2,}\S")  # a project name line starts indented
# A line ending in one to four amounts with two decimals: "编外人员聘用经费 81.50 81.50" or "2.85 2.85".
_AMOUNTS = re.compile(r"(?P<head>.*?)\s*(?P<nums>(?<![\d.])\d[\d,]*\.\d{2}(?:\s+\d[\d,]*\.\d{2}){0,3})")
_AMOUNT_END = re.compile(r"[\d,]\.\d{2}\Z")  # how a line that _AMOUNTS matches ends
_TOTAL = re.compile(r"^\s*合\s*计\s+\d")  # the 合计 line
_TOTAL_WORD = re.compile(r"合\s*计")  # what a text holding a 合计 line holds
_HEADER = re.compile(r"项目名称.*总计")  # the column header line
_AMOUNT_FIELDS = ("total", "fiscal", "special_account", "other")


@dataclass
class _Row:
    """A project being collected."""

    line: int
    unit: str
    name: Joined = field(default_factory=Joined)
    amounts: dict[str, float | None] = field(default_factory=dict)
    goal: Joined = field(default_factory=Joined)
    indicators: Joined = field(default_factory=Joined)
    pieces: list[tuple[int, str]] = field(default_factory=list)  # indicator lines, for unit retraction


def _amounts(nums: str) -> dict[str, float | None]:
    values = [parse_amount(x)[0] for x in nums.split()]
    return dict(zip(_AMOUNT_FIELDS, values, strict=False))


def sniff_wrapped(text: str) -> bool:
    """True when the text looks like a PDF-wrapped target table (no tabs, 合计 line, indented names)."""
    if not _TOTAL_WORD.search(text):  # no 合计 line: the cheap test first (other layouts' texts come here)
        return False
    lines = text.splitlines()
    if text.count("\t") > 2 and sum("\t" in ln for ln in lines) > 2:
        return False
    return any(map(_TOTAL.match, lines)) and any(map(_INDENTED.match, lines))


def read_wrapped(path: str, text: str) -> Document | None:
    """Read a PDF-wrapped performance-target table; None when `text` is not one."""
    if not sniff_wrapped(text):
        return None
    lines = text.splitlines()
    department = department_of(lines)
    head = Document(
        path=path, doc=Path(path).stem, layout=LAYOUT, department=department, district=district_of(department)
    )
    parts = Parts()
    rows: list[_Row] = []
    unit, unit_buf = "", Joined()
    state = "preamble"
    for n, raw in enumerate(lines, start=1):
        s = clean(raw)
        if not s:
            continue
        m = _AMOUNTS.fullmatch(s) if _AMOUNT_END.search(s) else None  # the cheap test first
        if state == "preamble":
            if _TOTAL.match(raw) and m:
                parts.subtotals.append(UnitTotal("", *_two(m.group("nums")), n))
                state = "unit"
            elif not _HEADER.search(s) and head.year is None and (year := year_of(s)) is not None:
                head = replace(head, year=year)  # a new Document only once a year is found
            continue
        if _INDENTED.match(raw):
            row = _Row(line=n, unit=unit)
            row.name.add(n, m.group("head") if m else s)
            if m:
                row.amounts = _amounts(m.group("nums"))
            rows.append(row)
            state = "goal" if m else "name"
            continue
        if state == "unit":
            if m:
                unit_buf.add(n, m.group("head"))
                unit = unit_buf.text
                parts.subtotals.append(UnitTotal(unit, *_two(m.group("nums")), unit_buf.first_line or n))
                unit_buf, state = Joined(), "wait"
            else:
                unit_buf.add(n, s)
            continue
        if state == "wait":
            parts.problems.append(Problem(path, n, f"text between a unit and its first project: {s[:60]!r}"))
            continue
        row = rows[-1]
        if state == "name":
            if m:
                row.name.add(n, m.group("head"))
                row.amounts = _amounts(m.group("nums"))
                state = "goal"
            else:
                row.name.add(n, s)
        elif state == "goal":
            start = starts_indicator_list(s)
            if start is None:
                row.goal.add(n, s)
            else:  # the list starts on this line, possibly after the goal's last words
                row.goal.add(n, s[:start])
                row.pieces.append((n, s[start:]))
                state = "indicators"
        elif m and not m.group("head"):  # amounts alone after an indicator list: a new funding unit
            unit = _retract_unit(row, n, m.group("nums"), parts)
            state = "wait"
        else:
            row.pieces.append((n, s))
    if state == "preamble":
        return None
    for i, row in enumerate(rows, start=1):
        _finish(head, parts, row, i)
    return parts.build(head)


def _two(nums: str) -> tuple[float | None, float | None]:
    a = _amounts(nums)
    return a.get("total"), a.get("fiscal")


def _retract_unit(row: _Row, n: int, nums: str, parts: Parts) -> str:
    """The lines after the last sentence end of an indicator list are the next unit's name."""
    cut = len(row.pieces)
    while cut > 0 and not row.pieces[cut - 1][1].endswith(("。", ".")):
        cut -= 1
    name = Joined()
    for ln, piece in row.pieces[cut:]:
        name.add(ln, piece)
    del row.pieces[cut:]
    parts.subtotals.append(UnitTotal(name.text, *_two(nums), name.first_line or n))
    return name.text


def _finish(doc: Document, parts: Parts, row: _Row, i: int) -> None:
    """Build the Project of a collected row, with its indicators and problems."""
    for ln, piece in row.pieces:
        row.indicators.add(ln, piece)
    pid = project_id(doc.doc, i)
    name = row.name.text
    flags = []
    if not row.amounts:
        flags.append("missing_amount")
        parts.problems.append(Problem(doc.path, row.line, f"project {name!r} has no amounts line"))
    found = parse_indicator_list(
        row.indicators.text, doc=doc.doc, project_id=pid, line=row.line, line_of=row.indicators.line_of
    )
    if not found:
        flags.append("no_indicators")
        parts.problems.append(Problem(doc.path, row.line, f"project {name!r} has no indicator list"))
    for ind in found:
        if "unparsed" in ind.flags:
            parts.problems.append(
                Problem(doc.path, ind.line, f"indicator text not understood: {ind.raw[:60]!r}")
            )
    project = record(
        Project,
        doc=doc.doc,
        project_id=pid,
        project=name,
        department=doc.department,
        district=doc.district,
        unit=row.unit,
        year=year_of(name) or doc.year,
        goal=row.goal.text,
        raw="\n".join([name, row.goal.text, row.indicators.text]),
        line=row.line,
        total=row.amounts.get("total"),
        fiscal=row.amounts.get("fiscal"),
        special_account=row.amounts.get("special_account"),
        other=row.amounts.get("other"),
        flags=tuple(flags),
        indicators=tuple(found),
    )
    parts.projects.append(project)
