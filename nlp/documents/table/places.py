"""Columns of a table without a header, inferred from the cells' roles.

Before the first header row (in a table without one), a row is its name cell and the cells after it
up to the next level, name or project cell (or the next source row, or running text). When most rows
have as many cells after their name, each place after the name (the 1st, 2nd … cell) is a column:
if the model gave one field role (target, actual, 分值 …) to the cells at that place in some rows and
no other role in any row, the cells it left `other` there are read as that field where they fit it
(features.fits) and their row has none. So a table whose 三级 column repeats its target text
(`美化环境。 | 美化环境。 | 美化环境。`) takes its targets and actuals from the rows whose values
the model did read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from nlp.documents.table.features import fits, header_runs
from nlp.documents.table.tokens import Cell

_FIELDS = ("value", "period", "actual", "op", "unit", "weight", "score", "direction", "standard")
_ENDS = ("level1", "level2", "name", "header", "project_info")  # roles that end a row's cells
_MIN_ROWS = 2  # rows of the common length that make the table regular


def _rows(cells: Sequence[Cell], roles: Sequence[str]) -> list[list[int]]:
    """The cells after each name cell before the first header row, up to the end of its row."""
    rows: list[list[int]] = []
    first = min((a for a, _ in header_runs(cells)), default=len(cells))
    for i, role in enumerate(roles[:first]):
        if role != "name" or (i + 1 < first and roles[i + 1] == "name"):
            continue  # a name cut over several cells and not ended yet
        after: list[int] = []
        for j in range(i + 1, first):
            if roles[j] in _ENDS or cells[j].row_start or cells[j].prose:
                break
            after.append(j)
        rows.append(after)
    return rows


def inferred_columns(cells: Sequence[Cell], roles: Sequence[str]) -> list[str]:
    """For each cell the model left `other` before any header row, the field its place after
    the row's name holds in the other rows (see the module docstring); "" elsewhere."""
    out = [""] * len(cells)
    rows = _rows(cells, roles)
    lengths = Counter(len(r) for r in rows if r)
    if not lengths:
        return out
    width, count = lengths.most_common(1)[0]
    if count < _MIN_ROWS or 2 * count < len(rows):
        return out  # rows of every length: running text, no columns
    for place in range(width):
        at = [r[place] for r in rows if len(r) > place]
        read = {roles[j] for j in at if roles[j] != "other"}
        if len(read) != 1 or not read <= set(_FIELDS):
            continue
        field = read.pop()
        for row in rows:
            j = row[place] if len(row) > place else None
            taken = any(roles[k] == field for k in row)
            if j is not None and roles[j] == "other" and not taken and fits(field, cells[j]) > 0:
                out[j] = field
    return out
