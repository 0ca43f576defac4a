"""Structured files (workbooks, Word, web pages, PDF): each adapter turns a file into grids, the grid
reader builds the Document; a file whose grids hold no indicator header goes to the text readers.

| suffix | library |
|---|---|
| .xlsx .xlsm .xls .ods | python-calamine (values, merges, hidden sheets); openpyxl (.xlsx number formats) |
| .docx | python-docx |
| .html .htm | lxml |
| .pdf | pdfplumber |
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from nlp.documents.formats.errors import FormatError
from nlp.documents.grid.model import Grid, Source
from nlp.documents.grid.reader import read_grids
from nlp.schema import Document, Problem

__all__ = ["SUFFIXES", "FormatError", "format_counts", "read_structured"]

log = logging.getLogger(__name__)
_WORKBOOKS = ("xlsx", "xlsm", "xls", "ods")
SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".docx", ".html", ".htm", ".pdf")


def _adapter(suffix: str) -> Callable[[str], Source]:
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        from nlp.documents.formats.excel import read_workbook

        return read_workbook
    if suffix == ".docx":
        from nlp.documents.formats.word import read_docx

        return read_docx
    if suffix in (".html", ".htm"):
        from nlp.documents.formats.html import read_html

        return read_html
    from nlp.documents.formats.pdf import read_pdf

    return read_pdf


def _grid_text(grids: list[Grid]) -> str:
    """The grids as tab-separated lines (merged cells once), for the text readers."""
    lines = []
    for grid in grids:
        dense, anchors = grid.matrix()
        for r, row in enumerate(dense):
            cells = ["" if (r, c) in anchors else text for c, text in enumerate(row)]
            lines.append("\t".join(cells).rstrip("\t"))
    return "\n".join(lines)


def read_structured(path: str, parse_text: Callable[[str, str], Document | None]) -> Document:
    """Read a structured file; `parse_text(path, text)` is the text readers' entry, for files (or PDF
    pages) without an indicator header. Never raises on bad content: errors are one Problem."""
    try:
        source = _adapter(Path(path).suffix.lower())(path)
    except FormatError as err:
        return _failed(path, str(err))
    except ImportError as err:
        return _failed(
            path, f"needs the optional formats libraries: pip install 'jixiao[formats]' ({err.name})"
        )
    except OSError as err:
        return _failed(path, f"cannot read: {err.strerror or err}")
    except Exception as err:  # a library's own error on a damaged file: one line, never a traceback
        log.debug("%s", path, exc_info=True)
        first = str(err).splitlines()[0][:120] if str(err) else ""
        return _failed(path, f"cannot be read as {Path(path).suffix}: {type(err).__name__} {first}".strip())
    if not source.grids:
        too_big = [n for n in source.notes if n.endswith("not read")]
        what = "empty: no cell in any visible sheet" if source.fmt in _WORKBOOKS else "empty: no text"
        notes = [n for n in source.notes if not n.endswith("is empty") and n not in too_big[:1]]
        return _failed(path, too_big[0] if too_big else what, notes)
    doc = read_grids(source)
    if doc is None or not any(p.indicators for p in doc.projects):
        text = _grid_text(source.grids)
        by_text = parse_text(path, text) if text.strip() else None
        if by_text is not None:
            doc = replace(by_text, layout=f"{source.fmt}:{by_text.layout}")
    if doc is None:
        what = "no indicator table found (no header row with 三级指标/指标名称 and 指标值 titles)"
        doc = _failed(path, f"not a budget table: {what}")
    return replace(doc, problems=(*(Problem(path, None, note) for note in source.notes), *doc.problems))


def _failed(path: str, what: str, notes: tuple[str, ...] | list[str] = ()) -> Document:
    problems = (*(Problem(path, None, note) for note in notes), Problem(path, None, what, "error"))
    return Document(path=path, doc=Path(path).stem, layout="unknown", problems=problems)


def format_counts(docs: list[Document]) -> dict[str, dict[str, int]]:
    """Files given, read and failed per suffix (for report.json)."""
    counts: dict[str, dict[str, int]] = {}
    for d in docs:
        suffix = Path(d.path).suffix.lower() or "(none)"
        entry = counts.setdefault(suffix, {"given": 0, "read": 0, "failed": 0})
        entry["given"] += 1
        entry["read" if d.layout != "unknown" else "failed"] += 1
    return dict(sorted(counts.items()))
