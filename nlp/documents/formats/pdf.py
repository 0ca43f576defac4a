"""PDF (.pdf) → grids with pdfplumber: ruled tables through its table finder (spans from the cell
boxes), the text lines outside them as one-cell rows, one grid per page; the page text for the text
readers. A PDF without a text layer (a scan) is refused with one line: it needs OCR first."""

from __future__ import annotations

import bisect

from nlp.documents.formats.errors import FormatError
from nlp.documents.grid.model import Grid, GridCell, Source

_TOL = 1.0  # points: cell edges closer than this are the same ruling


def _edges(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _TOL:
            out.append(v)
    return out


def _table_rows(table) -> list[tuple[float, list[tuple[str, int, int, int]]]]:
    """(top, [(text, col, rowspan, colspan)]) per table row, spans from the cell boxes."""
    boxes = [c for row in table.rows for c in row.cells if c is not None]
    xs = _edges([b[0] for b in boxes])
    ys = _edges([b[1] for b in boxes])
    texts = table.extract()
    out = []
    for r, row in enumerate(table.rows):
        cells = []
        for k, box in enumerate(row.cells):
            if box is None:
                continue
            x0, top, x1, bottom = box
            col = bisect.bisect_left(xs, x0 - _TOL)
            colspan = max(1, bisect.bisect_left(xs, x1 - _TOL) - col)
            rowspan = max(1, bisect.bisect_left(ys, bottom - _TOL) - bisect.bisect_left(ys, top - _TOL))
            text = texts[r][k] if r < len(texts) and k < len(texts[r]) else ""
            cells.append((text or "", col, rowspan, colspan))
        out.append((row.bbox[1], cells))
    return out


def _page_grid(page, number: int) -> Grid:
    """One page as a grid: its table rows and the text lines outside them, ordered by their top."""
    tables = page.find_tables()
    items: list[tuple[float, list[tuple[str, int, int, int]]]] = []
    for table in tables:
        items += _table_rows(table)

    def outside(obj) -> bool:
        mid_x, mid_y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(t.bbox[0] <= mid_x <= t.bbox[2] and t.bbox[1] <= mid_y <= t.bbox[3] for t in tables)

    rest = page.filter(outside) if tables else page
    for line in rest.extract_text_lines():
        if line["text"].strip():
            items.append((line["top"], [(line["text"], 0, 1, 1)]))
    items.sort(key=lambda item: item[0])
    grid = Grid(sheet=f"page {number}", page=number)
    for row, (_, cells) in enumerate(items):
        for text, col, rowspan, colspan in cells:
            grid.cells.append(GridCell(text, row, col, rowspan, colspan))
    return grid


def read_pdf(path: str) -> Source:
    """Every page as a grid (pages without ruled tables are text lines, read by the text readers
    when no page holds an indicator header)."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    source = Source(path=path, fmt="pdf")
    chars = 0
    try:
        with pdfplumber.open(path) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                chars += len(page.chars)
                source.grids.append(_page_grid(page, number))
    except Exception as err:  # pdfplumber wraps pdfminer's errors (PdfminerException)
        causes = [err, err.__cause__, *(err.args or ())]
        if any(isinstance(c, PDFPasswordIncorrect) for c in causes) or "password" in str(err).lower():
            raise FormatError("password-protected PDF: save it without a password first") from err
        reason = next((str(c) for c in causes if isinstance(c, Exception) and str(c)), type(err).__name__)
        kind = "corrupt?" if any(isinstance(c, PDFSyntaxError) for c in causes) else type(err).__name__
        raise FormatError(f"not a readable PDF ({kind}): {reason[:120]}") from err
    if not chars:
        raise FormatError("no_text_layer: the PDF has no text layer (a scan?); it needs OCR first")
    return source
