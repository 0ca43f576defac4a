"""The column role of every header title of a text table, with the titles the vocabulary does not
settle read from the column they head.

- A title of nlp/data/table_headers.tsv has its role (columns.column_role).
- A bare title that heads different columns in different tables (`指标`, role `content` in
  table_headers.tsv) takes the role of the cell under it in the first row after the header: a 一级
  name → level1, a 二级 name → level2, a value as written → value, other text → name.
- A cell between the titles of a header that matches no title (an OCR-garbled title such as
  `指标値`) takes the role of the nearest title (rapidfuzz ratio ≥ _FUZZY) where the cell under it
  fits that role.
The cells themselves are not changed: the raw title stays what the document wrote.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz import fuzz, process

from nlp.documents.table.columns import by_content, column_role, title_table
from nlp.documents.table.levels import level1_code, level2_code
from nlp.documents.table.tokens import Cell
from nlp.levels import level_key
from nlp.values import parse_value

_GAP = 2  # column titles of one header row are at most this many cells apart
_MIN = 3  # titles that make a header row
_KNOWN = 2  # of them at least this many from the vocabulary (not read from their column)
_FUZZY = 80  # rapidfuzz ratio (0-100) from which an unknown cell among the titles is a garbled title
_FUZZY_MIN = 3  # characters of a cell matched fuzzily (shorter cells are words, not titles)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_BARE_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_VALUES = ("value", "period", "actual")


def content_role(cell: Cell | None) -> str | None:
    """The column a data cell belongs to by what it holds: level1, level2, weight, value or name.

    >>> from nlp.documents.table.tokens import Cell
    >>> [content_role(Cell(t, t, 1, 0, False)) for t in ("产出指标", "数量指标", "≥20人", "培训人数")]
    ['level1', 'level2', 'value', 'name']
    """
    if cell is None:
        return None
    text = cell.text
    if level1_code(text):
        return "level1"
    if level2_code(text):
        return "level2"
    if _BARE_NUMBER.match(text):
        return "weight"
    if column_role(text):
        return None
    if parse_value(text).kind not in ("unspecified", "qualitative"):
        return "value"
    return "name" if _CJK.search(text) else None


def _fits(role: str, content: str | None) -> bool:
    """A column role the content under a title agrees with (roles content cannot check always do)."""
    if role in ("level1", "level2", "name"):
        return content == role
    if role in _VALUES:
        return content in ("value", "weight")
    if role in ("weight", "score"):
        return content == "weight"
    return True


def _fuzzy(text: str) -> str | None:
    """The role of the title nearest to an unknown cell, if near enough (see module docstring)."""
    key = level_key(text)
    if len(key) < _FUZZY_MIN:
        return None
    roles = title_table()[0]
    hit = process.extractOne(key, list(roles), scorer=fuzz.ratio, score_cutoff=_FUZZY)
    return roles[hit[0]] if hit else None


@lru_cache(maxsize=8)
def _title_roles(cells: tuple[Cell, ...]) -> tuple[str | None, ...]:
    known = [column_role(c.text) for c in cells]
    bare = [level_key(c.text) in by_content() for c in cells]
    out = list(known)
    titled = [i for i in range(len(cells)) if known[i] or bare[i]]
    runs: list[list[int]] = []
    for i in titled:
        if runs and i - runs[-1][-1] <= _GAP:
            runs[-1].append(i)
        else:
            runs.append([i])
    for run in runs:
        if len(run) < _MIN or sum(1 for i in run if known[i]) < _KNOWN:
            continue
        first, last = run[0], run[-1]
        for p, i in enumerate(range(first, last + 1)):
            if known[i]:
                continue
            j = last + 1 + p
            under = content_role(cells[j]) if j < len(cells) else None
            if bare[i]:
                out[i] = under if under in ("level1", "level2", "name", "value") else None
            else:
                guess = _fuzzy(cells[i].text)
                out[i] = guess if guess and _fits(guess, under) else None
    return tuple(out)


def title_roles(cells: Sequence[Cell]) -> tuple[str | None, ...]:
    """For every cell, the column role it has as a header title (None for cells that are not titles)."""
    return _title_roles(tuple(cells))
