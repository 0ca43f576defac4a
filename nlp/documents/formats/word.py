"""Word documents (.docx) → grids with python-docx: every table with its horizontal (gridSpan) and
vertical (vMerge) merges, and the paragraphs between tables as one-cell rows (the project info)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from nlp.documents.formats.errors import FormatError
from nlp.documents.grid.model import Grid, GridCell, Source

_OLE = b"\xd0\xcf\x11\xe0"


def _table_grid(table, name: str) -> Grid:
    """Cells of a docx table with spans; a vMerge `continue` cell extends the cell above it."""
    from docx.table import _Cell

    grid = Grid(sheet=name)
    above: dict[int, int] = {}  # column → index in grid.cells of the cell that covers it
    for r, row in enumerate(table.rows):
        col = row.grid_cols_before
        for tc in row._tr.tc_lst:
            span = tc.grid_span
            if tc.vMerge == "continue" and col in above:
                k = above[col]
                cell = grid.cells[k]
                grid.cells[k] = GridCell(cell.text, cell.row, cell.col, r - cell.row + 1, cell.colspan)
            else:
                text = _Cell(tc, table).text
                grid.cells.append(GridCell(text, r, col, 1, span))
                for c in range(col, col + span):
                    above[c] = len(grid.cells) - 1
            col += span
    return grid


def read_docx(path: str) -> Source:
    """The tables and paragraphs of a .docx in document order."""
    import docx
    from docx.table import Table

    head = Path(path).read_bytes()[:4]
    if head == _OLE:
        raise FormatError("password-protected (encrypted) or old .doc file: save it as .docx first")
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(path)
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as err:
        raise FormatError(f"not a readable .docx (corrupt zip or not Word): {err}") from err
    source = Source(path=path, fmt="docx")
    text = Grid(sheet="text")
    n_tables = 0
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            n_tables += 1
            if text.cells:
                source.grids.append(text)
                text = Grid(sheet="text")
            source.grids.append(_table_grid(block, f"table{n_tables}"))
        elif block.text.strip():
            text.cells.append(GridCell(block.text, len(text.cells), 0))
    if text.cells:
        source.grids.append(text)
    return source
