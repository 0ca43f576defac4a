"""Read budget documents: decode the bytes, sniff the layout, hand the text to that layout's reader.

Layouts, tried in this order (the first reader that recognizes the text wins):

- ``tabbed``    tab- or comma-separated 项目支出绩效目标表 (seeds 001, 003, 004) — nlp/documents/tabbed.py
- ``wrapped``   PDF-wrapped 项目支出绩效目标表 (seed 000) — nlp/documents/wrapped.py
- ``selfeval``  项目支出绩效自评表 (seed 002) — nlp/documents/selfeval.py
- indicator tables of any other text layout (examples/realdata) — nlp/documents/table/ (the learned
  cell-role reader; where the text has no table header, the prose reader nlp/documents/prose_reader.py
  too, the more confident reading kept)

Workbooks, Word, web pages and PDF (nlp/documents/formats.SUFFIXES) are read into grids of cells by
nlp/documents/formats and built into a Document by the grid reader (nlp/documents/grid); one whose
grids hold no indicator header goes to the readers above as tab-separated text.

A file no reader recognizes (or empty, or binary) gives a Document with layout ``unknown`` and one
Problem of severity ``error``; reading never raises on bad content.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from nlp.documents.common import apply_amount_checks
from nlp.documents.decoding import decode_bytes
from nlp.documents.discovery import SUFFIXES, discover
from nlp.documents.formats import SUFFIXES as STRUCTURED_SUFFIXES
from nlp.documents.formats import read_structured
from nlp.documents.selfeval import read_selfeval
from nlp.documents.tabbed import read_tabbed
from nlp.documents.traditional import NOTE as SIMPLIFIED_NOTE
from nlp.documents.traditional import restore_original, simplified_text
from nlp.documents.wrapped import read_wrapped
from nlp.schema import Document, Problem, Project

log = logging.getLogger(__name__)

__all__ = ["SUFFIXES", "decode", "iter_documents", "read_document"]

_Reader = Callable[[str, str], Document | None]


def _readers() -> list[_Reader]:
    from nlp.documents.table.reader import read_table  # loads the cell-role model on first use

    return [read_tabbed, read_wrapped, read_selfeval, read_table]


def decode(data: bytes) -> tuple[str | None, str]:
    """Decode document bytes: (text, note). UTF-8 with or without BOM, else GB18030, Big5 and others.

    text is None for binary data; note says what was done ("" for clean UTF-8); see nlp.documents.decoding.

    >>> decode("合计".encode("gbk"))[0], decode(b"\\xef\\xbb\\xbfok")
    ('合计', ('ok', ''))
    """
    decoded = decode_bytes(data)
    return decoded.text, decoded.note


def _failed(path: str, what: str) -> Document:
    return Document(
        path=path, doc=Path(path).stem, layout="unknown", problems=(Problem(path, None, what, "error"),)
    )


def _understood(project: Project) -> bool:
    return any("unparsed" not in i.flags for i in project.indicators)


def parse_text(path: str, text: str) -> Document | None:
    """The Document the first text reader that understands indicators makes of `text`, else None."""
    doc = None
    for reader in _readers():
        found = reader(path, text)
        if found is not None and any(_understood(p) for p in found.projects):
            return found
        doc = doc or found
    return doc


def _extent(doc: Document | None) -> tuple[int, ...]:
    """Projects, then the reading's confidence (rows read minus fake rows first, see
    nlp.documents.table.reader.confidence): the better of two readings of one file."""
    if doc is None:
        return (0,)
    from nlp.documents.table.reader import confidence

    return (len(doc.projects), *confidence(doc))


def read_document(path: str | Path) -> Document:
    """Read one file into a Document; never raises on bad content (see the module docstring)."""
    path = str(path)
    if not Path(path).exists():
        return _failed(path, "no such file or folder")
    if Path(path).suffix.lower() in STRUCTURED_SUFFIXES and Path(path).is_file():
        return apply_amount_checks(read_structured(path, parse_text))
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        return _failed(path, f"cannot read: {err.strerror or err}")
    if not data.strip():
        return _failed(path, "empty file, not a budget table")
    decoded = decode_bytes(data)
    text, note = decoded.text, decoded.note
    if text is None:
        return _failed(path, "binary file, not a budget table")
    doc = parse_text(path, text)
    simplified = simplified_text(text)  # traditional characters: matching also tries the simplified form
    if simplified is not None:
        other = parse_text(path, simplified)
        if other is not None and _extent(other) > _extent(doc):
            doc = restore_original(other, text, simplified)
            note = "; ".join(filter(None, [note, SIMPLIFIED_NOTE]))
    if doc is None:
        return _failed(path, "not a budget table (no known layout: 绩效目标表 or 绩效自评表)")
    if note:  # at the first line concerned (a truncated file: its last line, where the cut is)
        doc = replace(doc, problems=(Problem(path, decoded.line, note), *doc.problems))
    doc = apply_amount_checks(doc)
    log.debug("%s: %s, %d projects", path, doc.layout, len(doc.projects))
    return doc


def iter_documents(paths: Iterable[str | Path]) -> Iterator[str]:
    """Expand paths to document files: a file as given, a folder to its files of SUFFIXES.

    Folders are searched recursively in sorted order (nlp.documents.discovery, which also gives the
    documents unique ids); README, hidden and Office lock files (`~$name.xlsx`) are skipped, each file is
    yielded once.
    A path that does not exist is yielded as is, so that read_document reports it.
    """
    for source in discover(paths).sources:
        yield source.path
