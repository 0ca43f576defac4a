"""Re-reading cells against their row, column and neighbours: a cell the model left `other` or misread
(a stated target, a 分值 | 得分, a name before its target, a level in context), so decode.py fills the rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nlp.documents.table.columns import column_role, ends_table
from nlp.documents.table.features import cell_word, fits
from nlp.documents.table.glued import target_word
from nlp.documents.table.levels import level1_code, level2_code, title_or_level
from nlp.documents.table.row import (
    BARE_NUMBER,
    CJK,
    LEVELS,
    NOT_A_VALUE,
    POINTS,
    VALUE_START,
    VALUES,
    Row,
    fake_name,
    repeats,
)
from nlp.documents.table.tokens import Cell
from nlp.values import parse_value

_TARGET_WORDS = 3  # at most this many Chinese characters in a target cell (unit, 以上): ≤7工作日
_CLAUSE_MARK = re.compile(r"[、,;。]")
_UNIT_MAX = 3  # characters: a cell this short that reads as a unit after a number is a unit
_MAX_WEIGHT = 100  # a 分值 is at most the table's total
_TARGET_MIN = 2  # characters of a target read from its place alone (a single digit aside)


def reread(
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
    (decode.rows_from_roles); "" for a cell to pass over."""
    cell = cells[i]
    column = columns[i] if i < len(columns) else ""
    nxt = cells[i + 1] if i + 1 < len(cells) else None
    if (
        column in VALUES
        and row is not None
        and row.name
        and column not in row.fields
        and not BARE_NUMBER.match(cell.text)  # a bare number the model left: 分值 | 得分 shifted left
    ):
        return column
    if previous == "name" and _before_target(cell, nxt, row, titles):
        return ""
    if column in ("", *VALUES) and previous == "name" and _stated_target(cell, row):
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
    if not column and previous in VALUES and _points_after_target(cells, i, row):
        return "weight"  # no header: one bare number after the target (`足额保障率 | =100% | 22.5`)
    if previous in VALUES and "weight" in titles and _points_line(cells, i, row):
        return "weight"  # the 分值 wrapped onto a line of its own (`…满意度 | 定性 | 高中低` then `5`)
    if previous in ("name", "value") and _target_then_actual(cells, roles, i, row, previous, titles):
        return "value" if previous == "name" else "actual"  # `红薯种植面积 | 5.5亩 | 5.5亩` the model left
    if previous in VALUES and {"weight", "score"} <= titles and _points_pair(cells, i, row):
        return "weight"  # the 分值 | 得分 pair after the row's values (`…满意度 | ≥80% | 100% | 5% | 5`)
    if previous == "weight" and "score" in titles and _score_after_weight(cells, i, row):
        return "score"
    return "other"


def _next_role(roles: Sequence[str], i: int) -> str:
    """The first role after cell i that is not `other` ("" at the end)."""
    return next((r for r in roles[i + 1 :] if r != "other"), "")


def in_context(cells: Sequence[Cell], roles: Sequence[str]) -> list[str]:
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
            and out[i - 1] in LEVELS
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
            and nxt in LEVELS
        ):
            out[i] = "other"
    return out


def _wrapped_level(cells: Sequence[Cell], roles: Sequence[str], i: int) -> bool:
    """Cell i, read as a name, is the first part of a 二级 cell wrapped over two lines (`服务对象` |
    `满意度指标`): no level name or title itself, followed by a level cell, the two together a 二级 name."""
    return roles[i] == "name" and i + 1 < len(cells) and roles[i + 1] in LEVELS and level_head(cells, i)


def level_head(cells: Sequence[Cell], i: int) -> bool:
    """Cell i is no level name or title, and with the next cell makes a 二级 name (see _wrapped_level)."""
    text = cells[i].text
    return i + 1 < len(cells) and not title_or_level(text) and bool(level2_code(text + cells[i + 1].text))


def _stated_target(cell: Cell | None, row: Row | None) -> bool:
    """A cell that states a target with its operator or unit (`=100%`, `≤10次`), or a one-word
    qualitative target (`提升`, nlp/data/target_words.txt), for a named row that has none yet."""
    if cell is None or row is None or set(row.fields) & set(VALUES):
        return False
    return target_text(cell) or target_word(cell.text)


def _row_end_target(
    cells: Sequence[Cell], roles: Sequence[str], i: int, row: Row | None, header: frozenset[str]
) -> bool:
    """See decode.rows_from_roles `header`: a cell that is no title, level or project label, of two or more
    characters or a digit, under a header with a target column (a bare number only without a 分值 |
    得分 column), before a level cell."""
    if "value" not in header or row is None or not row.name or set(row.fields) & set(VALUES):
        return False
    if i + 1 >= len(cells) or roles[i + 1] not in LEVELS:
        return False
    text = cells[i].text
    if column_role(text) or level1_code(text) or level2_code(text) or cell_word(text) or _runs_on(cells[i]):
        return False
    if len(text) < _TARGET_MIN and not text.isdigit():
        return False  # a piece of a cut sentence (`其`), not a target
    return not (BARE_NUMBER.match(text) and header & set(POINTS))


def _second_target(cells: Sequence[Cell], i: int, row: Row | None, has_period: bool) -> bool:
    """In a table of 中期 and 年度 targets side by side, a target stated after the row's name repeated
    on its line (`购买标准试剂 | ≥100个 | 购买标准试剂 | ≥100个`): the row's second target."""
    if not has_period or row is None or "value" not in row.fields or "period" in row.fields or i == 0:
        return False
    before = cells[i - 1]
    return before.line == cells[i].line and repeats(row, before) and target_text(cells[i])


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
    if not BARE_NUMBER.match(text) or "%" in text or cells[i].glued:
        return False  # a number cut out of run-together text may belong to the next words (`9` `月份发放`)
    if i + 1 < len(cells) and BARE_NUMBER.match(cells[i + 1].text):
        return False  # a run of numbers: actual, 分值, 得分
    number = parse_value(cells[i].raw).number
    targets = {parse_value(row.fields[k]).number for k in VALUES if k in row.fields}
    return number is not None and number <= _MAX_WEIGHT and number not in targets


def name_starting_line(cells: Sequence[Cell], i: int, row: Row | None) -> bool:
    """A cell read as a value that starts a line below a named row, reads as a name, states no value
    and has more cells on its line: it names the next row."""
    cell = cells[i]
    if row is None or not row.name or not cell.row_start or cell.line == row.line:
        return False
    more = i + 1 < len(cells) and cells[i + 1].line == cell.line
    return more and _names_a_row(cell) and parse_value(cell.raw).kind in NOT_A_VALUE


def _whole_value(cell: Cell) -> bool:
    """A cell that states a whole value (a number with its unit or operator), not words, a piece or a
    bare number (a 分值 | 得分)."""
    text = cell.text
    return (
        bool(VALUE_START.match(text))
        and not BARE_NUMBER.match(text)
        and parse_value(cell.raw).kind not in NOT_A_VALUE
    )


def second_value(cells: Sequence[Cell], i: int, row: Row, has_period: bool, titles: frozenset[str]) -> bool:
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
        not set(row.fields) & set(VALUES)
        and nxt is not None
        and nxt.line == cells[i].line
        and roles[i + 1] in ("other", "value", "actual")
        and _whole_value(nxt)
    )


def _number(cell: Cell) -> float | None:
    """The number of a bare number cell (`5`, `5%`, `22.5`), else None."""
    return parse_value(cell.raw).number if BARE_NUMBER.match(cell.text) else None


def _points_pair(cells: Sequence[Cell], i: int, row: Row | None) -> bool:
    """Two bare numbers on the line of a named row with a target or actual and no 分值, right after
    its last cell and not followed by a third: a 分值 of at most the total, then a 得分 not above it
    (see decode.rows_from_roles `header`: the header has 分值 and 得分 columns)."""
    if row is None or not row.name or set(row.fields) & set(POINTS) or not set(row.fields) & set(VALUES):
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
    with a target and no 分值 (see decode.rows_from_roles `header`: the header has a 分值 column)."""
    cell = cells[i]
    if row is None or not row.name or "weight" in row.fields or row.last != i - 1 or not cell.row_start:
        return False
    if i + 1 < len(cells) and not cells[i + 1].row_start:
        return False  # not alone on its line
    if not (set(row.fields) & set(VALUES)) or not BARE_NUMBER.match(cell.text) or "%" in cell.text:
        return False
    number = parse_value(cell.raw).number
    return number is not None and number <= _MAX_WEIGHT


def target_text(cell: Cell) -> bool:
    """A cell that states a target with its operator or unit, nothing more (see _stated_target)."""
    if not VALUE_START.match(cell.text):
        return False
    if BARE_NUMBER.match(cell.text):
        return False  # a 分值 or a number of unknown column
    if _CLAUSE_MARK.search(cell.text) or len(CJK.findall(cell.text)) > _TARGET_WORDS:
        return False  # running text that starts with a number (`10%、产出指标`), not a target cell
    value = parse_value(cell.raw)
    return value.kind not in NOT_A_VALUE and bool(value.op or value.unit)


def _names_a_row(cell: Cell) -> bool:
    """A cell that reads as an indicator name: Chinese text, no column title, unit, one-word target or
    number first."""
    text = cell.text
    if fits("name", cell) <= 0 or fake_name(cell.raw) or column_role(text) or VALUE_START.match(text):
        return False
    if target_word(text):
        return False  # a one-word target (`显著提升`), the row's value
    return not (len(text) <= _UNIT_MAX and parse_value(f"1{text}").unit)  # `≥50 | 厘米`


def points_only(
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
        number = parse_value(points.raw).number if BARE_NUMBER.match(points.text) else None
        if number is not None and number <= _MAX_WEIGHT and "%" not in points.text and _names_a_row(name):
            out[i], out[i + 1] = "name", "weight"
    return out


def no_run_on(cells: Sequence[Cell], roles: Sequence[str]) -> list[str]:
    """The roles with running text into the next row's level (`10%、产出指标`) read as no target."""
    return ["other" if role in VALUES and _runs_on(c) else role for c, role in zip(cells, roles, strict=True)]


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
        "weight" in header and bool(BARE_NUMBER.match(cell.text)) and cell.text.replace(".", "", 1).isdigit()
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
    if j < len(cells) and roles[j] in ("other", *POINTS) and _points_cell(cells[j], header):
        j += 1  # the 分值 between the name and its target (`水标尺宽度 | 10 | ≥50厘米`)
    if (
        row is None
        or not (set(row.fields) & set(VALUES) or ({"name", "value"} <= header and row.last < i - 1))
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
    return nxt in ("", *VALUES) and _stated_target(cells[j], Row(cells[i].line, "", "", "", name=text))
