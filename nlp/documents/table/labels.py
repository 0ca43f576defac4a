"""Cell-role labels derived from labeled rows: each row of training_data/reader_rows.csv is aligned
back onto the cells of its file (name, target, actual, operator, unit, levels); header titles,
project labels, directions and the numbers after a row's values are labeled from the vocabulary
and the header; every other cell is `other`.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nlp.documents.cells import PINYIN
from nlp.documents.table.columns import column_role
from nlp.documents.table.features import cell_word, header_runs
from nlp.documents.table.header import title_roles
from nlp.documents.table.levels import level1_code, level2_code
from nlp.documents.table.tokens import Cell
from nlp.textnorm import fold

ROW_COLUMNS = (
    "file", "line", "project", "level1", "level2", "name", "stated_op", "value", "stated_unit",
    "actual", "labeled_by", "note",
)  # fmt: skip
# the cell roles the model learns (labels derived by `align`)
ROLES = (
    "header", "level1", "level2", "name", "op", "value", "unit", "weight", "direction", "standard",
    "actual", "score", "project_info", "other",
)  # fmt: skip
_WS = re.compile(r"\s+")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?%?$")
_WINDOW = 8  # lines after a row's stated line where its name may start
_SPAN = 14  # cells after the name where its other fields are looked for
_JOIN = 4  # cells a wrapped name may be cut into
_TAIL = 3  # cells kept for training after the last labeled row


def key(text: str | None) -> str:
    """Matching key of a cell or a label: folded, no whitespace, no pinyin ruby (`指標(biāo)`)."""
    return _WS.sub("", fold(PINYIN.sub("", text or "")))


def target_key(op: str | None, value: str | None, unit: str | None) -> str:
    """Matching key of a target with its operator and unit, whether stated apart or in one cell."""
    return key(f"{op or ''}{value or ''}{unit or ''}") if value else ""


@dataclass(frozen=True)
class Row:
    """One labeled indicator row (a line of reader_rows.csv)."""

    file: str
    line: int
    project: str
    level1: str
    level2: str
    name: str
    stated_op: str
    value: str
    stated_unit: str
    actual: str
    labeled_by: str
    note: str = ""


def load_rows(path: Path) -> dict[str, list[Row]]:
    """Labeled rows by file; a malformed row raises ValueError naming the file and line."""
    out: dict[str, list[Row]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = set(ROW_COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing columns {sorted(missing)}")
        for n, rec in enumerate(reader, 2):
            try:
                row = Row(**{c: rec[c] or "" for c in ROW_COLUMNS if c != "line"}, line=int(rec["line"]))
            except (TypeError, ValueError) as err:
                raise ValueError(f"{path}:{n}: bad row ({err})") from err
            out[row.file].append(row)
    return dict(out)


def _match_name(cells: Sequence[Cell], i: int, name: str) -> int | None:
    """Index of the last cell of the name starting at cells[i] (one cell, or wrapped over a few)."""
    got = ""
    for j in range(i, min(i + _JOIN, len(cells))):
        got += key(cells[j].text)
        if got == name:
            return j
        if not name.startswith(got):
            return None
    return None


def _find(cells: Sequence[Cell], lo: int, hi: int, text: str, roles: list[str]) -> int | None:
    if not text:
        return None
    return next(
        (j for j in range(lo, min(hi, len(cells))) if roles[j] == "other" and key(cells[j].text) == text),
        None,
    )


def _locate(
    cells: Sequence[Cell], roles: list[str], cursor: int, line: int, name: str
) -> tuple[int | None, int | None]:
    """(first, last) cell of a labeled name after the cursor, starting on its line or a few lines below;
    failing that, on an earlier line: a page of a document-sharing site joined to the one before it
    (`+pages`) numbers its cells with the line the joined text starts on."""
    for earlier in (False, True):
        for i in range(cursor, len(cells)):
            if cells[i].line > line + _WINDOW:
                break
            if (earlier or cells[i].line >= line) and roles[i] in ("other", "project_info"):
                end = _match_name(cells, i, name)
                if end is not None:
                    return i, end
    return None, None


def align(cells: Sequence[Cell], rows: Sequence[Row]) -> tuple[list[str], int]:
    """Role labels of the cells, and how many rows could not be found among them."""
    roles = ["other"] * len(cells)
    titles = title_roles(cells)
    runs = dict(header_runs(cells))  # first → last cell of each header row
    for first, last in runs.items():
        for j in range(first, last + 1):
            roles[j] = "header" if titles[j] else "other"
    header_has: list[set[str]] = [set() for _ in cells]
    current: set[str] = set()
    for i in range(len(cells)):
        if i in runs:
            current = {role or "" for role in titles[i : runs[i] + 1]}
        header_has[i] = current
    for i, c in enumerate(cells):
        word = cell_word(c.text)
        if roles[i] == "other" and word in ("direction", "standard", "project_info"):
            roles[i] = word
            if word == "project_info" and i + 1 < len(cells) and not column_role(cells[i + 1].text):
                roles[i + 1] = "project_info" if not cell_word(cells[i + 1].text) else roles[i + 1]
    missed = 0
    cursor = 0
    previous_end = 0
    for row in sorted(rows, key=lambda r: r.line):
        name = key(row.name)
        start, end = _locate(cells, roles, cursor, row.line, name)
        if start is None or end is None:
            missed += 1
            continue
        for j in range(start, end + 1):
            roles[j] = "name"
        for j in range(start - 1, max(previous_end, start - 4) - 1, -1):
            if roles[j] == "other" and key(cells[j].text) == key(row.level2) and row.level2:
                roles[j] = "level2"
            elif roles[j] == "other" and key(cells[j].text) == key(row.level1) and row.level1:
                roles[j] = "level1"
        hi = end + 1 + _SPAN
        last = end
        whole = target_key(row.stated_op, row.value, row.stated_unit)
        at = _find(cells, end + 1, hi, whole, roles) if whole != key(row.value) else None
        if at is not None:  # operator, value and unit labeled apart, one cell in the text
            roles[at] = "value"
            last = max(last, at)
        else:
            for field, text in (("op", row.stated_op), ("value", row.value), ("unit", row.stated_unit)):
                at = _find(cells, end + 1, hi, key(text), roles)
                if at is not None:
                    roles[at] = field
                    last = max(last, at)
        at = _find(cells, last + 1 if row.value else end + 1, hi, key(row.actual), roles)
        if at is not None:
            roles[at] = "actual"
            last = at
        header = set(header_has[end])
        if _numbers_between(cells, roles, end, last, header):
            header.discard("weight")
        _numbers_after(cells, roles, last, hi, header)
        cursor = end + 1
        previous_end = last + 1
    _levels_between(cells, roles)
    return roles, missed


def _levels_between(cells: Sequence[Cell], roles: list[str]) -> None:
    """Level cells between labeled rows (of rows without a labeled target) are levels too."""
    named = [i for i, r in enumerate(roles) if r == "name"]
    if not named:
        return
    for j in range(named[0], named[-1]):
        if roles[j] == "other" and (level1_code(cells[j].text) or level2_code(cells[j].text)):
            roles[j] = "level1" if level1_code(cells[j].text) else "level2"


def labeled_span(roles: Sequence[str]) -> tuple[int, int]:
    """The cells worth training on: from a few cells before the first labeled cell (page furniture
    before a table is not worth learning) to a few past the last labeled row (what follows is
    usually a row cut by the excerpt or a table nobody labeled)."""
    labeled = [i for i, r in enumerate(roles) if r != "other"]
    if not labeled:
        return 0, 0
    last = max((i for i, r in enumerate(roles) if r not in ("other", "header", "project_info")), default=-1)
    return max(0, labeled[0] - _TAIL), min(len(roles), max(last, labeled[-1]) + 1 + _TAIL)


def _numbers_between(cells: Sequence[Cell], roles: list[str], end: int, last: int, header: set[str]) -> bool:
    """A bare number between a row's name and its values is its 分值 (tables that put 分值 first)."""
    if "weight" not in header:
        return False
    for j in range(end + 1, last):
        if roles[j] == "other" and _NUMBER.match(cells[j].text):
            roles[j] = "weight"
            return True
    return False


def _numbers_after(cells: Sequence[Cell], roles: list[str], last: int, hi: int, header: set[str]) -> None:
    """Bare numbers right after a row's values are its 分值 then 得分, as the header has them."""
    wanted = [r for r in ("weight", "score") if r in header]
    for j in range(last + 1, min(hi, len(cells))):
        if not wanted or roles[j] != "other" or not _NUMBER.match(cells[j].text) or cells[j].row_start:
            return
        roles[j] = wanted.pop(0)
