"""Trusting the header over the model: where the header's columns explain a whole row, they give the
roles of its cells (decode.build_document applies this before assembling the rows)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from nlp.documents.table.features import fits, header_fits, header_runs, second_level_name
from nlp.documents.table.levels import level1_code, level2_code
from nlp.documents.table.reread import target_text
from nlp.documents.table.row import BARE_NUMBER, FIELDS, LEVEL_NAME, LEVELS, NOT_FIELDS, POINTS, VALUES
from nlp.documents.table.tokens import Cell


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
        fields = [i for i in row if columns[i] in FIELDS]
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
        named = header_fits("name", name, level2_column) > 0 and not target_text(name)  # not `10万元`
        if roles[names[0]] != "name" and not ((agreed or stated) and named):
            continue
        # only bare numbers: where the model read them all as 分值 | 得分, or the header has a 分值 | 得分
        # column there and the model read none as a target, they are points (a group heading, a row
        # without its 指标说明), not a target by the column order
        points = any(columns[i] in POINTS for i in fields) and not any(roles[i] in VALUES for i in fields)
        if not stated and (points or all(roles[i] in POINTS for i in fields)):
            continue
        unpointed = not any(columns[i] in POINTS for i in row)  # the row is short of its 分值 | 得分 columns
        for i in row:
            column = columns[i]
            if (
                roles[i] == "name"
                and column in VALUES
                and fits(column, cells[i]) < fits("name", cells[i])
                and (level2_column or not second_level_name(name))  # unless the name column holds a 二级 name
            ):
                continue  # a name the model read, under a target column it fits less (rows of two groups)
            if roles[i] in POINTS and column == "actual" and BARE_NUMBER.match(cells[i].text) and unpointed:
                continue  # a bare number the model read as 分值 | 得分 under 完成值: empty cells were skipped
            if (
                column in LEVELS
                and roles[i] in LEVELS
                and roles[i] != column
                and _only_level(roles[i], cells[i])
            ):
                continue  # a 一级 name under the 二级 column (a row that omits its merged 一级 cell), or back
            if column in (*FIELDS, "name") or (column in LEVELS and fits(column, cells[i]) > 0):
                out[i] = column
            elif column in NOT_FIELDS and roles[i] in LEVEL_NAME:
                out[i] = "other"  # a 指标描述/备注 cell under its column, not a second name
            elif column in NOT_FIELDS and roles[i] in FIELDS and any(columns[j] == roles[i] for j in row):
                out[i] = "other"  # a 指标解释 cell (`100%(计划标准)`), the row's target is in its own column
    return out


def _only_level(role: str, cell: Cell) -> bool:
    """A level cell that names a level of this rank only (`产出指标` is a 一级 name, no 二级 name)."""
    one, two = bool(level1_code(cell.text)), bool(level2_code(cell.text))
    return (one and not two) if role == "level1" else (two and not one)


def _states(column: str, text: str) -> bool:
    """A field cell that states more than a bare number: text, or a percentage under a target column
    (a 分值 | 得分 is a bare number)."""
    return not BARE_NUMBER.match(text) or (column in VALUES and text.endswith("%"))
