"""Read budget documents: decode the bytes, sniff the layout, hand the text to that layout's reader.

Layouts, tried in this order (the first reader that recognizes the text wins):

- ``tabbed``    tab- or comma-separated 项目支出绩效目标表 (seeds 001, 003, 004) — nlp/documents/tabbed.py
- ``wrapped``   PDF-wrapped 项目支出绩效目标表 (seed 000) — nlp/documents/wrapped.py
- ``selfeval``  项目支出绩效自评表 (seed 002) — nlp/documents/selfeval.py
- indicator tables of any other text layout (examples/realdata) — nlp/documents/table/ (the learned
  cell-role reader, with the rule-based nlp/documents/indicator_table.py as a fallback by confidence)

A file no reader recognizes (or empty, or binary) gives a Document with layout ``unknown`` and one
Problem of severity ``error``; reading never raises on bad content.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from charset_normalizer import from_bytes

from nlp.documents.common import apply_amount_checks
from nlp.documents.selfeval import read_selfeval
from nlp.documents.tabbed import read_tabbed
from nlp.documents.wrapped import read_wrapped
from nlp.schema import Document, Problem, Project

log = logging.getLogger(__name__)

__all__ = ["SUFFIXES", "decode", "iter_documents", "read_document"]

SUFFIXES = (".txt", ".tsv", ".csv", ".md")  # files a folder is expanded to (README files are skipped)
_CONTROL_LIMIT = 0.02  # share of control characters above which decoded text is called binary
_Reader = Callable[[str, str], Document | None]


def _readers() -> list[_Reader]:
    from nlp.documents.table.reader import read_table  # loads the cell-role model on first use

    return [read_tabbed, read_wrapped, read_selfeval, read_table]


def decode(data: bytes) -> tuple[str | None, str]:
    """Decode document bytes: (text, note). UTF-8 with or without BOM, else GBK/GB18030 and others.

    text is None for binary data; note says what was done ("" for clean UTF-8).

    >>> decode("合计".encode("gbk"))[0], decode(b"\\xef\\xbb\\xbfok")
    ('合计', ('ok', ''))
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" export is UTF-16
        try:
            return data.decode("utf-16"), "decoded as utf-16"
        except UnicodeDecodeError:
            return None, ""
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError as err:
        if err.start >= len(data) - 3:  # cut inside the last character: a truncated UTF-8 file
            return data.decode("utf-8-sig", errors="ignore"), "file ends inside a character (truncated?)"
    if b"\x00" in data:
        return None, ""
    try:  # mainland budget documents that are not UTF-8 are GBK, read as its superset GB18030
        text, encoding = data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            return None, ""
        text, encoding = str(best), best.encoding
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    if control > _CONTROL_LIMIT * max(1, len(text)):
        return None, ""
    return text, f"decoded as {encoding}"


def _failed(path: str, what: str) -> Document:
    return Document(
        path=path, doc=Path(path).stem, layout="unknown", problems=[Problem(path, None, what, "error")]
    )


def _understood(project: Project) -> bool:
    return any("unparsed" not in i.flags for i in project.indicators)


def read_document(path: str | Path) -> Document:
    """Read one file into a Document; never raises on bad content (see the module docstring)."""
    path = str(path)
    if not Path(path).exists():
        return _failed(path, "no such file or folder")
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        return _failed(path, f"cannot read: {err.strerror or err}")
    if not data.strip():
        return _failed(path, "empty file, not a budget table")
    text, note = decode(data)
    if text is None:
        return _failed(path, "binary file, not a budget table")
    doc = None
    for reader in _readers():  # the first reader that understands indicators wins, else the first that read
        found = reader(path, text)
        if found is not None and any(_understood(p) for p in found.projects):
            doc = found
            break
        doc = doc or found
    if doc is None:
        return _failed(path, "not a budget table (no known layout: 绩效目标表 or 绩效自评表)")
    if note:  # a truncated file is reported at its last line, where the cut is
        line = len(text.splitlines()) if "truncated" in note else None
        doc.problems.insert(0, Problem(path, line, note))
    apply_amount_checks(doc)
    log.debug("%s: %s, %d projects", path, doc.layout, len(doc.projects))
    return doc


def iter_documents(paths: Iterable[str | Path]) -> Iterator[str]:
    """Expand paths to document files: a file as given, a folder to its *.txt/*.tsv/*.csv/*.md files.

    Folders are searched recursively in sorted order; README files and hidden files are skipped.
    A path that does not exist is yielded as is, so that read_document reports it.
    """
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                hidden = any(part.startswith(".") for part in f.relative_to(p).parts)
                readme = f.stem.lower().startswith("readme")
                if f.is_file() and f.suffix.lower() in SUFFIXES and not hidden and not readme:
                    yield str(f)
        else:
            yield str(p)
