"""Reader for tab-separated 项目支出绩效目标表 (seeds 001, 003, 004; comma-separated exports too).

Columns are placed by the header row (项目名称 总计 财政拨款 财政专户拨款 其他资金 绩效目标 绩效指标),
so a table whose columns come in another order reads the same. A row with a different number of
cells than the header (001's rows after the blank line lack an empty amount cell) is placed by
content: the name first, then the amount cells (numbers or empty), then goal and indicator list.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from nlp.documents.common import (
    Parts,
    department_of,
    district_of,
    is_amount,
    parse_amount,
    project_id,
    record,
    year_of,
)
from nlp.indicators import CELLS_KEPT, cell_text, parse_indicator_list, starts_indicator_list
from nlp.schema import Document, Problem, Project, UnitTotal
from nlp.textnorm import clean, fold, fold_text

LAYOUT = "tabbed"
# Header word (folded) → field; "keep in sync" with FIELDS. 财政专户 is tested before 财政拨款.
_HEADER = (
    ("项目名称", "project"),
    ("总计", "total"),
    ("财政专户", "special_account"),
    ("财政拨款", "fiscal"),
    ("其他资金", "other"),
    ("绩效目标", "goal"),
    ("绩效指标", "indicators"),
)
FIELDS = ("project", "total", "fiscal", "special_account", "other", "goal", "indicators")
_AMOUNT_FIELDS = ("total", "fiscal", "special_account", "other")
_TOTAL_ROW = re.compile(r"^(合计|总计)$")  # the table's grand-total row


def _split(line: str, delimiter: str) -> list[str]:
    if delimiter == "\t":
        return line.split("\t")
    return next(csv.reader(io.StringIO(line)), [])


@lru_cache(maxsize=CELLS_KEPT)
def _cell_fields(cell: str) -> tuple[str, ...]:
    """The fields whose header word a cell holds, in _HEADER order (once per distinct cell text; folded
    without fold's cache, which would keep every long cell of every row a second and third time)."""
    text = fold_text(cell)
    return tuple(name for word, name in _HEADER if word in text)


def _header_map(cells: list[str]) -> dict[str, int] | None:
    """Column index per field when `cells` is a header row (needs 项目名称 and 总计), else None."""
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        for name in _cell_fields(cell):
            if name not in found:
                found[name] = i
                break
    return found if {"project", "total"} <= found.keys() else None


def _delimiter(text: str, lines: list[str]) -> str | None:
    """ "\t" for a tab-separated table, "," for a comma-separated one, None if neither (`lines` of `text`)."""
    tabbed = [ln for ln in lines if ln.count("\t") >= 4] if text.count("\t") >= 4 else []
    if any(_header_map(ln.split("\t")) for ln in tabbed):
        return "\t"
    if (
        len(tabbed) >= 2
        and sum(any(c.strip() and is_amount(c) for c in ln.split("\t")) for ln in tabbed) >= 2
    ):
        return "\t"
    if any(ln.count(",") >= 4 and _header_map(_split(ln, ",")) for ln in lines[:60]):
        return ","
    return None


def _by_content(cells: list[str]) -> dict[str, str]:
    """Place the cells of a row whose width differs from the header's: name, amounts, goal, indicators."""
    row = {"project": cells[0] if cells else ""}
    i = 1
    amounts: list[str] = []
    while i < len(cells) and len(amounts) < 4 and is_amount(cells[i]):
        amounts.append(cells[i])
        i += 1
    row.update(zip(_AMOUNT_FIELDS, amounts, strict=False))
    texts = [c for c in cells[i:] if clean(c)]
    if texts:
        listed = [t for t in texts if starts_indicator_list(t) is not None]
        row["indicators"] = listed[-1] if listed else ""
        rest = texts[: texts.index(listed[-1])] if listed else texts
        row["goal"] = rest[-1] if rest else ""
    return row


def _split_goal(goal: str, indicators: str) -> tuple[str, str]:
    """A goal cell that also holds the indicator list (003's last row) is cut where the list starts."""
    if cell_text(indicators) or not goal:
        return clean(goal), indicators
    start = starts_indicator_list(goal)
    if not start:
        return clean(goal), indicators
    text = clean(goal)
    return text[:start].strip(), text[start:]


def read_tabbed(path: str, text: str) -> Document | None:
    """Read a tab- (or comma-) separated performance-target table; None when `text` is not one."""
    lines = text.splitlines()
    delimiter = _delimiter(text, lines)
    if delimiter is None:
        return None
    stem = Path(path).stem
    department = department_of(lines)
    district = district_of(department)
    head = Document(path=path, doc=stem, layout=LAYOUT, department=department, district=district)
    parts = Parts()
    cols = {name: i for i, name in enumerate(FIELDS)}
    width = len(FIELDS)
    unit = ""
    started = False
    for n, line in enumerate(lines, start=1):
        cells = _split(line, delimiter)
        if len(cells) < 2:
            if started and clean(line):
                what = f"text outside the table columns: {clean(line)[:60]!r}"
                parts.problems.append(Problem(path, n, what))
            elif not started and head.year is None and (year := year_of(line)) is not None:
                head = replace(head, year=year)  # a new Document only once a year is found
            continue
        header = _header_map(cells)
        if header:
            cols, width, started = header, len(cells), True
            continue
        started = True
        if len(cells) == width:
            row = {name: cells[i] for name, i in cols.items() if i < len(cells)}
        else:
            row = _by_content(cells)
            parts.problems.append(
                Problem(path, n, f"row has {len(cells)} cells, the header {width}; cells placed by content")
            )
        unit = _read_row(head, parts, n, line, row, unit)
    return parts.build(head)


def _read_row(doc: Document, parts: Parts, n: int, line: str, row: dict[str, str], unit: str) -> str:
    """Turn one placed row into a 合计, a funding-unit subtotal or a project; returns the current unit."""
    name = clean(row.get("project", ""))
    amounts: dict[str, float | None] = {}
    bad = []
    for key in _AMOUNT_FIELDS:
        value, ok = parse_amount(row.get(key, ""))
        amounts[key] = value
        if not ok:
            bad.append(f"{key}={clean(row.get(key, ''))!r}")
    goal, indicators = _split_goal(row.get("goal", ""), row.get("indicators", ""))
    if _TOTAL_ROW.match(fold(name)):
        parts.subtotals.append(UnitTotal("", amounts["total"], amounts["fiscal"], n))
        return unit
    if not goal and not cell_text(indicators) and amounts["total"] is not None:
        parts.subtotals.append(UnitTotal(name, amounts["total"], amounts["fiscal"], n))
        return name
    pid = project_id(doc.doc, len(parts.projects) + 1)
    flags = []
    if bad:
        flags.append("bad_amount")
        parts.problems.append(Problem(doc.path, n, f"amount cells that are not numbers: {', '.join(bad)}"))
    if not name:
        flags.append("missing_name")
        parts.problems.append(Problem(doc.path, n, "row without a project name"))
    found = parse_indicator_list(indicators, doc=doc.doc, project_id=pid, line=n)
    if not found:
        flags.append("no_indicators")
        parts.problems.append(Problem(doc.path, n, f"project {name!r} has no indicator list"))
    for ind in found:
        if "unparsed" in ind.flags:
            parts.problems.append(Problem(doc.path, n, f"indicator text not understood: {ind.raw[:60]!r}"))
    project = record(
        Project,
        doc=doc.doc,
        project_id=pid,
        project=name,
        department=doc.department,
        district=doc.district,
        unit=unit,
        year=year_of(name) or doc.year,
        goal=goal,
        raw=line,
        line=n,
        total=amounts["total"],
        fiscal=amounts["fiscal"],
        special_account=amounts["special_account"],
        other=amounts["other"],
        flags=tuple(flags),
        indicators=tuple(found),
    )
    parts.projects.append(project)
    return unit
