"""Cell roles → indicator rows → a Document (nlp/schema.py records, the same fields as every reader).

A name cell starts a row (a name cut over several cells is joined); level cells set the 一级/二级
in force for the rows after them (merged cells are inherited); the other roles fill the fields of
the row in progress. A row whose name is a bare operator, number, unit, direction or standard word,
or that has values but no name, is kept with its raw text and the flag `unparsed`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from nlp import vocab
from nlp.documents.cells import row_indicator, split_body
from nlp.documents.common import Parts, ProjectDraft
from nlp.documents.prose import is_selfeval
from nlp.documents.table.columns import column_role, ends_table
from nlp.documents.table.features import (
    aligned_columns,
    cell_word,
    fits,
    header_fits,
    header_runs,
    second_level_name,
)
from nlp.documents.table.glued import target_word
from nlp.documents.table.header import title_roles
from nlp.documents.table.levels import level1_code, level2_code, title_or_level
from nlp.documents.table.places import inferred_columns
from nlp.documents.table.tokens import Cell, Tokens
from nlp.documents.table.totals import settle_points
from nlp.schema import Document, Indicator, Problem, Project
from nlp.textnorm import fold
from nlp.values import parse_value

_FIELDS = ("value", "period", "actual", "op", "unit", "weight", "score", "direction", "standard")
_VALUES = ("value", "period", "actual")
_POINTS = ("weight", "score")  # the 分值 | 得分 of a row
_LEVEL_NAME = ("level1", "level2", "name")
_LEVELS = ("level1", "level2")
_NOT_FIELDS = ("desc", "other", "standard")  # columns whose cells fill no field of a row
_PROJECT = re.compile(r"^(?:项目名称|专项名称|二级项目名称)[:：]?(.*)$")
_DEPARTMENT = re.compile(
    r"^(?:主管部门\(单位\)名称|(?:项目)?主管部门(?:及代码|及编码)?|部门\(单位\)名称)[:：]?(.*)$"
)
_YEAR = re.compile(r"(20\d{2})\s*年度?")
_BARE_NUMBER = re.compile(r"^[\d.,%]+$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_TARGET_WORDS = 3  # at most this many Chinese characters in a target cell (unit, 以上): ≤7工作日
_CLAUSE_MARK = re.compile(r"[、,;。]")
_VALUE_WORDS = 4  # at most this many Chinese characters in a value written as a name (unit, 以上)
_NOT_A_VALUE = ("qualitative", "unspecified")
_VALUE_START = re.compile(r"^[\d≥≤<>=]")  # a value as written: 15万元。 ≥20人 (not 围墙300米)
_UNIT_MAX = 3  # characters: a cell this short that reads as a unit after a number is a unit
_CUT_TAIL = 3  # a row ending this close to the end of the text was cut by the excerpt
_MAX_WEIGHT = 100  # a 分值 is at most the table's total
_TARGET_MIN = 2  # characters of a target read from its place alone (a single digit aside)


@dataclass
class Row:
    """One indicator row being built: its cells by role."""

    line: int
    level1: str
    level2: str
    project: str
    name: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    raws: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    last: int = 0


def fake_name(text: str) -> bool:
    """A name cell that cannot name an indicator: an operator, a bare number, a unit, a direction."""
    if not text or _BARE_NUMBER.match(text):
        return True
    if cell_word(text) in ("op", "unit", "direction", "standard"):
        return True
    folded = fold(text)
    short = len(_CJK.findall(folded)) <= _VALUE_WORDS  # 15万元。 ≥20人以上; not 1290.3平方米冷库仓储建设
    return short and bool(_VALUE_START.match(folded)) and parse_value(text).kind not in _NOT_A_VALUE


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
    target column, a name and its stated target the model left (see _unread_name) start a row after
    a name read without a target too, when other cells stand between them.
    """
    rows: list[Row] = []
    roles = _in_context(cells, roles)
    full_row = _starts_full_row(cells)
    opened = min((b for _, b in header_runs(cells)), default=len(cells))  # the header is in force after it
    roles = _no_run_on(cells, roles)
    roles = _points_only(cells, roles, opened, header)
    places = inferred_columns(cells, roles)
    level1 = level2 = project = ""
    expect_project = False
    row: Row | None = None
    previous = ""

    def flush() -> None:
        nonlocal row
        if row is not None and (row.name or set(row.fields) & set(_VALUES)):
            rows.append(row)
        row = None

    for i, (cell, role) in enumerate(zip(cells, roles, strict=True)):
        column = columns[i] if i < len(columns) else ""
        titles = header if i > opened else frozenset()
        repeated = role in _LEVEL_NAME or (role != "other" and column in _NOT_FIELDS)
        if repeated and _repeats(row, cell):
            continue  # the name or level again on its row: a 指标描述 column, or a second group (中期 | 年度)
        if role == "other" and places[i] and row is not None and row.name and places[i] not in row.fields:
            role = places[i]  # no header: the field the model read at this place of the other rows
        if role in _LEVELS and column in _NOT_FIELDS and not title_or_level(cell.text):
            role = "other"  # a 指标说明 cell read as a level that names none: the level in force stands
        if role in _VALUES and _name_starting_line(cells, i, row):
            role = "name"  # `★补助各类瓜果蔬菜种植面积 | 10 | 10` read as the row above's actual
        if role == "other" and _project_label(cells, i, expect_project):
            role = "project_info"  # `项目名称 | 办案业务费` the model left after a table: the next project
        if role == "other":
            role = _reread(cells, roles, columns, i, row, previous, has_period, titles)
            if not role:
                continue  # a unit or 分值 between a name and its target: the name's target is still expected
        if role == "project_info" or (column == "project" and role == "other"):
            flush()
            project, expect_project = _project(cell, column, project, expect_project)
        elif role == "header":
            flush()
            expect_project = False
        elif role == "level1":
            flush()
            level1, level2 = cell.raw, ""
        elif role == "level2":
            flush()
            head = i > 0 and roles[i - 1] == "other" and _level_head(cells, i - 1)
            level2 = cells[i - 1].raw + cell.raw if head else cell.raw
        elif role == "name":
            if row is not None and row.name and not row.fields and previous == "name" and not full_row[i]:
                row.name += cell.raw  # a name cut over several cells (wrapped line, page break)
            else:
                flush()
                row = Row(cell.line, level1, level2, project, name=cell.raw)
            row.raws.append(cell.raw)
            row.last = i
        elif role in _FIELDS:
            if row is None:
                row = Row(cell.line, level1, level2, project)
            row.raws.append(cell.raw)
            row.last = i
            if role == "value" and _second_value(cells, i, row, has_period, titles):
                role = "actual"  # target then actual, the model read both as targets (`5.5亩 | 5.5亩`)
            if role == "value" and "value" in row.fields and has_period and "period" not in row.fields:
                row.fields["period"] = row.fields.pop("value")  # 中期 | 年度 side by side
            if role not in row.fields:
                row.fields[role] = cell.raw
            elif previous == role and role in _VALUES:
                row.fields[role] += cell.raw  # a value cut over two cells
            else:
                row.extra.append(cell.raw)
        if role != "other" or (row is not None and previous == "name"):
            previous = role
    flush()
    return rows


def _reread(
    cells: Sequence[Cell],
    roles: Sequence[str],
    columns: Sequence[str],
    i: int,
    row: Row | None,
    previous: str,
    has_period: bool,
    titles: frozenset[str],
) -> str:
    """The role of a cell the model left `other`, read against its column and the row so far
    (rows_from_roles); "" for a cell to pass over."""
    cell = cells[i]
    column = columns[i] if i < len(columns) else ""
    nxt = cells[i + 1] if i + 1 < len(cells) else None
    if (
        column in _VALUES
        and row is not None
        and row.name
        and column not in row.fields
        and not _BARE_NUMBER.match(cell.text)  # a bare number the model left: 分值 | 得分 shifted left
    ):
        return column
    if previous == "name" and _before_target(cell, nxt, row, titles):
        return ""
    if column in ("", *_VALUES) and previous == "name" and _stated_target(cell, row):
        return "value"  # a target as written right after its name (`足额保障率 | =100%`)
    if previous == "name" and _row_end_target(cells, roles, i, row, titles):
        return "value"  # the last cell of a named row without a target, before the next row's level
    if _second_target(cells, i, row, has_period):
        return "value"  # the 年度 target after the 中期 one (the first moves to period below)
    if column == "name" and i == len(cells) - 1 and _names_a_row(cell):
        return "name"  # the text ends inside a row, after its name (`开展质`): kept, flagged truncated
    if column in ("", "name") and _unread_name(cells, roles, columns, i, row, titles):
        return "name"  # before a stated target, after a row read whole (`22.5 | 科目调整次数 | ≤10次`)
    if not column and not titles and previous == "name" and _lone_cell(cells, roles, i, row):
        return "value"  # no header: the one cell between a name and the next row (`安排数量 | 2`)
    if not column and previous in _VALUES and _points_after_target(cells, i, row):
        return "weight"  # no header: one bare number after the target (`足额保障率 | =100% | 22.5`)
    if previous in _VALUES and "weight" in titles and _points_line(cells, i, row):
        return "weight"  # the 分值 wrapped onto a line of its own (`…满意度 | 定性 | 高中低` then `5`)
    if previous in ("name", "value") and _target_then_actual(cells, roles, i, row, previous, titles):
        return "value" if previous == "name" else "actual"  # `红薯种植面积 | 5.5亩 | 5.5亩` the model left
    if previous in _VALUES and {"weight", "score"} <= titles and _points_pair(cells, i, row):
        return "weight"  # the 分值 | 得分 pair after the row's values (`…满意度 | ≥80% | 100% | 5% | 5`)
    if previous == "weight" and "score" in titles and _score_after_weight(cells, i, row):
        return "score"
    return "other"


def _next_role(roles: Sequence[str], i: int) -> str:
    """The first role after cell i that is not `other` ("" at the end)."""
    return next((r for r in roles[i + 1 :] if r != "other"), "")


def _in_context(cells: Sequence[Cell], roles: Sequence[str]) -> list[str]:
    """Level and name roles read against the level cells around them:
    - a name that is a 二级 name, right after a level cell and followed by a cell left unread that
      reads as a name, is the 二级 of that name (`满意度指标(10分) | 满意度指标 | 公众满`);
    - a 一级 cell that is also a 二级 name of the 一级 in force, followed by a name and no 二级 cell of
      its own, is that 二级 (成本指标 under 产出指标: 14-成本指标);
    - a 二级 cell followed by another 二级 cell, with no name between, is the 一级 where it names one
      and is no 二级 of the 一级 in force (`满意度指标 | 满意度指标` under 效益指标);
    - a name ending the line of its 一级 cell, followed by a level cell, is the rest of a heading line
      (`1.产出指标完成情况分析。` then `(1)数量指标。`), not a row;
    - a name that is the start of the 二级 cell after it (see _wrapped_level) is no row."""
    out = ["other" if _wrapped_level(cells, roles, i) else r for i, r in enumerate(roles)]
    for i in range(1, len(cells) - 1):
        if (
            out[i] == "name"
            and level2_code(cells[i].text)
            and out[i - 1] in _LEVELS
            and out[i + 1] == "other"
            and _names_a_row(cells[i + 1])
        ):
            out[i], out[i + 1] = "level2", "name"
    roles = list(out)
    level1 = ""
    for i, (cell, role) in enumerate(zip(cells, roles, strict=True)):
        nxt = _next_role(roles, i)
        if role == "level1":
            own, two = level1_code(cell.text), level2_code(cell.text, level1 or None)
            if level1 and two and two[0] == level1[0] and own and own[0] != level1[0] and nxt == "name":
                out[i] = "level2"
            else:
                level1 = own or level1
        elif role == "level2" and nxt == "level2" and (own := level1_code(cell.text)) and own != level1:
            two = level2_code(cell.text, level1 or None)
            if not (level1 and two and two[0] == level1[0]):  # 成本指标 twice under 产出指标: the 二级
                out[i], level1 = "level1", own
        elif (
            role == "name"
            and i > 0
            and roles[i - 1] == "level1"
            and cells[i - 1].line == cell.line
            and (i + 1 == len(cells) or cells[i + 1].line != cell.line)
            and nxt in _LEVELS
        ):
            out[i] = "other"
    return out


def _wrapped_level(cells: Sequence[Cell], roles: Sequence[str], i: int) -> bool:
    """Cell i, read as a name, is the first part of a 二级 cell wrapped over two lines (`服务对象` |
    `满意度指标`): no level name or title itself, followed by a level cell, the two together a 二级 name."""
    return roles[i] == "name" and i + 1 < len(cells) and roles[i + 1] in _LEVELS and _level_head(cells, i)


def _level_head(cells: Sequence[Cell], i: int) -> bool:
    """Cell i is no level name or title, and with the next cell makes a 二级 name (see _wrapped_level)."""
    text = cells[i].text
    return i + 1 < len(cells) and not title_or_level(text) and bool(level2_code(text + cells[i + 1].text))


def _project(cell: Cell, column: str, project: str, expect: bool) -> tuple[str, bool]:
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


def _project_label(cells: Sequence[Cell], i: int, expect: bool) -> bool:
    """A 项目名称 label (`项目名称`, `项目名称:X`) starting its line, or the cell right after such a
    label on its line while the project name is still expected."""
    cell = cells[i]
    if cell.row_start:
        return bool(_PROJECT.match(cell.text))
    before = cells[i - 1]
    labelled = before.line == cell.line and bool(_PROJECT.match(before.text))
    return expect and labelled and not column_role(cell.text)


def _stated_target(cell: Cell | None, row: Row | None) -> bool:
    """A cell that states a target with its operator or unit (`=100%`, `≤10次`), or a one-word
    qualitative target (`提升`, nlp/data/target_words.txt), for a named row that has none yet."""
    if cell is None or row is None or set(row.fields) & set(_VALUES):
        return False
    return _target_text(cell) or target_word(cell.text)


def _row_end_target(
    cells: Sequence[Cell], roles: Sequence[str], i: int, row: Row | None, header: frozenset[str]
) -> bool:
    """See rows_from_roles `header`: a cell that is no title, level or project label, of two or more
    characters or a digit, under a header with a target column (a bare number only without a 分值 |
    得分 column), before a level cell."""
    if "value" not in header or row is None or not row.name or set(row.fields) & set(_VALUES):
        return False
    if i + 1 >= len(cells) or roles[i + 1] not in _LEVELS:
        return False
    text = cells[i].text
    if column_role(text) or level1_code(text) or level2_code(text) or cell_word(text) or _runs_on(cells[i]):
        return False
    if len(text) < _TARGET_MIN and not text.isdigit():
        return False  # a piece of a cut sentence (`其`), not a target
    return not (_BARE_NUMBER.match(text) and header & set(_POINTS))


def _second_target(cells: Sequence[Cell], i: int, row: Row | None, has_period: bool) -> bool:
    """In a table of 中期 and 年度 targets side by side, a target stated after the row's name repeated
    on its line (`购买标准试剂 | ≥100个 | 购买标准试剂 | ≥100个`): the row's second target."""
    if not has_period or row is None or "value" not in row.fields or "period" in row.fields or i == 0:
        return False
    before = cells[i - 1]
    return before.line == cells[i].line and _repeats(row, before) and _target_text(cells[i])


def _lone_cell(cells: Sequence[Cell], roles: Sequence[str], i: int, row: Row | None) -> bool:
    """The one cell the model left between a named row without fields and the next level or name
    cell, no column title, level name or project label: the row's target."""
    if row is None or not row.name or row.fields or row.last != i - 1:
        return False
    if i + 1 >= len(cells) or roles[i + 1] not in ("level1", "level2", "name"):
        return False
    text = cells[i].text
    return not (title_or_level(text) or cell_word(text) == "project_info" or ends_table(text))


def _points_after_target(cells: Sequence[Cell], i: int, row: Row | None) -> bool:
    """A bare number of at most the table's total, a cell of its own right after a named row's target
    on its line, not followed by another bare number (a run of numbers may be actual, 分值 and 得分)
    and not the target's own number (an actual written without its unit): the row's 分值."""
    text = cells[i].text
    if row is None or not row.name or "weight" in row.fields or row.last != i - 1 or cells[i].row_start:
        return False
    if not _BARE_NUMBER.match(text) or "%" in text or cells[i].glued:
        return False  # a number cut out of run-together text may belong to the next words (`9` `月份发放`)
    if i + 1 < len(cells) and _BARE_NUMBER.match(cells[i + 1].text):
        return False  # a run of numbers: actual, 分值, 得分
    number = parse_value(cells[i].raw).number
    targets = {parse_value(row.fields[k]).number for k in _VALUES if k in row.fields}
    return number is not None and number <= _MAX_WEIGHT and number not in targets


def _name_starting_line(cells: Sequence[Cell], i: int, row: Row | None) -> bool:
    """A cell read as a value that starts a line below a named row, reads as a name, states no value
    and has more cells on its line: it names the next row."""
    cell = cells[i]
    if row is None or not row.name or not cell.row_start or cell.line == row.line:
        return False
    more = i + 1 < len(cells) and cells[i + 1].line == cell.line
    return more and _names_a_row(cell) and parse_value(cell.raw).kind in _NOT_A_VALUE


def _whole_value(cell: Cell) -> bool:
    """A cell that states a whole value (a number with its unit or operator), not words, a piece or a
    bare number (a 分值 | 得分)."""
    text = cell.text
    return (
        bool(_VALUE_START.match(text))
        and not _BARE_NUMBER.match(text)
        and parse_value(cell.raw).kind not in _NOT_A_VALUE
    )


def _second_value(cells: Sequence[Cell], i: int, row: Row, has_period: bool, titles: frozenset[str]) -> bool:
    """A second whole value read as the target, on the line of a row that has its target and no actual,
    under a header with a target and an actual column (and one target column): the actual."""
    if has_period or "actual" not in titles or "value" not in row.fields or "actual" in row.fields:
        return False
    same_line = i > 0 and cells[i - 1].line == cells[i].line == row.line
    return same_line and _whole_value(cells[i])


def _target_then_actual(
    cells: Sequence[Cell],
    roles: Sequence[str],
    i: int,
    row: Row | None,
    previous: str,
    titles: frozenset[str],
) -> bool:
    """Under a header with a target and an actual column, whole values the model left on a named row's
    line: right after the name, followed by another value, the target; right after the target, the
    actual."""
    if row is None or not row.name or not {"value", "actual"} <= titles or row.last != i - 1:
        return False
    if cells[i].line != row.line or not _whole_value(cells[i]):
        return False
    if previous == "value":
        return "value" in row.fields and "actual" not in row.fields
    nxt = cells[i + 1] if i + 1 < len(cells) else None
    return (
        not set(row.fields) & set(_VALUES)
        and nxt is not None
        and nxt.line == cells[i].line
        and roles[i + 1] in ("other", "value", "actual")
        and _whole_value(nxt)
    )


def _number(cell: Cell) -> float | None:
    """The number of a bare number cell (`5`, `5%`, `22.5`), else None."""
    return parse_value(cell.raw).number if _BARE_NUMBER.match(cell.text) else None


def _points_pair(cells: Sequence[Cell], i: int, row: Row | None) -> bool:
    """Two bare numbers on the line of a named row with a target or actual and no 分值, right after
    its last cell and not followed by a third: a 分值 of at most the total, then a 得分 not above it
    (see rows_from_roles `header`: the header has 分值 and 得分 columns)."""
    if row is None or not row.name or set(row.fields) & set(_POINTS) or not set(row.fields) & set(_VALUES):
        return False
    if row.last != i - 1 or i + 1 >= len(cells) or cells[i + 1].line != cells[i].line or cells[i].row_start:
        return False
    third = cells[i + 2] if i + 2 < len(cells) and cells[i + 2].line == cells[i].line else None
    weight, score = _number(cells[i]), _number(cells[i + 1])
    if weight is None or score is None or (third is not None and _number(third) is not None):
        return False
    return score <= weight <= _MAX_WEIGHT


def _score_after_weight(cells: Sequence[Cell], i: int, row: Row | None) -> bool:
    """A bare number right after the 分值 read by _points_pair, not above it: the row's 得分."""
    if row is None or "weight" not in row.fields or "score" in row.fields or row.last != i - 1:
        return False
    score, weight = _number(cells[i]), parse_value(row.fields["weight"]).number
    return score is not None and weight is not None and score <= weight and cells[i].line == cells[i - 1].line


def _points_line(cells: Sequence[Cell], i: int, row: Row | None) -> bool:
    """A bare number of at most the total alone on its line, right after the last cell of a named row
    with a target and no 分值 (see rows_from_roles `header`: the header has a 分值 column)."""
    cell = cells[i]
    if row is None or not row.name or "weight" in row.fields or row.last != i - 1 or not cell.row_start:
        return False
    if i + 1 < len(cells) and not cells[i + 1].row_start:
        return False  # not alone on its line
    if not (set(row.fields) & set(_VALUES)) or not _BARE_NUMBER.match(cell.text) or "%" in cell.text:
        return False
    number = parse_value(cell.raw).number
    return number is not None and number <= _MAX_WEIGHT


def _target_text(cell: Cell) -> bool:
    """A cell that states a target with its operator or unit, nothing more (see _stated_target)."""
    if not _VALUE_START.match(cell.text):
        return False
    if _BARE_NUMBER.match(cell.text):
        return False  # a 分值 or a number of unknown column
    if _CLAUSE_MARK.search(cell.text) or len(_CJK.findall(cell.text)) > _TARGET_WORDS:
        return False  # running text that starts with a number (`10%、产出指标`), not a target cell
    value = parse_value(cell.raw)
    return value.kind not in _NOT_A_VALUE and bool(value.op or value.unit)


def _names_a_row(cell: Cell) -> bool:
    """A cell that reads as an indicator name: Chinese text, no column title, unit, one-word target or
    number first."""
    text = cell.text
    if fits("name", cell) <= 0 or fake_name(cell.raw) or column_role(text) or _VALUE_START.match(text):
        return False
    if target_word(text):
        return False  # a one-word target (`显著提升`), the row's value
    return not (len(text) <= _UNIT_MAX and parse_value(f"1{text}").unit)  # `≥50 | 厘米`


def _points_only(
    cells: Sequence[Cell], roles: Sequence[str], opened: int, header: frozenset[str]
) -> list[str]:
    """A line of two cells the model left unread, under a header with a name and a 分值 column: a cell
    that reads as a name, then a bare number of at most the total, is a row stating its name and
    分值 and no target (its empty cells are no cells): `规章制度建立与否 | 20`."""
    out = list(roles)
    if not {"name", "weight"} <= header:
        return out
    for i in range(opened + 1, len(cells) - 1):
        name, points = cells[i], cells[i + 1]
        alone = name.row_start and (i + 2 == len(cells) or cells[i + 2].row_start)
        if not alone or points.row_start or roles[i] != "other" or roles[i + 1] != "other":
            continue
        number = parse_value(points.raw).number if _BARE_NUMBER.match(points.text) else None
        if number is not None and number <= _MAX_WEIGHT and "%" not in points.text and _names_a_row(name):
            out[i], out[i + 1] = "name", "weight"
    return out


def _no_run_on(cells: Sequence[Cell], roles: Sequence[str]) -> list[str]:
    """The roles with running text into the next row's level (`10%、产出指标`) read as no target."""
    return [
        "other" if role in _VALUES and _runs_on(c) else role for c, role in zip(cells, roles, strict=True)
    ]


def _runs_on(cell: Cell) -> bool:
    """A cell of running text that ends, after a clause mark, with a level name (`10%、产出指标`)."""
    parts = _CLAUSE_MARK.split(cell.text)
    return len(parts) > 1 and bool(level1_code(parts[-1]) or level2_code(parts[-1]))


def _before_target(cell: Cell, nxt: Cell | None, row: Row | None, header: frozenset[str]) -> bool:
    """A cell between a name and the target stated after it: the unit of the name standing apart
    (`及时率 | % | =99百分比`), or its 分值 where the header has that column (`宽度 | 10 | ≥50厘米`),
    kept in the row."""
    if row is None or not _stated_target(nxt, row):
        return False
    if cell_word(cell.text) == "unit":
        return True
    if _points_cell(cell, header):
        row.fields.setdefault("weight", cell.raw)
        row.raws.append(cell.raw)
        return True
    return False


def _points_cell(cell: Cell, header: frozenset[str]) -> bool:
    """A bare number that can be a 分值, under a header with a 分值 column."""
    return (
        "weight" in header and bool(_BARE_NUMBER.match(cell.text)) and cell.text.replace(".", "", 1).isdigit()
    )


def _unread_name(
    cells: Sequence[Cell],
    roles: Sequence[str],
    columns: Sequence[str],
    i: int,
    row: Row | None,
    header: frozenset[str] = frozenset(),
) -> bool:
    """A cell the model left `other` that names the next row: it reads as a name (no column title, no
    unit, no number first), the row before it has a target (or, under a header with a name and a
    target column, ended cells before), and the next cell (past a 分值 where the header has that
    column first), also left `other` and under no other column, states a target with its operator or
    unit."""
    j = i + 1
    if j < len(cells) and roles[j] in ("other", *_POINTS) and _points_cell(cells[j], header):
        j += 1  # the 分值 between the name and its target (`水标尺宽度 | 10 | ≥50厘米`)
    if (
        row is None
        or not (set(row.fields) & set(_VALUES) or ({"name", "value"} <= header and row.last < i - 1))
        or j >= len(cells)
        or roles[j] not in ("other", "value")
    ):
        return False
    if roles[j] == "value" and j == i + 1:
        return False  # the model read the target: it would have read the name too, were it one
    text = cells[i].text
    if not _names_a_row(cells[i]):
        return False
    nxt = columns[j] if j < len(columns) else ""
    return nxt in ("", *_VALUES) and _stated_target(cells[j], Row(cells[i].line, "", "", "", name=text))


def _starts_full_row(cells: Sequence[Cell]) -> list[bool]:
    """Cells that start a row of several cells: no name wrapped from the row before continues there."""
    out = [False] * len(cells)
    for i, c in enumerate(cells):
        nxt = cells[i + 1] if i + 1 < len(cells) else None
        out[i] = c.row_start and nxt is not None and not nxt.row_start and nxt.line == c.line
    return out


def trust_header(cells: Sequence[Cell], roles: Sequence[str], columns: Sequence[str]) -> list[str]:
    """Where the header's columns explain a whole row (one cell under the name column that the model
    calls a name, or that reads as one in a row stating more than bare numbers or where the model
    found a field where the header has it; every other cell fits the field it sits under: a number
    under 分值, a value under 年度指标值 …), the columns give the roles of that row; elsewhere the
    model's roles stand. A header row is no row of the header before it (a second table's header)."""
    out = list(roles)
    starts = [i for i, c in enumerate(cells) if c.row_start] + [len(cells)]
    level2_column = "level2" in columns
    titled = {i for first, last in header_runs(cells) for i in range(first, last + 1)}
    for a, b in pairwise(starts):
        row = range(a, min(b, len(columns)))
        if titled.intersection(row):
            continue
        names = [i for i in row if columns[i] == "name"]
        fields = [i for i in row if columns[i] in _FIELDS]
        fitting = all(header_fits(columns[i], cells[i], level2_column) > 0 for i in fields)
        if len(names) != 1 or not fields or not fitting:
            continue
        # the model missed the name: the header decides if the model read a field where the header
        # has it, or if the row states more than bare numbers (a heading with its 分值 | 得分 does not)
        agreed = any(roles[i] == columns[i] for i in fields)
        stated = any(_states(columns[i], cells[i].text) for i in fields)
        name = cells[names[0]]
        if roles[names[0]] == "header":
            continue  # a header row repeated over a second table: its titles name no row
        named = header_fits("name", name, level2_column) > 0 and not _target_text(name)  # not `10万元`
        if roles[names[0]] != "name" and not ((agreed or stated) and named):
            continue
        # only bare numbers: where the model read them all as 分值 | 得分, or the header has a 分值 | 得分
        # column there and the model read none as a target, they are points (a group heading, a row
        # without its 指标说明), not a target by the column order
        points = any(columns[i] in _POINTS for i in fields) and not any(roles[i] in _VALUES for i in fields)
        if not stated and (points or all(roles[i] in _POINTS for i in fields)):
            continue
        unpointed = not any(columns[i] in _POINTS for i in row)  # the row is short of its 分值 | 得分 columns
        for i in row:
            column = columns[i]
            if (
                roles[i] == "name"
                and column in _VALUES
                and fits(column, cells[i]) < fits("name", cells[i])
                and (level2_column or not second_level_name(name))  # unless the name column holds a 二级 name
            ):
                continue  # a name the model read, under a target column it fits less (rows of two groups)
            if roles[i] in _POINTS and column == "actual" and _BARE_NUMBER.match(cells[i].text) and unpointed:
                continue  # a bare number the model read as 分值 | 得分 under 完成值: empty cells were skipped
            if (
                column in _LEVELS
                and roles[i] in _LEVELS
                and roles[i] != column
                and _only_level(roles[i], cells[i])
            ):
                continue  # a 一级 name under the 二级 column (a row that omits its merged 一级 cell), or back
            if column in (*_FIELDS, "name") or (column in _LEVELS and fits(column, cells[i]) > 0):
                out[i] = column
            elif column in _NOT_FIELDS and roles[i] in _LEVEL_NAME:
                out[i] = "other"  # a 指标描述/备注 cell under its column, not a second name
            elif column in _NOT_FIELDS and roles[i] in _FIELDS and any(columns[j] == roles[i] for j in row):
                out[i] = "other"  # a 指标解释 cell (`100%(计划标准)`), the row's target is in its own column
    return out


def _only_level(role: str, cell: Cell) -> bool:
    """A level cell that names a level of this rank only (`产出指标` is a 一级 name, no 二级 name)."""
    one, two = bool(level1_code(cell.text)), bool(level2_code(cell.text))
    return (one and not two) if role == "level1" else (two and not one)


def _states(column: str, text: str) -> bool:
    """A field cell that states more than a bare number: text, or a percentage under a target column
    (a 分值 | 得分 is a bare number)."""
    return not _BARE_NUMBER.match(text) or (column in _VALUES and text.endswith("%"))


def _repeats(row: Row | None, cell: Cell) -> bool:
    """A level or name cell that repeats, on the row's own line, the row's name or level."""
    if row is None or not row.name or cell.line != row.line or cell.row_start:
        return False
    return fold(cell.raw).replace(" ", "") in {
        fold(t).replace(" ", "") for t in (row.name, row.level2, row.level1)
    }


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


def drop_fake_names(document: Document) -> Document:
    """The document whose rows named by a bare operator, number, unit or standard word (any reader's)
    lose the name and are flagged unparsed (the raw text stays), so that no output row is a fake
    indicator."""
    problems: list[Problem] = []

    def checked(ind: Indicator) -> Indicator:
        if not (ind.name and fake_name(ind.name)):
            return ind
        problems.append(Problem(document.path, ind.line, f"not an indicator name: {ind.name}"))
        return replace(ind, name="", flags=ind.flags if "unparsed" in ind.flags else (*ind.flags, "unparsed"))

    projects = tuple(replace(p, indicators=tuple(map(checked, p.indicators))) for p in document.projects)
    if not problems:
        return document
    return replace(document, projects=projects, problems=(*document.problems, *problems))


def _heading(ind: Indicator, nxt: Indicator | None) -> bool:
    """A group heading: a name with its 分值 (and 得分) but no target or actual, whose next row has a
    target and no 分值 of its own (`★补助各类粮食作物种植面积 10 10`, then its rows)."""
    if ind.annual_value or ind.period_value or ind.actual_value or ind.weight is None:
        return False
    return nxt is not None and bool(nxt.annual_value or nxt.period_value) and nxt.weight is None


def _inherit_raw_levels(ind: Indicator, heading: Indicator) -> Indicator:
    """The row after a dropped heading keeps the level cells written on the heading's line."""
    same = ind.level1 == heading.level1 and ind.level2 == heading.level2
    return replace(
        ind,
        level1_raw=ind.level1_raw or (heading.level1_raw if same else ""),
        level2_raw=ind.level2_raw or (heading.level2_raw if same else ""),
    )


def drop_group_headings(document: Document) -> Document:
    """The document without its group headings (see `_heading`; any reader's), each one kept as a
    problem naming its line and text, so that a heading's 分值 | 得分 is never read as an indicator."""
    problems: list[Problem] = []
    projects = []
    for p in document.projects:
        inds = list(p.indicators)
        kept: list[Indicator] = []
        heading: Indicator | None = None
        for i, nxt in zip(inds, [*inds[1:], None], strict=True):
            if _heading(i, nxt):
                problems.append(
                    Problem(document.path, i.line, f"group heading, not an indicator: {i.raw[:80]}")
                )
                heading = i
            else:
                kept.append(_inherit_raw_levels(i, heading) if heading is not None else i)
                heading = None
        renumbered = tuple(replace(i, seq=n) for n, i in enumerate(kept, 1))
        projects.append(replace(p, indicators=renumbered) if len(kept) < len(inds) else p)
    if not problems:
        return document
    return replace(document, projects=tuple(projects), problems=(*document.problems, *problems))


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


@lru_cache(maxsize=1)
def _info_labels() -> tuple[str, ...]:
    """The labels of the project block (cell_words.tsv, project_info) that may follow a department."""
    return tuple(fold(row[0]) for row in vocab.rows("cell_words.tsv") if row[1] == "project_info")


def _before_label(text: str) -> str:
    """Text after a project-block label up to the next label, where the block is run together
    (`青山区教育局项目执行单位化工区学校` → `青山区教育局`)."""
    ends = [k for w in _info_labels() if (k := text.find(w)) > 0]
    return text[: min(ends)] if ends else text


def _department(cells: Sequence[Cell]) -> str:
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


def _outside_rows(
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


def build_document(path: str, tokens: Tokens, roles: Sequence[str]) -> Document | None:
    """The Document of a table read by roles; None when no indicator row was found."""
    titles = title_roles(tokens.cells)
    runs = header_runs(tokens.cells)
    has_period = any(sum(1 for r in titles[a : b + 1] if r == "value") >= 2 for a, b in runs)
    columns = aligned_columns(tokens.cells, level_names=True)
    roles = trust_header(tokens.cells, roles, columns)
    header = frozenset(r for a, b in runs for r in titles[a : b + 1] if r)
    rows = rows_from_roles(tokens.cells, roles, has_period, columns, header)
    rows, outside = _outside_rows(rows, roles, runs)
    if not rows:
        return None
    _points(rows, set(header))
    settle_points(rows, tokens.cells, runs, titles)
    if not runs and is_selfeval(split_body(tokens.text)):
        _selfeval_actuals(rows)
    year = _YEAR.search(tokens.text)
    document = Document(
        path=path,
        doc=Path(path).stem,
        layout=f"table:{tokens.separator}",
        department=_department(tokens.cells),
        year=int(year.group(1)) if year else None,
        source=tokens.source,
    )
    parts = Parts()
    for row in outside:
        what = f"cells outside the indicator tables, not a row: {' | '.join(row.raws)[:80]}"
        parts.problems.append(Problem(path, row.line, what))
    drafts: list[ProjectDraft] = []
    end = len(tokens.cells)
    for n, row in enumerate(rows):
        if not drafts or (row.project and row.project != drafts[-1].head.project):
            head = Project(
                doc=document.doc,
                project_id=f"{document.doc}-{len(drafts) + 1:03d}",
                project=row.project,
                department=document.department,
                year=document.year,
                line=row.line,
            )
            drafts.append(ProjectDraft(head))
        current = drafts[-1]
        cut = n == len(rows) - 1 and row.last >= end - _CUT_TAIL
        ind = _indicator(document.doc, current.head.project_id, len(current.indicators) + 1, row, cut)
        current.indicators.append(ind)
        if "unparsed" in ind.flags:
            parts.problems.append(Problem(path, row.line, f"row not fully read: {ind.raw[:80]}"))
        elif "truncated" in ind.flags:
            parts.problems.append(Problem(path, row.line, f"excerpt cut inside a row: {ind.raw[:80]}"))
    parts.projects = [draft.build() for draft in drafts]
    return parts.build(document)
