"""The rule-based table reader, kept only as the baseline of `jixiao evaluate --reader`: NOT SHIPPED.

It read the indicator tables of other provinces (pipes, line cells, spaces, run-together text, prose)
until the learned reader (nlp/documents/table/) and the prose reader (nlp/documents/prose_reader.py)
replaced it; it grew one special case per sample file (docs/READER_AUDIT.md). `read_document` never
calls it. It is imported only by the leave-one-file-out evaluation (nlp/documents/table/evaluate.py),
benchmarks/bench_reader.py and its own tests (tests/test_rule_reader.py), so the README table can show
its figures beside the learned reader's on the same folds. Its output layout is
`indicator_table:<layout>`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from nlp.documents.cells import (
    Body,
    Cell,
    cell_number,
    flat_value_re,
    is_number,
    pipe_row_cells,
    pipe_stream_cells,
    row_indicator,
    sniff,
    space_cells,
    split_body,
)
from nlp.documents.common import Parts, ProjectDraft
from nlp.documents.prose import bracketed_rows, is_selfeval, prose_rows
from nlp.documents.table.columns import title_table
from nlp.documents.table.glued import recut
from nlp.documents.table.pages import rejoin_pages
from nlp.documents.table.runtogether import split_run_together
from nlp.documents.table.totals import points_as_read, split_scores, split_weights, stated_total
from nlp.levels import canonical_level1, canonical_level2, level_key
from nlp.schema import Document, Indicator, Problem, Project
from nlp.textnorm import fold, fold_text

log = logging.getLogger(__name__)

_OP = re.compile(r"^(?:>=|<=|[≥≤=<>≧≦]|定量|定性|大于等于|小于等于|等于|大于|小于)$")
_SCORE_ONLY = re.compile(r"^\(\d+(?:\.\d+)?分\)$")  # (50分) left alone in a cell
_UNIT_CODE = re.compile(r"^\d+-")  # 820001-井研县马踏镇人民政府
_PLAIN_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_DIGITS = re.compile(r"^\d+$")
_MONEY = re.compile(r"^[\d,]+(?:\.\d+)?$")
_PROJECT = re.compile(r"^(?:项目名称|专项名称)[:：]?(.*)$")
_PROJECT_END = re.compile(r"(?:省级|中央)?主管部门|项目负责人|项目编号")
_DEPARTMENT = re.compile(r"^(?:主管部门\(单位\)名称|主管部门(?:及代码)?|部门\(单位\)名称)[:：]?(.*)$")
_YEAR = re.compile(r"(20\d{2})\s*年度?")
_VALUE_ROLES = ("period", "value", "actual")
_LEVEL_ROLES = ("level1", "level2")
_HEADERLESS = ("level1", "level2", "name", "value", "actual_text", "weight", "score")


def _role(cell: Cell) -> str | None:
    return title_table()[0].get(level_key(cell.text))


def _is_stop(cell: Cell) -> bool:
    return cell.prose or level_key(cell.text).startswith(title_table()[1])


def _level1(text: str, inherited: str, inherited2: str = "") -> str | None:
    """A 一级 name, unless it is also a 二级 name where 二级 names are in force (成本指标 under 产出)."""
    code = canonical_level1(text)
    if code == "4-成本指标" and (inherited == "1-产出指标" or (not inherited and inherited2)):
        return None
    return code


def _is_level(text: str) -> bool:
    return bool(canonical_level1(text) or canonical_level2(text))


@dataclass
class _Row:
    """Cells of one table row by role, plus what could not be placed."""

    start: int
    line: int
    values: dict[str, str] = field(default_factory=dict)
    raws: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    level1: str = ""
    level2: str = ""


def _accepts(role: str, cell: Cell, row: _Row, level1: str) -> bool:
    text = cell.text
    if role == "level1":
        return _level1(text, level1, row.level2) is not None
    if role == "level2":
        return canonical_level2(text) is not None
    if role == "op":
        return bool(_OP.match(text))
    if role == "unit":
        return 0 < len(text) <= 6 and not any(c.isdigit() for c in text) and not _OP.match(text)
    if role in ("weight", "score"):
        return is_number(text)
    if role == "actual_text":
        return not is_number(text) or text.endswith("%")
    if role == "desc":  # a value cut out of run-together text is not the 指标说明
        return not (cell.glued and flat_value_re().fullmatch(text))
    if role == "unit_name":
        return bool(_UNIT_CODE.match(text))
    if role == "budget":
        return bool(_MONEY.match(text))
    if role in ("project", "goal"):
        return not _MONEY.match(text) and not _is_level(text)
    return True


def _header_at(cells: list[Cell], i: int, layout: str) -> tuple[list[str], int] | None:
    """The column roles of a header row starting at cells[i], and the index after it."""
    if _role(cells[i]) is None:
        return None
    roles: list[str] = []
    j = i
    while j < len(cells) and j - i < 20:
        cell = cells[j]
        if j > i and ((cell.brk and layout != "spaces") or (_is_level(cell.text) and _role(cell) is None)):
            break
        role = _role(cell)
        if role is not None:
            roles.append(role)
        elif layout == "spaces" and len(cell.text) > 4:
            break
        elif cell.text and layout != "spaces" and not _SCORE_ONLY.match(cell.text):
            roles.append("other")
        j += 1
    if "value" not in roles and "name" in roles and "other" in roles[roles.index("name") :]:
        roles[roles.index("other", roles.index("name"))] = "value"  # per-place value columns (44)
    if sum(1 for r in roles if r in ("level1", "level2", "name")) < 2 or not set(roles) & {"value", "actual"}:
        return None
    seen: set[str] = set()
    out = []
    for r in roles:
        out.append(f"{r}#2" if r in seen and r in ("level2", "name") else r)
        seen.add(r)
    while layout == "spaces" and out and out[-1] in ("other", "desc"):
        out.pop()
    return out, j


def _assemble(cells: list[Cell], start: int, cols: list[str], headerless: bool) -> tuple[list[_Row], int]:
    """Place cells into rows by column role; a level name or a row break starts a new row."""
    rows: list[_Row] = []
    level1 = level2 = ""
    row: _Row | None = None
    j = 0
    k = start
    while k < len(cells):
        cell = cells[k]
        if _is_stop(cell):
            break
        if not cell.text and row is not None and "name" in row.values:
            j += 1  # an empty cell inside a row holds its column
        if _SCORE_ONLY.match(cell.text) or not cell.text:
            k += 1
            continue
        if cell.brk and row is not None and (_role(cell) or _PROJECT.match(cell.text)):
            rows.append(row)
            while rows and not set(rows[-1].values) & set(_VALUE_ROLES):
                rows.pop()  # lines between two tables (unit, 单位:万元) are not indicators
            return rows, k
        new = row is None or cell.brk or j >= len(cols)
        if row is not None and not new and cell.glued and _is_level(cell.text) and "name" not in row.values:
            fits = _fit(cell, row, cols, j, level1)  # run-together: a level after an empty group
            new = fits is None or cols[fits].removesuffix("#2") not in _LEVEL_ROLES
        elif row is not None and not new and "name" in row.values:
            fits = _fit(cell, row, cols, j, level1)
            if _is_level(cell.text):
                new = fits is None or cols[fits].removesuffix("#2") not in _LEVEL_ROLES
            elif cell.soft:
                numeric = fits is not None and cols[fits] in ("weight", "score") and is_number(cell.text)
                new = not (numeric and set(row.values) & set(_VALUE_ROLES))
            else:
                new = fits is None
        if new:
            if headerless and not _is_level(cell.text) and (row is None or cell.brk):
                if row is not None:
                    break
                k += 1
                continue
            if row is not None:
                rows.append(_right_align(row, cols))
            row = _Row(start=k, line=cell.line, level1=level1, level2=level2)
            j = 0
        assert row is not None  # `new` is true while no row has started, and starts one above
        row.raws.append(cell.raw)
        idx = _fit(cell, row, cols, j, level1)
        if idx is None:
            row.extra.append(cell.raw)
        else:
            j = idx + 1
            key = cols[idx]
            if key == "level1":
                level1, level2 = _level1(cell.text, level1, row.level2) or "", ""
                row.level1, row.level2 = level1, ""
            elif key == "level2":
                level2 = canonical_level2(cell.text, level1) or ""
                row.level2 = level2
            store = _store(key)
            row.values[store] = f"{row.values[store]} | {cell.raw}" if store in row.values else cell.raw
        k += 1
    if row is not None:
        rows.append(_right_align(row, cols))
    return rows, k


def _store(key: str) -> str:
    return "actual" if key == "actual_text" else key


def _fit(cell: Cell, row: _Row, cols: list[str], j: int, level1: str) -> int | None:
    """The first column from j on that is still free and takes this cell."""
    for idx in range(j, len(cols)):
        key = cols[idx]
        if (key == "other" or _store(key) not in row.values) and _accepts(
            key.removesuffix("#2"), cell, row, level1
        ):
            return idx
    return None


def _right_align(row: _Row, cols: list[str]) -> _Row:
    """Missing cells: trailing bare numbers belong to 分值/得分, the right-most numeric columns.

    `name | 3 | 9.3 | 9.3` under value|actual|weight|score, and `★name 10 10` under
    weight|value|actual|score (a group row with 分值 and 得分 only).
    """
    v = row.values
    if "score" in v or "weight" not in v or "score" not in cols or "value" not in cols:
        return row
    last = "actual" if "actual" in v else "value"
    if not _PLAIN_NUMBER.match(fold(v.get(last, ""))):
        return row
    if cols.index("weight") < cols.index("value"):
        v["score"] = v.pop(last)
    elif last == "actual":
        v["score"], v["weight"] = v["weight"], v.pop("actual")
    return row


@dataclass
class _Found:
    rows: list[_Row]
    projects: dict[int, str]
    cut: bool
    headerless: bool = False


def _table_rows(cells: list[Cell], layout: str) -> _Found:
    rows: list[_Row] = []
    k = 0
    found_header = False
    cut = False
    while k < len(cells):
        header = _header_at(cells, k, layout)
        if header is None:
            k += 1
            continue
        found_header = True
        start = k
        got, k = _assemble(cells, header[1], header[0], headerless=False)
        glued = all(c.glued for c in cells[start : header[1]])
        if header[0][-2:] == ["value", "weight"] and glued:
            total = _stated_digits(cells, k)
            _split_glued_weights(got, int(total) if total else None)
        elif header[0][-2:] == ["weight", "score"] and glued:
            _split_glued_scores(got, _stated_digits(cells, k))
        rows += got
        cut = k >= len(cells)
    if not found_header and not any(_role(c) == "name" for c in cells):  # else: _unreadable
        first = next((i for i, c in enumerate(cells) if canonical_level1(c.text)), None)
        if first is not None:
            rows, k = _assemble(cells, first, list(_HEADERLESS), headerless=True)
            cut = k >= len(cells)
    return _Found(rows=rows, projects=_project_marks(cells), cut=cut, headerless=not found_header)


def _stated_digits(cells: list[Cell], k: int) -> str | None:
    """The digits after the 总分/合计 cell that ended a table at cells[k], if any (table/totals.py)."""
    return stated_total([c.text for c in cells[k : k + 2]], 0)


def _split_glued_weights(rows: list[_Row], total: int | None) -> None:
    """目标值 and 分值 run together (`210010`) under a glued header: split them by the total.

    Each bare number of a row without 分值 is read as target + weight; the readings are taken only
    when exactly one choice over all rows makes the 分值 column add up to the total the table states
    (table/totals.py `split_weights`). Otherwise the numbers are kept raw and the rows are flagged
    unparsed: a split is never guessed.
    """
    glued = [r for r in rows if "weight" not in r.values and _DIGITS.match(r.values.get("value", ""))]
    if not glued:
        return
    fixed = sum(cell_number(r.values.get("weight")) or 0 for r in rows)
    picks = split_weights([r.values["value"] for r in glued], fixed, total)
    for n, row in enumerate(glued):
        digits = row.values.pop("value")
        if picks is None:
            row.extra.append(digits)
            continue
        target, weight = picks[n]
        row.values["weight"] = str(weight)
        if target:
            row.values["value"] = target


def _split_glued_scores(rows: list[_Row], digits: str | None) -> None:
    """分值 and 得分 run together (`2018` = 20|18) under a glued header: split them by the 总分.

    The 总分 cell then holds both totals run together too (`总分10098` = 100|98). Each bare number in
    the 分值 column of a row without 得分 is read as weight + score; the readings are taken only when
    exactly one choice over all rows and all readings of the 总分 makes both columns add up
    (table/totals.py `split_scores`). Otherwise the numbers are kept raw and the rows are flagged
    unparsed. Nothing is split when the 分值 as read are plausible 分值 and add up to the 总分 or no
    总分 is stated (`points_as_read`).
    """
    glued = [r for r in rows if "score" not in r.values and _DIGITS.match(r.values.get("weight", ""))]
    if not glued:
        return
    weights = sum(cell_number(r.values.get("weight")) or 0 for r in rows)
    if points_as_read([r.values["weight"] for r in glued], weights, digits):
        return  # the sum alone is not enough: glued 2020, 2018 … add up to the glued 总分 10098
    others = [r for r in rows if r not in glued]
    fixed_w = sum(cell_number(r.values.get("weight")) or 0 for r in others)
    fixed_s = sum(cell_number(r.values.get("score")) or 0 for r in others)
    reading = split_scores([r.values["weight"] for r in glued], fixed_w, fixed_s, digits)
    for i, row in enumerate(glued):
        if reading is None:
            row.extra.append(row.values.pop("weight"))
            continue
        weight, score = reading[i]
        row.values["weight"], row.values["score"] = str(weight), str(score)


def _project_marks(cells: list[Cell]) -> dict[int, str]:
    marks: dict[int, str] = {}
    for i, cell in enumerate(cells):
        m = _PROJECT.match(cell.text)
        if not m:
            continue
        name = _PROJECT_END.split(m.group(1))[0].strip()
        if not name:
            nxt = next((c for c in cells[i + 1 : i + 4] if c.text), None)
            name = nxt.raw if nxt and _role(nxt) is None and not nxt.text.endswith(":") else ""
            name = _PROJECT_END.split(name)[0].strip()
        if name:
            marks[i] = name
    return marks


def _department(cells: list[Cell]) -> str:
    for i, cell in enumerate(cells):
        m = _DEPARTMENT.match(cell.text)
        if m:
            rest = m.group(1).strip()
            if rest:
                return rest
            nxt = next((c for c in cells[i + 1 : i + 4] if c.text), None)
            return nxt.raw if nxt else ""
    return ""


def _indicator(doc: str, project_id: str, seq: int, row: _Row, last: bool, cut: bool) -> Indicator:
    v = row.values
    name = v.get("name", "")
    level2 = row.level2
    return row_indicator(
        v,
        doc=doc,
        project_id=project_id,
        seq=seq,
        name=name,
        levels=(row.level1, level2, v.get("level1", ""), v.get("level2", "")),
        raws=row.raws,
        line=row.line,
        cut=last and cut,
        extra=bool(row.extra),
    )


def read_indicator_table(path: str, text: str) -> Document | None:
    """Read an indicator table of another province; None when the text holds no such table."""
    body: Body = rejoin_pages(split_body(text))
    doc = Path(path).stem
    layout = sniff(body)
    cells = {"pipe_rows": pipe_row_cells, "pipe_cells": pipe_stream_cells, "spaces": space_cells}[layout](
        body
    )
    if layout == "spaces":
        cells = recut(split_run_together(cells))
    found = _table_rows(cells, layout)
    rows = [r for r in found.rows if r.values.get("name") or set(r.values) & set(_VALUE_ROLES) or r.extra]
    if not rows or (found.headerless and layout == "spaces"):  # inline `数量指标:…>=17600株；…`
        prose, by_prose = _fallback(body)
        if prose and (not rows or _confident(prose) >= _confident(rows)):
            rows, found, layout = prose, by_prose, "prose"
    if not rows:
        rows, layout = _unreadable(cells), "unreadable"
        if not rows:
            return None
    folded = fold_text("\n".join(body.lines))  # whole table: not cached
    year = _YEAR.search(folded)
    head = Document(
        path=path,
        doc=doc,
        layout=f"indicator_table:{layout}",
        department=_department(cells),
        year=int(year.group(1)) if year else None,
        source=body.source,
    )
    document = _build_projects(head, rows, found)
    log.debug("%s: %s, %d indicator rows", path, document.layout, len(rows))
    return document


def _unreadable(cells: list[Cell]) -> list[_Row]:
    """An indicator header whose rows cannot be cut (OCR run-together): keep the text, flagged."""
    i = next((k for k, c in enumerate(cells) if _role(c) == "name"), None)
    if i is None:
        return []
    row = _Row(start=i + 1, line=cells[i].line)
    row.extra = row.raws = [c.raw for c in cells[i + 1 : i + 60] if c.text]
    return [row] if row.extra else []


def _fallback(body: Body) -> tuple[list[_Row], _Found]:
    """Indicators written as text (nlp/documents/prose.py): bracketed headings, else prose sentences."""
    rows: list[_Row] = []
    marks: dict[int, str] = {}
    for reader in (bracketed_rows, prose_rows):
        for r in reader(body):
            row = _Row(
                start=r.line,
                line=r.line,
                level1=canonical_level1(r.level1) or "",
                level2=canonical_level2(r.level2) or "",
            )
            row.values = {"name": r.name, "level1": r.level1, "level2": r.level2}
            if reader is bracketed_rows and is_selfeval(body):
                row.values["actual"] = r.value
            elif r.value:
                row.values["value"] = r.value
            if r.actual:
                row.values["actual"] = r.actual
            row.raws = [r.raw]
            if r.unparsed:
                row.extra = [r.raw]
            rows.append(row)
            if r.project and r.project not in marks.values():
                marks[r.line - 1] = r.project
        if rows:
            break
    return rows, _Found(rows=rows, projects=marks, cut=True)


def _confident(rows: list[_Row]) -> int:
    """Rows with a name and a value, minus rows the reader could not place (as the shipped reader counts)."""
    good = sum(1 for r in rows if r.values.get("name") and set(r.values) & set(_VALUE_ROLES))
    return good - sum(1 for r in rows if r.extra or not r.values.get("name"))


def _build_projects(document: Document, rows: list[_Row], found: _Found) -> Document:
    """The document (`document`: its own fields) with the projects and indicators of `rows`."""
    marks = sorted(found.projects.items())
    parts = Parts()
    drafts: list[ProjectDraft] = []
    previous = -1
    for n, row in enumerate(rows):
        name = row.values.get("project") or next(
            (p for i, p in reversed(marks) if previous < i < row.start), ""
        )
        previous = row.start
        if not drafts or (name and name != drafts[-1].head.project):
            head = Project(
                doc=document.doc,
                project_id=f"{document.doc}-{len(drafts) + 1:03d}",
                project=name or next((p for i, p in reversed(marks) if i < row.start), ""),
                department=document.department,
                year=document.year,
                line=row.line,
            )
            drafts.append(ProjectDraft(head))
        current = drafts[-1]
        last = n == len(rows) - 1
        seq = len(current.indicators) + 1
        ind = _indicator(document.doc, current.head.project_id, seq, row, last, found.cut)
        current.indicators.append(ind)
        if "unparsed" in ind.flags:
            what = f"row not fully read: {ind.raw[:80]}"
            parts.problems.append(Problem(document.path, row.line, what))
        elif "truncated" in ind.flags:
            what = f"excerpt cut inside a row: {ind.raw[:80]}"
            parts.problems.append(Problem(document.path, row.line, what))
    parts.projects = [draft.build() for draft in drafts]
    return parts.build(document)
