"""What the cell-role model sees of a cell: vocabulary matches, the parsed value, shape, column, neighbours.

All vocabulary comes from nlp/data (table_headers.tsv, level_synonyms.tsv, value_operators.tsv,
value_units.tsv, cell_words.tsv, project_labels.tsv); nothing here names a sample file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise

from nlp import vocab
from nlp.documents.grid.vocab import info_label
from nlp.documents.table.columns import column_role, ends_table
from nlp.documents.table.header import title_roles
from nlp.documents.table.levels import level1_code, level2_code
from nlp.documents.table.tokens import Cell
from nlp.levels import level_key
from nlp.values import parse_value

Features = dict[str, str | float]
_NUMBER = re.compile(r"^[\d.,]+%?$")
_ENUM = re.compile(r"^[(（]?\d{1,2}[、.)）]")  # 1、 2. (3)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_DIGIT = re.compile(r"\d")
_PUNCT = re.compile(r"^[\W_]+$")
_PER = re.compile(r"/每?|每")  # between the parts of a compound unit
_SCORE_NOTE = re.compile(r"\(\d+(?:\.\d+)?分\)")
_HEADER_GAP = 2  # column titles of one header row are at most this many cells apart
_HEADER_MIN = 3  # titles that make a header row
_GAP_COST = 1.0  # what skipping a column inside a row costs its placement (aligned_columns)
_EPS = 1e-9
_MERGED = ("level1", "level2", "name")  # columns whose cell a row omits at its start, not inside it
_RUN_ON = 2  # a row of more than this many times the header's cells is several rows run together
_LENGTHS = ((1, "1"), (3, "2-3"), (6, "4-6"), (12, "7-12"), (30, "13-30"))  # length buckets
_NEIGHBOURS = (-2, -1, 1, 2)
_SHARED = ("hdr", "lvl", "word", "kind", "shape", "len", "op", "unit")  # given to the neighbours


@lru_cache(maxsize=4)
def _words(name: str, column: int = 0) -> dict[str, str]:
    """Matching key of the first column of an nlp/data file → its `column`-th column."""
    return {level_key(row[0]): row[column] for row in vocab.rows(name)}


@lru_cache(maxsize=1)
def _info_prefixes() -> tuple[str, ...]:
    """The project_info words of cell_words.tsv long enough to name a cell by its start."""
    return tuple(w for w, c in _words("cell_words.tsv", 1).items() if c == "project_info" and len(w) >= 4)


@lru_cache(maxsize=50_000)
def cell_word(text: str) -> str:
    """The class of a whole-cell word (direction/standard/project_info/op/unit) or "" (cached per text).

    >>> cell_word("正向"), cell_word("其中:当年财政拨款"), cell_word("培训人数")
    ('direction', 'project_info', '')
    """
    key = level_key(text)
    words = _words("cell_words.tsv", 1)
    if key in words:
        return words[key]
    if key in _words("value_operators.tsv"):  # ≥, 大于等于, and 定性/定量 of a 指标性质 column
        return "op"
    if key in _words("value_units.tsv") or key.strip("()") in _words("value_units.tsv"):
        return "unit"
    if key.startswith(_info_prefixes()):
        return "project_info"
    if info_label(text) is not None:  # a fund line of the project block: 其中:当年财政拨款, 其他资金
        return "project_info"
    return ""


def _compound_unit(text: str) -> bool:
    """Units of value_units.tsv joined by / or 每 (人/天, 元/人), as nlp/values.py reads them after a
    number."""
    parts = _PER.split(level_key(text))
    return len(parts) > 1 and all(part in _words("value_units.tsv") for part in parts)


def _shape(text: str) -> str:
    if not text:
        return "empty"
    if _NUMBER.match(text):
        return "pct" if text.endswith("%") else "num"
    if _PUNCT.match(text):
        return "punct"
    digits = bool(_DIGIT.search(text))
    cjk = bool(_CJK.search(text))
    return f"{'d' if digits else ''}{'c' if cjk else ''}{'a' if not cjk else ''}"


def _len_bucket(text: str) -> str:
    return next((name for top, name in _LENGTHS if len(text) <= top), "31+")


def _own(cell: Cell) -> Features:
    """The features of a cell on its own: vocabulary, parsed value, shape, position."""
    text = cell.text
    f: Features = {"bias": 1.0, "shape": _shape(text), "len": _len_bucket(text)}
    role = column_role(text)
    if role:
        f["hdr"] = role
    lvl = "1" if level1_code(text) else ""
    lvl += "2" if level2_code(text) else ""
    if lvl:
        f["lvl"] = lvl
    word = cell_word(text)
    if word:
        f["word"] = word
    if ends_table(text):
        f["end"] = 1.0
    if _SCORE_NOTE.search(text):
        f["score_note"] = 1.0
    if _ENUM.match(text):
        f["enum"] = 1.0
    value = parse_value(text)
    f["kind"] = value.kind
    if value.op:
        f["op"] = value.op
    if value.unit:
        f["unit"] = "%" if value.unit == "%" else "other"
    if ":" in text:
        f["colon"] = 1.0
    f["first"] = text[:1] if not _CJK.match(text[:1]) else "cjk"
    f["last"] = text[-1:] if not _CJK.match(text[-1:]) else "cjk"
    if cell.row_start:
        f["row_start"] = 1.0
    f["col"] = str(min(cell.col, 12))
    if cell.glued:
        f["glued"] = 1.0
    return f


def header_runs(cells: Sequence[Cell]) -> list[tuple[int, int]]:
    """(first, last) index of each header row: three or more column titles, at most one cell apart
    (titles as header.title_roles reads them)."""
    titles = title_roles(cells)
    titled = [i for i, role in enumerate(titles) if role]
    runs: list[tuple[int, int]] = []
    run: list[int] = []
    for i in titled:
        if run and i - run[-1] > _HEADER_GAP:
            runs += [(run[0], run[-1])] if len(run) >= _HEADER_MIN else []
            run = []
        run.append(i)
    return runs + ([(run[0], run[-1])] if len(run) >= _HEADER_MIN else [])


def _header_columns(cells: Sequence[Cell]) -> list[dict[str, str]]:
    """For each cell, the header seen last: column position → role, from the left (`L3`) and from
    the right (`R0`, for rows that omit merged cells at their start), and `has_<role>`."""
    out: list[dict[str, str]] = []
    header: dict[str, str] = {}
    runs = iter(header_runs(cells))
    titles = title_roles(cells)
    nxt = next(runs, None)
    for i in range(len(cells)):
        if nxt is not None and i == nxt[0]:
            header = {}
            roles = [role or "other" for role in titles[nxt[0] : nxt[1] + 1]]
            for k, role in enumerate(roles):
                header[f"L{k}"] = role
                header[f"R{len(roles) - 1 - k}"] = role
                header[f"has_{role}"] = "1"
            nxt = next(runs, None)
        out.append(header)
    return out


def _from_right(cells: Sequence[Cell]) -> list[int]:
    """Position of each cell counted from the end of its row."""
    out = [0] * len(cells)
    end = len(cells)
    for i in range(len(cells) - 1, -1, -1):
        out[i] = end - 1 - i
        if cells[i].row_start:
            end = i
    return out


def fits(role: str, cell: Cell) -> float:
    """How well a cell fits under a column of this role (content only): + fits, - does not."""
    text = cell.text
    word = cell_word(text)
    level = bool(level1_code(text) or level2_code(text))
    if role in ("level1", "level2"):
        return 2.0 if level else -1.0
    if level:
        return -1.0
    if role in ("op", "unit", "direction"):
        return 2.0 if word == role else -1.0
    if role in ("weight", "score"):
        return 1.5 if _NUMBER.match(text) else -1.0
    if role in ("value", "period", "actual"):
        return 1.0 if parse_value(text).kind not in ("unspecified", "qualitative") else 0.3
    if role == "name":
        return 1.0 if _CJK.search(text) and not word and not _NUMBER.match(text) else -0.5
    return 0.0


def second_level_name(cell: Cell) -> bool:
    """A cell that names a 二级 and no 一级 (`质量指标`, not `成本指标`)."""
    return bool(level2_code(cell.text)) and not level1_code(cell.text)


def header_fits(role: str, cell: Cell, level2_column: bool) -> float:
    """`fits`, as the decoder reads rows: a header without a 二级 column has the 二级 names in its name
    column (指标类型 | 指标名称 | 指标值 with 质量指标 as the 指标名称): such a cell fits the name
    column, not the 一级 one; a compound unit (人/天) fits the unit column."""
    if not level2_column and second_level_name(cell):
        if role == "name":
            return 2.0
        if role == "level1":
            return 0.5
    if role == "unit" and _compound_unit(cell.text):
        return 2.0
    return fits(role, cell)


def aligned_columns(cells: Sequence[Cell], level_names: bool = False) -> list[str]:
    """The header column each cell of a row sits under, the row shifted right past the merged cells
    it omits (a row that starts with its 二级 or its name) by the shift its contents fit best; none
    after a cell that ends the table (总分, sign-off lines) until the next header, and none in a line
    of many rows run together.

    level_names: fit by `header_fits` (a header without a 二级 column has the 二级 names in its name
    column), and a row short of cells may have skipped an empty cell inside it (_with_gaps), as the
    decoder reads rows; the model's features keep `fits` (retrained with
    `header_fits`, the model lost more rows elsewhere than it gained: README, "Table reader")."""
    out = [""] * len(cells)
    runs = header_runs(cells)
    starts = [i for i, c in enumerate(cells) if c.row_start] + [len(cells)]
    ends = [i for i, c in enumerate(cells) if ends_table(c.text)]
    titles = title_roles(cells)
    for a, b in pairwise(starts):
        head = next((r for r in reversed(runs) if r[1] < a), None)
        if head is None or any(head[1] < e < b for e in ends):
            continue  # no header, or the table ended (总分, sign-off lines) since the last one
        roles = [role or "other" for role in titles[head[0] : head[1] + 1]]
        row = cells[a:b]
        if len(row) > _RUN_ON * len(roles):
            continue  # rows run together on one line (a document site's text): no column to align to
        two = "level2" in roles
        best = max(
            range(max(1, len(roles) - len(row) + 1)),
            key=lambda s: sum(
                _fit(roles[s + k], c, level_names, two) for k, c in enumerate(row) if s + k < len(roles)
            ),
        )
        placed = [best + k for k in range(len(row))]
        if level_names and len(row) < len(roles):
            placed = _with_gaps(roles, row, two, placed)
        for k, c in enumerate(placed):
            out[a + k] = roles[c] if c < len(roles) else "past"
    return out


def _fit(role: str, cell: Cell, level_names: bool, level2_column: bool) -> float:
    return header_fits(role, cell, level2_column) if level_names else fits(role, cell)


def _with_gaps(roles: Sequence[str], row: Sequence[Cell], two: bool, placed: list[int]) -> list[int]:
    """The columns of a row short of cells where an empty field cell inside it was skipped (the
    tokenizer keeps no empty cell: an empty 指标性质 or 完成值): the order-keeping placement of its
    cells that fits them best, each column skipped inside the row costing _GAP_COST and none of them
    a level or name column, taken where it fits strictly better than the row shifted whole
    (`placed`)."""
    fit = [[header_fits(role, c, two) for role in roles] for c in row]
    shifted = sum(fit[k][c] for k, c in enumerate(placed) if c < len(roles))
    n = len(roles)
    score = [fit[0][:]]  # score[k][c]: best placement of cells 0..k with cell k under column c
    back: list[list[int]] = [[-1] * n]
    for k in range(1, len(row)):
        score.append([float("-inf")] * n)
        back.append([-1] * n)
        for c in range(k, n):
            for p in range(k - 1, c):
                if any(role in _MERGED for role in roles[p + 1 : c]):
                    continue  # a merged level or name cell is omitted at the start of a row only
                got = score[k - 1][p] + fit[k][c] - _GAP_COST * (c - p - 1)
                if got > score[k][c]:
                    score[k][c], back[k][c] = got, p
    last = max(range(n), key=lambda c: score[-1][c])
    if score[-1][last] <= shifted + _EPS:
        return placed
    out = [last]
    for k in range(len(row) - 1, 0, -1):
        out.append(back[k][out[-1]])
    return out[::-1]


def cell_features(cells: Sequence[Cell]) -> list[Features]:
    """The features of every cell of a table, with those of its neighbours (prefixed -1:, +1: …)."""
    own = [_own(c) for c in cells]
    for f, title in zip(own, title_roles(cells), strict=True):
        if title and "hdr" not in f:
            f["hdr"] = title  # a bare or garbled title read from its column (header.py)
    headers = _header_columns(cells)
    right = _from_right(cells)
    aligned = aligned_columns(cells)
    out: list[Features] = []
    for i, cell in enumerate(cells):
        f = dict(own[i])
        header = headers[i]
        if f"L{cell.col}" in header:
            f["under"] = header[f"L{cell.col}"]
        if aligned[i]:
            f["aligned"] = aligned[i]
        if f"R{right[i]}" in header:
            f["under_r"] = header[f"R{right[i]}"]
        for key in header:
            if key.startswith("has_"):
                f[key] = 1.0
        if i > 0 and cells[i - 1].line != cell.line:
            f["new_line"] = 1.0
        for d in _NEIGHBOURS:
            j = i + d
            if 0 <= j < len(cells):
                for key in _SHARED:
                    if key in own[j]:
                        f[f"{d:+d}:{key}"] = own[j][key]
            else:
                f[f"{d:+d}:edge"] = 1.0
        out.append(f)
    return out
