"""Layout augmentation: a labeled file's rows rendered into the other text layouts the field uses.

The cell-role model sees each labeled table in one layout only; rendered again as tabs, pipes
(Markdown too), one cell per line (blank lines or not), runs of spaces or run-together text (no
separator: a row a line, or the whole table on one line; one such rendering per file, kept only where
the tokenizer gives every row back, see `roles.examples`), with extra columns
(指标性质, 计量单位, 分值 before or after the target, 指标方向, 指标值设定依据, 实际完成值, 得分,
指标描述), merged level cells omitted and the header left out now and then (an excerpt that starts
below it), the same rows become extra training sequences. Their roles are derived as for the real
file (`labels.align`, with the line of every rendered row known). Column titles and cell words
come from nlp/data (table_headers.tsv, cell_words.tsv, value_operators.tsv); the choices are
random with a seed made of the file's name, so a rendering is the same on every run. A file's
renderings carry its name, so leave-one-file-out leaves them out with the file (`evaluate.lofo`).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from nlp import vocab
from nlp.documents.table.labels import Row

RENDERINGS = 2  # renderings of each labeled file into the layouts with separators
RUN_TOGETHER = 1  # and into run-together text (2 measured: more noise, learned LOFO 288 -> 280 of 385)
SEPARATORS = ("tab", "pipe", "markdown", "pipe_line", "line", "line_blank", "spaces")
_P_ONE_LINE = 0.5  # chance that a run-together rendering is one line (a flattened page), not a row a line
EXTRAS = ("op", "unit", "weight", "direction", "standard", "actual", "score", "desc")
_P_EXTRA = 0.3  # chance of each extra column
_P_MERGED = 0.6  # chance that level cells are written once per group (merged cells), not on every row
_P_NO_HEADER = 0.25  # chance that a table starts below its header (an excerpt, a page break)
_WEIGHTS = ("2", "3", "5", "10", "15", "20", "2.5", "30")
_SPLIT = re.compile(r"^(?P<op>[^\d]*?)(?P<num>\d+(?:\.\d+)?)(?P<unit>[^\d]*)$")
_TITLE_MAX = 8  # characters: longer column titles are not used for renderings


@dataclass(frozen=True)
class Rendering:
    """One rendering: the text, the rows as rendered (their lines and split fields), how it was made."""

    text: str
    rows: tuple[Row, ...]
    layout: str


@lru_cache(maxsize=1)
def _titles() -> dict[str, tuple[str, ...]]:
    """Column role → the titles of table_headers.tsv for it."""
    out: dict[str, list[str]] = {}
    for title, role in vocab.rows("table_headers.tsv"):
        if len(title) <= _TITLE_MAX:
            out.setdefault(role, []).append(title)
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def _words() -> dict[str, tuple[str, ...]]:
    """Cell-word class → its words (cell_words.tsv); `op_before` → operator words written before a number."""
    out: dict[str, list[str]] = {}
    for word, cls in vocab.rows("cell_words.tsv"):
        out.setdefault(cls, []).append(word)
    for surface, op, where in vocab.rows("value_operators.tsv"):
        if where == "before" and op != "-":
            out.setdefault("op_before", []).append(surface)
        elif where == "column":
            out.setdefault("op_column", []).append(surface)
    return {k: tuple(v) for k, v in out.items()}


def _split_value(row: Row, rng: random.Random, op_col: bool, unit_col: bool) -> tuple[str, str, str]:
    """(operator cell, value cell, unit cell) of a row's target for separate 指标性质/计量单位 columns."""
    op, value, unit = row.stated_op, row.value, row.stated_unit
    m = _SPLIT.match(value) if not op and not unit else None
    if m and (op_col or unit_col):
        head, num, tail = m.group("op").strip(), m.group("num"), m.group("unit").strip()
        if op_col and (not head or head in _words()["op_before"]):
            op, value = head or rng.choice(("=", "≥", "")), num + ("" if unit_col else tail)
        elif not op_col and unit_col:
            value = head + num
        unit = tail if unit_col else ""
        if not unit_col:
            value = (value if value.endswith(tail) else value + tail) if tail else value
    elif op_col and not op:
        op = rng.choice(_words()["op_column"]) if "op_column" in _words() else ""
    if not op_col and op:
        value, op = op + value, ""
    if not unit_col and unit:
        value, unit = value + unit, ""
    return op, value, unit


def _columns(rng: random.Random, has_actual: bool) -> list[str]:
    """The column roles of a rendering, in order."""
    cols = ["level1", "level2", "name"]
    extras = [e for e in EXTRAS if rng.random() < (0.6 if e == "actual" and has_actual else _P_EXTRA)]
    if "desc" in extras:
        cols.append("desc")
    if "op" in extras:
        cols.append("op")
    before = "weight" in extras and rng.random() < 0.5
    if before:
        cols.append("weight")
    cols.append("value")
    if "unit" in extras:
        cols.append("unit")
    cols += [e for e in ("direction", "standard", "actual") if e in extras]
    if "weight" in extras and not before:
        cols.append("weight")
    if "score" in extras:
        cols.append("score")
    return cols


def _cells_of(
    row: Row, cols: Sequence[str], rng: random.Random, shown: tuple[bool, bool]
) -> tuple[list[str], Row]:
    """The cells of one row under the columns, and the row as rendered (split fields)."""
    op, value, unit = _split_value(row, rng, "op" in cols, "unit" in cols)
    weight = rng.choice(_WEIGHTS)
    actual = row.actual or (value if rng.random() < 0.7 else "")
    cell = {
        "level1": row.level1 if shown[0] else "",
        "level2": row.level2 if shown[1] else "",
        "name": row.name,
        "desc": row.name,
        "op": op,
        "value": value,
        "unit": unit,
        "direction": rng.choice(_words()["direction"][:2]),
        "standard": rng.choice(_words()["standard"][:3]),
        "actual": actual,
        "weight": weight,
        "score": weight if rng.random() < 0.7 else str(max(0, int(float(weight)) - 1)),
    }
    out = [cell[c] for c in cols]
    rendered = replace(
        row, stated_op=op, value=value, stated_unit=unit, actual=actual if "actual" in cols else ""
    )
    return out, rendered


def _join(cells: Sequence[str], sep: str, rng: random.Random) -> list[str]:
    """The lines of one table row in a layout."""
    if sep == "tab":
        return ["\t".join(cells)]
    if sep == "pipe":
        return [" | ".join(c for c in cells if c) + " |"]
    if sep == "markdown":
        return ["| " + " | ".join(cells) + " |"]
    if sep == "spaces":
        gap = " " * rng.choice((2, 3, 4, 6))
        return [gap.join(c for c in cells if c)]
    if sep == "none":
        return ["".join(cells)]
    lines: list[str] = []
    for c in (c for c in cells if c):
        lines += [f"{c} |"] if sep == "pipe_line" else [c, ""] if sep == "line_blank" else [c]
    return lines


def render(rows: Sequence[Row], rng: random.Random, sep: str = "") -> Rendering:
    """One rendering of a file's rows in a random layout (see the module docstring), or in `sep`."""
    sep = sep or rng.choice(SEPARATORS)
    cols = _columns(rng, any(r.actual for r in rows))
    if not any(r.level1 for r in rows):
        cols.remove("level1")
    if not any(r.level2 for r in rows):
        cols.remove("level2")
    merged = rng.random() < _P_MERGED
    titles = _titles()
    lines: list[str] = [rng.choice(("项目支出绩效目标表", "绩效目标自评表", "绩效指标表", ""))]
    out: list[Row] = []
    project = None
    seen: tuple[str, str] = ("", "")
    for row in rows:
        if row.project != project:
            project = row.project
            if project and rng.random() < 0.5:
                label = rng.choice(("项目名称", "项目名称:"))
                lines += [f"{label}{project}"] if label.endswith(":") else _join([label, project], sep, rng)
            header = [rng.choice(titles[c]) for c in cols]
            if rng.random() >= _P_NO_HEADER:
                lines += _join(header, sep, rng)
                if sep == "markdown":
                    lines.append("|" + "---|" * len(header))
            seen = ("", "")
        shown = (row.level1 != seen[0] or not merged, (row.level1, row.level2) != seen or not merged)
        seen = (row.level1, row.level2)
        cells, rendered = _cells_of(row, cols, rng, shown)
        if sep in ("line", "line_blank") and rng.random() < 0.3:
            lines.append("")
        out.append(replace(rendered, line=len(lines) + 1))
        lines += _join(cells, sep, rng)
    if rng.random() < 0.3:
        lines += _join(["合计", "100"], sep, rng)
    if sep == "none" and rng.random() < _P_ONE_LINE:  # the whole table on one line, after its title
        lines = [lines[0], "".join(lines[1:])]
        out = [replace(r, line=2) for r in out]
        sep = "none_line"
    return Rendering("\n".join(lines) + "\n", tuple(out), f"{sep}:{'+'.join(cols)}")


def renderings(file: str, rows: Sequence[Row], n: int = RENDERINGS) -> list[Rendering]:
    """n renderings of a file's rows with a name and a target or actual, seeded by the file's name."""
    usable = [r for r in sorted(rows, key=lambda r: r.line) if r.name and (r.value or r.actual)]
    if not usable:
        return []
    out = [render(usable, random.Random(f"{file}#{k}")) for k in range(n)]
    return out + [render(usable, random.Random(f"{file}#none{k}"), "none") for k in range(RUN_TOGETHER)]
