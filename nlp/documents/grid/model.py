"""The grid every structured format becomes: cells with their text as displayed, position and spans."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NEWLINE_GAP = re.compile(r"\s*\n\s*")
_WS = re.compile(r"\s+")


def squash(text: str) -> str:
    """A cell's text on one line: a line break inside a cell is wrapping, not a space (as cells.py)."""
    if "\n" not in text and "  " not in text and "\t" not in text and "\r" not in text:
        return text.strip()  # the common case, without the regular expressions
    return _WS.sub(" ", _NEWLINE_GAP.sub("", text)).strip()


def column_letters(col: int) -> str:
    """Spreadsheet column name of a 0-based column: 0 → A, 27 → AB."""
    name = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        name = chr(65 + rest) + name
    return name


@dataclass(slots=True)
class GridCell:
    """One cell as the file shows it: text as displayed, 0-based row and column, its spans."""

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Grid:
    """One sheet, table or page: its cells, where it sits in the file, and how to name a cell.

    `page` is set for PDF pages: cells are then named `page:line` (line = the grid row, 1-based);
    otherwise `sheet!A1`.
    """

    sheet: str
    cells: list[GridCell] = field(default_factory=list)
    page: int | None = None

    def ref(self, row: int, col: int) -> str:
        """Where a reviewer finds the cell in the original file."""
        if self.page is not None:
            return f"{self.page}:{row + 1}"
        return f"{self.sheet}!{column_letters(col)}{row + 1}"

    def matrix(self) -> tuple[list[list[str]], dict[tuple[int, int], tuple[int, int]]]:
        """Dense rows of cell texts (a merged cell fills every slot it covers), and the anchor
        (top-left slot) of each covered slot that is not its own anchor."""
        if not self.cells:
            return [], {}
        n_rows = max(c.row + c.rowspan for c in self.cells)
        n_cols = max(c.col + c.colspan for c in self.cells)
        dense = [[""] * n_cols for _ in range(n_rows)]
        anchors: dict[tuple[int, int], tuple[int, int]] = {}
        for cell in self.cells:
            text = squash(cell.text)
            if cell.rowspan == 1 and cell.colspan == 1:
                dense[cell.row][cell.col] = text
                continue
            for r in range(cell.row, cell.row + cell.rowspan):
                for c in range(cell.col, cell.col + cell.colspan):
                    dense[r][c] = text
                    if (r, c) != (cell.row, cell.col):
                        anchors[(r, c)] = (cell.row, cell.col)
        return dense, anchors


@dataclass
class Source:
    """What a format adapter hands the grid reader: the grids in file order and one-line notes
    (hidden sheets skipped, …)."""

    path: str
    fmt: str
    grids: list[Grid] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
