"""One cell tokenizer for any text table: cells with their line and position, and the separator found.

Separators: `tab` (a line is a row, tabs between cells), `pipe` (a line is a row, `|` between
cells, Markdown tables too), `pipe_line` (`|` ends a cell wherever the lines break), `line` (one
cell per line, blank lines or not), `spaces` (spaces between cells, runs of CJK separated by one
space too), `none` (run-together text, e.g. OCR, cut at header titles, level names and values).
`+pages` is added when the text was a document-sharing site's pages flattened one per line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.documents import cells as _cells
from nlp.documents.table.glued import recut
from nlp.documents.table.levels import title_or_level
from nlp.documents.table.pages import rejoin_pages
from nlp.documents.table.runtogether import cut_at_anchors, split_run_together, title_runs
from nlp.textnorm import fold_text

_TAB_SHARE = 0.3  # share of non-empty lines with a tab above which the text is tab-separated
_LINE_SHARE = 0.8  # share of non-empty lines holding one token above which a line is a cell
_PROSE_MIN = 8  # characters: a longer cell with clause punctuation is running text, cut into clauses
_SPLIT_TAIL = 4  # characters: the second part of a word cut over two cells is this short (`指标`)
_CLAUSE = re.compile(r"[;；。:：【】\[\]]|(?<!\d)[,，](?!\d)")


@dataclass(frozen=True)
class Cell:
    """One cell: folded text for matching, the text as found, its 1-based line and position."""

    text: str
    raw: str
    line: int
    col: int  # position in its source row (0 = first cell of a line/row)
    row_start: bool  # a row of the table starts here (a new line in row layouts)
    glued: bool = False  # cut out of run-together text (no separator in the source)
    prose: bool = False  # several lines of running text between pipes


@dataclass(frozen=True)
class Tokens:
    """The cells of a text, the separator found, and the `source:`/`note:` metadata."""

    cells: tuple[Cell, ...]
    separator: str
    source: str = ""
    note: str = ""
    text: str = ""  # the body text (metadata lines removed), for document-level fields


def _tab_cells(body: _cells.Body) -> list[_cells.Cell]:
    out: list[_cells.Cell] = []
    for k, line in enumerate(body.lines):
        parts = [p for p in line.split("\t") if p.strip()]
        out += [_cells.make_cell(p, body.line_no(k), brk=j == 0) for j, p in enumerate(parts)]
    return out


def _separator(body: _cells.Body) -> str:
    lines = [ln for ln in body.lines if ln.strip()]
    if not lines:
        return "none"
    if sum(1 for ln in lines if "\t" in ln.strip()) >= _TAB_SHARE * len(lines):
        return "tab"
    piped = _cells.sniff(body)
    if piped != "spaces":
        return {"pipe_rows": "pipe", "pipe_cells": "pipe_line"}[piped]
    single = sum(1 for ln in lines if len(_cells.balanced_tokens(ln)) == 1)
    return "line" if single >= _LINE_SHARE * len(lines) else "spaces"


def _split_clauses(text: str) -> list[str]:
    """Split at clause punctuation outside round brackets: `结余率(计算方法为:A/B)` stays whole."""
    pieces: list[str] = []
    depth = start = 0
    for i, ch in enumerate(text):
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth = max(0, depth - 1)
        elif depth == 0 and _CLAUSE.match(text, i):
            pieces.append(text[start:i])
            start = i + 1
    return [p for p in (*pieces, text[start:]) if p.strip()]


def _unbracket(text: str) -> str:
    """Drop a bracket left open or closed by a cut: `视频监控在线率(` → `视频监控在线率`."""
    if text.count("(") > text.count(")"):
        text = text.rstrip("(").rstrip()
    if text.count(")") > text.count("("):
        text = text.lstrip(")").lstrip()
    return text


def _clauses(found: list[_cells.Cell]) -> list[_cells.Cell]:
    """Cut running text (a long cell with clause punctuation) at the level names, template labels and
    values it holds (`办理法律援助案件94件` → name, value), then into clauses."""
    out: list[_cells.Cell] = []
    for c in found:
        if len(c.text) < _PROSE_MIN or not _CLAUSE.search(c.text):
            out.append(c)
            continue
        first = True
        for part in cut_at_anchors(c, c.text, True):
            for piece in _split_clauses(part.text):
                text = _unbracket(piece.strip())
                if text:
                    out.append(_cells.Cell(text, text, c.line, c.brk and first, c.soft and first, glued=True))
                    first = False
    return out


def _split_headers(found: list[_cells.Cell]) -> list[_cells.Cell]:
    """Cut a header row run together inside one cell (`绩效指标一级指标二级指标…得分`) into its titles."""
    out: list[_cells.Cell] = []
    for c in found:
        runs = title_runs(c.text)
        if not runs:
            out.append(c)
            continue
        pos = 0
        pieces: list[str] = []
        for run in runs:
            pieces += [c.text[pos : run[0].start()], *(m.group() for m in run)]
            pos = run[-1].end()
        pieces.append(c.text[pos:])
        texts = [t for t in pieces if t.strip()]
        out += [
            _cells.Cell(t, t, c.line, c.brk and k == 0, c.soft and k == 0, glued=True)
            for k, t in enumerate(texts)
        ]
    return out


def _join_split_words(found: list[_cells.Cell]) -> list[_cells.Cell]:
    """Join a level name or column title cut over two cells (`数量` | `指标`, `实际` | `完成值`)."""
    out: list[_cells.Cell] = []
    for c in found:
        prev = out[-1] if out else None
        short = len(c.text) <= _SPLIT_TAIL
        if prev is not None and short and not title_or_level(c.text) and title_or_level(prev.text + c.text):
            out[-1] = _cells.Cell(prev.text + c.text, prev.raw + c.raw, prev.line, prev.brk, prev.soft)
        else:
            out.append(c)
    return out


def _positions(found: list[_cells.Cell], rows: bool) -> list[Cell]:
    """Number the cells of each row; in cell-per-line layouts a row starts at a row break only."""
    out: list[Cell] = []
    col = 0
    for c in found:
        start = c.brk or (rows and c.soft)
        col = 0 if start or not out else col + 1
        out.append(Cell(c.text, c.raw, c.line, col, start, c.glued, c.prose))
    return out


def tokenize(text: str) -> Tokens:
    """Cut a text table into cells; see the module docstring for the separators.

    >>> t = tokenize("一级指标\\t三级指标\\t指标值\\n产出指标\\t培训人数\\t≥20人\\n")
    >>> t.separator, [(c.raw, c.line, c.col) for c in t.cells][3:]
    ('tab', [('产出指标', 2, 0), ('培训人数', 2, 1), ('≥20人', 2, 2)])
    """
    plain = _cells.split_body(text)
    body = rejoin_pages(plain)
    pages = "+pages" if body is not plain else ""
    sep = _separator(body)
    if sep == "tab":
        found = _tab_cells(body)
    elif sep == "pipe":
        found = _cells.pipe_row_cells(body)
    elif sep == "pipe_line":
        found = _cells.pipe_stream_cells(body)
    else:
        spaced = _cells.space_cells(body)
        found = _clauses(_split_headers(split_run_together(spaced)))
        if sum(1 for c in found if c.glued) > len(spaced) // 2:
            sep = "none"
        found = recut(found)
    found = _join_split_words([c for c in found if c.text or c.brk])
    cells = _positions([c for c in found if c.text], rows=sep in ("spaces", "none"))
    return Tokens(tuple(cells), sep + pages, plain.source, plain.note, fold_text("\n".join(body.lines)))
