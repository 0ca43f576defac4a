"""Build projects and indicators from grids: header rows found by their titles, merged level cells
inherited, the project-info block around each table, several projects per sheet or document."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from nlp.documents.common import Parts, ProjectDraft, district_of, parse_amount, project_id, year_of
from nlp.documents.grid.model import Grid, Source
from nlp.documents.grid.vocab import column_role, info_label, is_stop
from nlp.levels import canonical_level1, canonical_level2
from nlp.schema import Document, Indicator, Problem, Project
from nlp.textnorm import fold

_LEVELS = ("level1", "level2", "name")
_VALUES = ("period", "value", "actual")
_KEPT = (*_LEVELS, *_VALUES, "op", "unit", "weight", "score", "direction", "project")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?")
_YEAR = re.compile(r"(20\d{2})\s*年")
_AMOUNT_UNIT = re.compile(r"\s*万?元$")


@dataclass
class _Table:
    """A header found at a row: the column of each role and the first data row."""

    cols: dict[str, int]
    start: int


@dataclass
class _State:
    """What the reader carries from row to row and from grid to grid of one file."""

    path: str
    doc: str
    department: str = ""  # the file's 部门名称, from the first block that states it
    year: int | None = None  # the file's year, from the text outside tables before its first table
    parts: Parts = field(default_factory=Parts)  # the problems; the projects are built at the end
    drafts: list[ProjectDraft] = field(default_factory=list)
    pending: dict[str, tuple[str, str]] = field(default_factory=dict)  # field → (value, cell ref)
    pending_ref: tuple[int, str, str] = (0, "", "")  # (line, sheet, cell) of the 项目名称 label
    current: ProjectDraft | None = None
    texts: list[str] = field(default_factory=list)  # cells outside tables, for the year
    levels: list[str] = field(default_factory=lambda: ["", "", "", ""])  # level1, level2, raw1, raw2
    open_table: _Table | None = None  # a table that ran to the end of its page (PDF: continues)


def _own_cells(row: list[str], r: int, anchors: dict) -> list[tuple[int, str]]:
    """(column, text) of the non-empty cells anchored in row r (no copies of a merge from the left)."""
    out = []
    for c, text in enumerate(row):
        anchor = anchors.get((r, c))
        if text and (anchor is None or anchor[1] == c):
            out.append((c, text))
    return out


def _roles(cells: list[tuple[int, str]]) -> dict[int, str]:
    out = {}
    for c, text in cells:
        role = column_role(text)
        if role is not None and role not in ("stop", "total"):
            out[c] = role
    return out


def _is_header(roles: dict[int, str]) -> bool:
    found = set(roles.values())
    named = "name" in found or len(found & set(_LEVELS)) >= 2
    return named and bool(found & set(_VALUES))


def _columns(roles: dict[int, str]) -> dict[str, int]:
    """Role → column, first column of a role wins; two 指标值 columns are 实施期 then 年度."""
    cols: dict[str, int] = {}
    values = [c for c, role in sorted(roles.items()) if role == "value"]
    for c, role in sorted(roles.items()):
        if role == "value" and len(values) > 1 and "period" not in roles.values() and c == values[0]:
            role = "period"
        cols.setdefault(role, c)
    return {role: c for role, c in cols.items() if role in _KEPT}


def _header_at(dense: list[list[str]], anchors: dict, r: int) -> _Table | None:
    """The indicator header starting at row r: one row, or two when row r's titles stand above
    blanks or titles of the next row (绩效指标 over 一级/二级/三级, 分值 spanning both rows). A row
    with a project-info label (项目名称) is never part of a header."""
    own = _own_cells(dense[r], r, anchors)
    roles = _roles(own)
    if not roles:
        return None
    if r + 1 < len(dense):
        below = dense[r + 1]
        sub = _roles(_own_cells(below, r + 1, anchors))
        above_titles = all(not below[c] or column_role(below[c]) is not None for c in roles)
        if sub and above_titles and not any(info_label(t) for _, t in own):
            merged = {c: role for c, role in {**roles, **sub}.items() if role in _KEPT}
            if _is_header(merged):
                return _Table(_columns(merged), r + 2)
        if _is_header(sub):
            return None  # r stands above a complete header without being part of it
    return _Table(_columns(roles), r + 1) if _is_header(roles) else None


def _number(text: str) -> float | None:
    m = _NUMBER.match(fold(text).replace(" ", ""))
    return float(m.group()) if m else None


def _amount(text: str) -> float | None:
    return parse_amount(_AMOUNT_UNIT.sub("", text))[0]


def _flush_pending(state: _State, line: int, sheet: str, cell: str) -> None:
    """A project-info block followed by a table, or by a new block: make (or complete) a project."""
    p = state.pending
    if "project" in p or state.current is None:
        department = p.get("department", (state.department, ""))[0]
        head = Project(
            doc=state.doc,
            project_id=project_id(state.doc, len(state.drafts) + 1),
            project=p.get("project", ("", ""))[0],
            department=department,
            district=district_of(department),
            unit=p.get("unit", ("", ""))[0],
            year=state.year,
            total=_amount(p.get("total", ("", ""))[0]),
            fiscal=_amount(p.get("fiscal", ("", ""))[0]),
            other=_amount(p.get("other", ("", ""))[0]),
            goal=p.get("goal", ("", ""))[0],
            raw=" | ".join(v for v, _ in p.values()),
            line=line,
            sheet=sheet,
            cell=cell,
        )
        state.current = ProjectDraft(head)
        state.drafts.append(state.current)
        state.levels = ["", "", "", ""]
    state.pending = {}


def _plain_cell(text: str) -> bool:
    """A cell that is neither a project-info label nor a column title."""
    return bool(text) and info_label(text) is None and column_role(text) is None


def _info_row(state: _State, grid: Grid, dense: list[list[str]], r: int, anchors: dict) -> None:
    """Collect project-info labels of a row outside tables: the value is the label's next cell to the
    right, or, in a row of labels (年度资金总额 | 财政拨款 | 其他资金), the cell below it."""
    cells = _own_cells(dense[r], r, anchors)
    state.texts += [t for _, t in cells]
    labels_only = all(info_label(t) is not None for _, t in cells[1:])  # the first may name the block
    below = dense[r + 1] if r + 1 < len(dense) and labels_only else []
    for k, (c, text) in enumerate(cells):
        found = info_label(text)
        if found is None:
            continue
        fld, value = found
        if not value and k + 1 < len(cells) and info_label(cells[k + 1][1]) is None:
            value = cells[k + 1][1]
        elif not value and c < len(below) and _plain_cell(below[c]):
            value = below[c]
        if fld == "department" and value and not state.department:
            state.department = value
        if not value:
            continue
        if fld == "project":
            if "project" in state.pending:  # a block without a table: keep the project, no indicators
                _flush_pending(state, *state.pending_ref)
            state.pending_ref = (r + 1, grid.sheet, grid.ref(r, c))
        state.pending.setdefault(fld, (value, grid.ref(r, c)))


def _project_cell(state: _State, grid: Grid, name: str, r: int, c: int) -> None:
    """A project column (every project's rows in one table): a new name starts a new project."""
    current = state.current
    if current is not None and not current.indicators and not current.head.project:
        current.head = replace(current.head, project=name, line=r + 1, cell=grid.ref(r, c))
    elif current is None or name != current.head.project:
        state.pending = {"project": (name, grid.ref(r, c))}
        _flush_pending(state, r + 1, grid.sheet, grid.ref(r, c))


def _indicator(state: _State, grid: Grid, table: _Table, row: list[str], r: int) -> None:
    """One data row → an Indicator of the current project; a level cell sets the level of the rows
    below it until the next one (merged, or written once)."""
    v = {role: row[c] for role, c in table.cols.items()}
    if v.get("project"):
        _project_cell(state, grid, v["project"], r, table.cols["project"])
    levels = state.levels
    text1, text2 = v.get("level1", ""), v.get("level2", "")
    known = canonical_level1(text1) or canonical_level2(text2)
    if not (v.get("name") or any(v.get(k) for k in _VALUES) or known):
        return  # an empty row, or a line of page text where a level cell would be
    if text1 and text1 != levels[2]:
        levels[0], levels[1], levels[2], levels[3] = canonical_level1(text1) or "", "", text1, ""
    if text2 and text2 != levels[3]:
        levels[1], levels[3] = canonical_level2(text2, levels[0]) or "", text2
    if not (v.get("name") or any(v.get(k) for k in _VALUES)):
        return  # a level heading row or an empty row
    project = state.current
    assert project is not None  # a table always follows _flush_pending
    name = v.get("name", "")
    raw = " | ".join(t for c, t in enumerate(row) if t and (c == 0 or t != row[c - 1]))
    cell = grid.ref(r, table.cols.get("name", min(table.cols.values())))
    flags = []
    if not (v.get("period") or v.get("value") or v.get("actual")):
        flags.append("missing_value")
    if not name:
        flags.append("unparsed")
        state.parts.problems.append(
            Problem(state.path, r + 1, f"{cell}: row without an indicator name: {raw[:80]}")
        )
    ind = Indicator(
        doc=project.head.doc,
        project_id=project.head.project_id,
        seq=len(project.indicators) + 1,
        name=name,
        level1=levels[0],
        level2=levels[1] or canonical_level2(name) or "",
        period_value=v.get("period") or None,
        annual_value=v.get("value") or None,
        actual_value=v.get("actual") or None,
        weight=_number(v.get("weight", "")),
        score=_number(v.get("score", "")),
        raw=raw,
        line=r + 1,
        op=v.get("op") or None,
        unit=v.get("unit") or None,
        direction=v.get("direction") or None,
        level1_raw=levels[2],
        level2_raw=levels[3],
        sheet=grid.sheet,
        cell=cell,
        flags=tuple(flags),
    )
    project.indicators.append(ind)


def _table_rows(state: _State, grid: Grid, dense: list[list[str]], anchors: dict, table: _Table) -> int:
    """Read data rows from table.start until a stop cell, an info label or the next header."""
    r = table.start
    while r < len(dense):
        row = dense[r]
        own = _own_cells(row, r, anchors)
        first = next((t for t in row if t), "")
        if not first:
            r += 1
            continue
        if is_stop(first) or info_label(first) is not None:
            if column_role(first) == "total" and "score" in table.cols and state.current is not None:
                score = _number(row[table.cols["score"]])  # 总分 | … | 98
                state.current.head = replace(state.current.head, total_score=score)
            return r
        if column_role(first) is not None and _header_at(dense, anchors, r) is not None:
            return r  # a header row starts with a title (checked first: it is cheap)
        if own:
            _indicator(state, grid, table, row, r)
        r += 1
    return r


def read_grids(source: Source) -> Document | None:
    """Projects and indicators of the grids of one file; None when no grid holds an indicator header."""
    state = _State(source.path, Path(source.path).stem)
    found = False
    for grid in source.grids:
        dense, anchors = grid.matrix()
        r = 0
        going_on, state.open_table = state.open_table, None
        if going_on is not None and grid.page is not None:  # a PDF table going on over the page
            r = _table_rows(state, grid, dense, anchors, _Table(going_on.cols, 0))
            state.open_table = going_on if r >= len(dense) else None
        while r < len(dense):
            table = _header_at(dense, anchors, r)
            if table is None:
                _info_row(state, grid, dense, r, anchors)
                r += 1
                continue
            found = True
            if state.year is None:
                years = (_YEAR.search(fold(t)) for t in state.texts)
                state.year = next((int(m.group(1)) for m in years if m), None)
            where = state.pending_ref if "project" in state.pending else (r + 1, grid.sheet, grid.ref(r, 0))
            _flush_pending(state, *where)
            r = _table_rows(state, grid, dense, anchors, table)
            state.open_table = table if r >= len(dense) else None
    if not found:
        return None
    if "project" in state.pending:
        _flush_pending(state, *state.pending_ref)
    # the year the name states (2025-2026年度 → 2025), else the file's
    projects = [d.build(year=year_of(d.head.project) or d.head.year or state.year) for d in state.drafts]
    department = state.department or next((p.department for p in projects), "")
    state.parts.projects = projects
    head = Document(
        path=source.path,
        doc=state.doc,
        layout=f"grid:{source.fmt}",
        department=department,
        district=district_of(department),
        year=state.year,
    )
    return state.parts.build(head)
