"""Cell roles → indicator rows → a Document (nlp/schema.py records, the same fields as every reader).

A name cell starts a row (a name cut over several cells is joined); level cells set the 一级/二级
in force for the rows after them (merged cells are inherited); the other roles fill the fields of
the row in progress. A row whose name is a bare operator, number, unit, direction or standard word,
or that has values but no name, is kept with its raw text and the flag `unparsed`. The row record
is in `row`, the re-reading of cells the model left `other` in `reread`, the header's say in `trust`,
project blocks in `project`, the clean-ups after decoding in `cleanup`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from nlp.documents.cells import row_indicator, split_body
from nlp.documents.common import Parts, document_of_rows, stated_year
from nlp.documents.prose import is_selfeval
from nlp.documents.table.features import aligned_columns, header_runs
from nlp.documents.table.header import title_roles
from nlp.documents.table.levels import level1_code, level2_code, title_or_level
from nlp.documents.table.places import inferred_columns
from nlp.documents.table.project import department, outside_rows, project_in_force, project_label
from nlp.documents.table.reread import (
    in_context,
    level_head,
    name_starting_line,
    no_run_on,
    points_only,
    reread,
    second_value,
)
from nlp.documents.table.row import FIELDS, LEVEL_NAME, LEVELS, NOT_FIELDS, VALUES, Row, fake_name, repeats
from nlp.documents.table.tokens import Cell, Tokens
from nlp.documents.table.totals import settle_points
from nlp.documents.table.trust import trust_header
from nlp.schema import Document, Indicator, Problem

_CUT_TAIL = 3  # a row ending this close to the end of the text was cut by the excerpt


def rows_from_roles(
    cells: Sequence[Cell],
    roles: Sequence[str],
    has_period: bool = False,
    columns: Sequence[str] = (),
    header: frozenset[str] = frozenset(),
) -> list[Row]:
    """Assemble indicator rows from cells and their roles (see the module docstring).

    columns: the header column each cell sits under (features.aligned_columns); a cell the model
    left `other` under a target/actual column of a named row that has none yet fills it.
    header: the column roles of the header, in force after the first header row: with a target
    column, the one cell the model left `other` between a name without a target and the next row's
    level cell is the target (`数量指标 | 重点建设工程安排数量 | 2 | 产出指标`); with a name and a
    target column, a name and its stated target the model left (see reread._unread_name) start a row after
    a name read without a target too, when other cells stand between them.
    """
    rows: list[Row] = []
    roles = in_context(cells, roles)
    full_row = _starts_full_row(cells)
    opened = min((b for _, b in header_runs(cells)), default=len(cells))  # the header is in force after it
    roles = no_run_on(cells, roles)
    roles = points_only(cells, roles, opened, header)
    places = inferred_columns(cells, roles)
    level1 = level2 = project = ""
    expect_project = False
    row: Row | None = None
    previous = ""

    def flush() -> None:
        nonlocal row
        if row is not None and (row.name or set(row.fields) & set(VALUES)):
            rows.append(row)
        row = None

    for i, (cell, role) in enumerate(zip(cells, roles, strict=True)):
        column = columns[i] if i < len(columns) else ""
        titles = header if i > opened else frozenset()
        repeated = role in LEVEL_NAME or (role != "other" and column in NOT_FIELDS)
        if repeated and repeats(row, cell):
            continue  # the name or level again on its row: a 指标描述 column, or a second group (中期 | 年度)
        if role == "other" and places[i] and row is not None and row.name and places[i] not in row.fields:
            role = places[i]  # no header: the field the model read at this place of the other rows
        if role in LEVELS and column in NOT_FIELDS and not title_or_level(cell.text):
            role = "other"  # a 指标说明 cell read as a level that names none: the level in force stands
        if role in VALUES and name_starting_line(cells, i, row):
            role = "name"  # `★补助各类瓜果蔬菜种植面积 | 10 | 10` read as the row above's actual
        if role == "other" and project_label(cells, i, expect_project):
            role = "project_info"  # `项目名称 | 办案业务费` the model left after a table: the next project
        if role == "other":
            role = reread(cells, roles, columns, i, row, previous, has_period, titles)
            if not role:
                continue  # a unit or 分值 between a name and its target: the name's target is still expected
        if role == "project_info" or (column == "project" and role == "other"):
            flush()
            project, expect_project = project_in_force(cell, column, project, expect_project)
        elif role == "header":
            flush()
            expect_project = False
        elif role == "level1":
            flush()
            level1, level2 = cell.raw, ""
        elif role == "level2":
            flush()
            head = i > 0 and roles[i - 1] == "other" and level_head(cells, i - 1)
            level2 = cells[i - 1].raw + cell.raw if head else cell.raw
        elif role == "name":
            if row is not None and row.name and not row.fields and previous == "name" and not full_row[i]:
                row.name += cell.raw  # a name cut over several cells (wrapped line, page break)
            else:
                flush()
                row = Row(cell.line, level1, level2, project, name=cell.raw)
            row.raws.append(cell.raw)
            row.last = i
        elif role in FIELDS:
            if row is None:
                row = Row(cell.line, level1, level2, project)
            row.raws.append(cell.raw)
            row.last = i
            if role == "value" and second_value(cells, i, row, has_period, titles):
                role = "actual"  # target then actual, the model read both as targets (`5.5亩 | 5.5亩`)
            if role == "value" and "value" in row.fields and has_period and "period" not in row.fields:
                row.fields["period"] = row.fields.pop("value")  # 中期 | 年度 side by side
            if role not in row.fields:
                row.fields[role] = cell.raw
            elif previous == role and role in VALUES:
                row.fields[role] += cell.raw  # a value cut over two cells
            else:
                row.extra.append(cell.raw)
        if role != "other" or (row is not None and previous == "name"):
            previous = role
    flush()
    return rows


def _starts_full_row(cells: Sequence[Cell]) -> list[bool]:
    """Cells that start a row of several cells: no name wrapped from the row before continues there."""
    out = [False] * len(cells)
    for i, c in enumerate(cells):
        nxt = cells[i + 1] if i + 1 < len(cells) else None
        out[i] = c.row_start and nxt is not None and not nxt.row_start and nxt.line == c.line
    return out


def _indicator(doc: str, project_id: str, seq: int, row: Row, cut: bool) -> Indicator:
    level1 = level1_code(row.level1) or ""
    # no 二级 in force: a name that is a 二级 name gives it (a 指标名称 column holding the 二级 names)
    level2 = level2_code(row.level2 or row.name, level1 or None) or ""
    return row_indicator(
        row.fields,
        doc=doc,
        project_id=project_id,
        seq=seq,
        name="" if fake_name(row.name) else row.name,
        levels=(level1, level2, row.level1, row.level2),
        raws=row.raws,
        line=row.line,
        cut=cut,
        extra=bool(row.extra),
    )


def _points(rows: list[Row], titles: set[str]) -> None:
    """A 得分 without a 分值, under a header with a 分值 column, is the 分值 (a 得分 is only stated next
    to its 分值; the empty cells between are not cells). Numbers run together in the 分值 | 得分 cells
    are split by the table's 总分 after this (table/totals.py)."""
    for row in rows:
        if "weight" in titles and "score" in row.fields and "weight" not in row.fields:
            row.fields["weight"] = row.fields.pop("score")


def _selfeval_actuals(rows: list[Row]) -> None:
    """In a self-evaluation without a header (indicators written as text), a value is what was done,
    not the target: the same rule as the prose reader's (nlp/documents/prose.py)."""
    for row in rows:
        if "value" in row.fields and "actual" not in row.fields:
            row.fields["actual"] = row.fields.pop("value")


def build_document(path: str, tokens: Tokens, roles: Sequence[str]) -> Document | None:
    """The Document of a table read by roles; None when no indicator row was found."""
    titles = title_roles(tokens.cells)
    runs = header_runs(tokens.cells)
    has_period = any(sum(1 for r in titles[a : b + 1] if r == "value") >= 2 for a, b in runs)
    columns = aligned_columns(tokens.cells, level_names=True)
    roles = trust_header(tokens.cells, roles, columns)
    header = frozenset(r for a, b in runs for r in titles[a : b + 1] if r)
    rows = rows_from_roles(tokens.cells, roles, has_period, columns, header)
    rows, outside = outside_rows(rows, roles, runs)
    if not rows:
        return None
    _points(rows, set(header))
    settle_points(rows, tokens.cells, runs, titles)
    if not runs and is_selfeval(split_body(tokens.text)):
        _selfeval_actuals(rows)
    year = stated_year(tokens.text)
    document = Document(
        path=path,
        doc=Path(path).stem,
        layout=f"table:{tokens.separator}",
        department=department(tokens.cells),
        year=year,
        source=tokens.source,
    )
    parts = Parts()
    for row in outside:
        what = f"cells outside the indicator tables, not a row: {' | '.join(row.raws)[:80]}"
        parts.problems.append(Problem(path, row.line, what))
    end = len(tokens.cells)

    def indicator(n: int, row: Row, pid: str, seq: int) -> Indicator:
        cut = n == len(rows) - 1 and row.last >= end - _CUT_TAIL
        return _indicator(document.doc, pid, seq, row, cut)

    return document_of_rows(path, document, parts, rows, indicator)
