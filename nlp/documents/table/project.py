"""Project blocks around the indicator tables: the project and department named by their labels
(`项目名称:X`, `主管部门`), and the unnamed rows that stand outside every table."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from nlp import vocab
from nlp.documents.table.columns import column_role
from nlp.documents.table.row import Row
from nlp.documents.table.tokens import Cell
from nlp.textnorm import fold

_PROJECT = re.compile(r"^(?:项目名称|专项名称|二级项目名称)[:：]?(.*)$")
_DEPARTMENT = re.compile(
    r"^(?:主管部门\(单位\)名称|(?:项目)?主管部门(?:及代码|及编码)?|部门\(单位\)名称)[:：]?(.*)$"
)


def project_in_force(cell: Cell, column: str, project: str, expect: bool) -> tuple[str, bool]:
    """The project in force after a project cell, and whether its name is still expected: `项目名称:X`,
    `项目名称` then its name, or (a table of several projects) the cell under the header's 项目名称
    column; a column title or a label of the project block is never a project name, and a name run
    together with the next label ends there."""
    if column_role(cell.text):
        m = _PROJECT.match(cell.text)
        return (project, True) if m and not m.group(1).strip() else (project, expect)
    if column == "project":
        return cell.raw, False
    m = _PROJECT.match(cell.text)
    if m:
        rest = _before_label(m.group(1).strip())
        return (rest, False) if rest else (project, True)
    if not expect:
        return project, expect
    if fold(cell.text).startswith(_info_labels()):
        return project, False  # the next label of the block (`项目名称:` | `主管部门:`): no name stated
    name = _before_label(cell.text)
    return (cell.raw if name == cell.text else name), False


def project_label(cells: Sequence[Cell], i: int, expect: bool) -> bool:
    """A 项目名称 label (`项目名称`, `项目名称:X`) starting its line, or the cell right after such a
    label on its line while the project name is still expected."""
    cell = cells[i]
    if cell.row_start:
        return bool(_PROJECT.match(cell.text))
    before = cells[i - 1]
    labelled = before.line == cell.line and bool(_PROJECT.match(before.text))
    return expect and labelled and not column_role(cell.text)


@lru_cache(maxsize=1)
def _info_labels() -> tuple[str, ...]:
    """The labels of the project block (cell_words.tsv, project_info) that may follow a department."""
    return tuple(fold(row[0]) for row in vocab.rows("cell_words.tsv") if row[1] == "project_info")


def _before_label(text: str) -> str:
    """Text after a project-block label up to the next label, where the block is run together
    (`青山区教育局项目执行单位化工区学校` → `青山区教育局`)."""
    ends = [k for w in _info_labels() if (k := text.find(w)) > 0]
    return text[: min(ends)] if ends else text


def department(cells: Sequence[Cell]) -> str:
    """The department after its label (up to the next label, see _before_label); none where the next
    cell is another label of the project block."""
    for i, cell in enumerate(cells):
        m = _DEPARTMENT.match(cell.text)
        if m:
            rest = _before_label(m.group(1).strip())
            nxt = cells[i + 1] if i + 1 < len(cells) else None
            if rest or nxt is None or nxt.text.startswith(_info_labels()):  # the label left empty
                return rest
            return nxt.raw
    return ""


def outside_rows(
    rows: list[Row], roles: Sequence[str], runs: Sequence[tuple[int, int]]
) -> tuple[list[Row], list[Row]]:
    """The rows, and apart the rows without a name that stand outside every table of a text with a
    header: before the first header, or in a project block (after a cell read as project info) before
    the next header (a breadcrumb `首页 > 信息公开`, a budget line `总额 3.36 100.00% 10 10`)."""
    if not runs:
        return rows, []
    starts = {a for a, _ in runs}
    inside = False
    outside: list[bool] = []
    for i, role in enumerate(roles):
        inside = True if i in starts else inside and role != "project_info"
        outside.append(not inside)
    apart = [r for r in rows if not r.name and outside[r.last]]
    return [r for r in rows if all(r is not a for a in apart)], apart
