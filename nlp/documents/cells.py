"""Cut the text of an indicator table into a stream of cells, whatever stands in for the grid."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nlp import vocab
from nlp.schema import Indicator
from nlp.textnorm import fold
from nlp.values import glued_units

_META = re.compile(r"^(source|note):", re.I)
_NEWLINE_GAP = re.compile(r"\s*\n\s*")
_WS = re.compile(r"\s+")
_NUMBER_CELL = re.compile(r"^\d+(?:\.\d+)?%?$")
PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")  # ruby added by mirror sites: 指標(biāo)


@dataclass(frozen=True)
class Cell:
    """One table cell: folded text for matching, the text as found, its line and row breaks."""

    text: str
    raw: str
    line: int
    brk: bool = False  # a hard row break precedes this cell (new table row)
    soft: bool = False  # first cell of a new text line (space-separated layouts)
    prose: bool = False  # several lines of running text between pipes: the table has ended
    glued: bool = False  # cut out of run-together text (no separator in the source)


@dataclass(frozen=True)
class Body:
    """The text after the `source:`/`note:` metadata lines, with where it starts."""

    lines: list[str]
    first_line: int  # 1-based line number of lines[0]
    source: str
    note: str
    numbers: tuple[int, ...] = ()  # line number of each of lines, when they are not consecutive

    def line_no(self, k: int) -> int:
        """1-based line number in the file of lines[k]."""
        return self.numbers[k] if self.numbers else self.first_line + k


def split_body(text: str) -> Body:
    """Separate the metadata lines (`source:`, `note:`) from the table text."""
    lines = text.splitlines()
    source = note = ""
    i = 0
    while i < len(lines) and (_META.match(lines[i]) or (i > 0 and not lines[i].strip() and i < 3)):
        key, _, val = lines[i].partition(":")
        if key.strip().lower() == "source":
            source = val.strip()
        elif key.strip().lower() == "note":
            note = val.strip()
        i += 1
    return Body(lines=lines[i:], first_line=i + 1, source=source, note=note)


def sniff(body: Body) -> str:
    """`pipe_rows` (a line is a row), `pipe_cells` (a line is a cell) or `spaces` (no pipes)."""
    piped = [ln for ln in body.lines if "|" in ln]
    if len(piped) < 3:  # a stray pipe in a page title is not a grid
        return "spaces"
    multi = sum(1 for ln in piped if sum(1 for p in ln.split("|") if p.strip()) >= 2)
    return "pipe_rows" if multi >= 0.3 * len(piped) else "pipe_cells"


def _squash(text: str) -> str:
    return _WS.sub(" ", _NEWLINE_GAP.sub("", text)).strip()


def make_cell(raw: str, line: int, brk: bool = False, soft: bool = False, prose: bool = False) -> Cell:
    """A cell of the text as found: line breaks and runs of spaces squashed, pinyin ruby dropped."""
    raw = PINYIN.sub("", _squash(raw))
    return Cell(text=fold(raw), raw=raw, line=line, brk=brk, soft=soft, prose=prose)


def pipe_row_cells(body: Body) -> list[Cell]:
    """A line is a row; `|` separates cells; empty cells are merged-cell padding."""
    out: list[Cell] = []
    for k, line in enumerate(body.lines):
        parts = [p for p in line.split("|") if p.strip()]
        for j, part in enumerate(parts):
            out.append(make_cell(part, body.line_no(k), brk=j == 0))
    return out


def pipe_stream_cells(body: Body) -> list[Cell]:
    """Cells end at `|` wherever the line breaks fall; a run of empty cells ends a row."""
    text = "\n".join(body.lines)
    out: list[Cell] = []
    pos = 0
    empties = 0
    pieces = text.split("|")
    for n, piece in enumerate(pieces):
        start = pos + len(piece) - len(piece.lstrip())
        line = body.first_line + text.count("\n", 0, start)
        pos += len(piece) + 1
        if not piece.strip():
            empties += 1
            continue
        brk = empties >= 2 or n == 0
        if empties == 1 and out:
            out.append(Cell(text="", raw="", line=line))
        empties = 0
        out.append(make_cell(piece, line, brk=brk, prose=piece.strip().count("\n") >= 2))
    return out


@lru_cache(maxsize=8)
def _word_list(name: str) -> tuple[str, ...]:
    """The folded words of a one-word-a-line file in nlp/data, longest first."""
    words = {fold(w) for w in vocab.words(name) if w}
    return tuple(sorted(words, key=len, reverse=True))


def flat_descriptions() -> tuple[str, ...]:
    """指标说明 wordings found between name and value in run-together rows (`达到目标值`)."""
    return _word_list("flat_descriptions.txt")


def flat_grades() -> tuple[str, ...]:
    """Grade words that fill a target or actual cell on their own (`合格`), longest first."""
    return _word_list("flat_grades.txt")


@lru_cache(maxsize=1)
def flat_template_re() -> re.Pattern[str]:
    """Template row labels left empty in run-together text (`指标1:`); `N` is any number."""
    labels = (re.escape(w).replace("N", r"\d+") for w in _word_list("flat_templates.txt"))
    return re.compile("|".join(labels))


@lru_cache(maxsize=1)
def flat_value_re() -> re.Pattern[str]:
    """A value inside run-together text: operator, number, a glued unit (nlp.values), 以上/以下."""
    units = "|".join(re.escape(u) for u in glued_units())
    return re.compile(rf"(?:>=|<=|[≥≤=<>≧≦])?\d+(?:\.\d+)?(?:{units})?(?:以上|以下|以内)?")


def balanced_tokens(line: str) -> list[str]:
    """Split on spaces but keep a parenthesised part together: `数量( ≥**个 )`."""
    tokens: list[str] = []
    depth = 0
    for tok in line.split():
        if depth > 0 and tokens:
            tokens[-1] += " " + tok
        else:
            tokens.append(tok)
        depth += tok.count("(") + tok.count("（") - tok.count(")") - tok.count("）")
        depth = max(depth, 0)
    return tokens


def space_cells(body: Body) -> list[Cell]:
    """No pipes: spaces separate cells and a new line may start a new row."""
    out: list[Cell] = []
    for k, line in enumerate(body.lines):
        for j, tok in enumerate(balanced_tokens(line)):
            out.append(make_cell(tok, body.line_no(k), soft=j == 0))
    return out


def is_number(text: str) -> bool:
    """A bare number cell such as a weight or a score (`10`, `22.5`, `20%`)."""
    return bool(_NUMBER_CELL.match(text))


def cell_number(text: str | None) -> float | None:
    """The number of a bare number cell of a text table (its 分值 or 得分), else None.

    Only a whole cell is read: in text, where a cell ends is the reader's guess, so `10分` may be a
    run-together cell and gives None (the grid reader, whose cells are given, reads its leading number).

    >>> cell_number("２０％"), cell_number(" 22.5 "), cell_number("10分"), cell_number(None)
    (20.0, 22.5, None, None)
    """
    folded = fold(text)
    return float(folded.rstrip("%")) if is_number(folded) else None


def row_indicator(
    fields: dict[str, str],
    *,
    doc: str,
    project_id: str,
    seq: int,
    name: str,
    levels: tuple[str, str, str, str],
    raws: list[str],
    line: int,
    cut: bool,
    extra: bool,
) -> Indicator:
    """The indicator of a text-table row from its cells by role (the rule-based and the learned reader).

    `levels` is (level1, level2, level1 as written, level2 as written). A row without a target or an
    actual is `truncated` where the excerpt was cut (`cut`), else `missing_value`; a row with cells the
    reader could not place (`extra`) or without a name is `unparsed`.
    """
    flags = []
    if not (fields.get("period") or fields.get("value") or fields.get("actual")):
        flags.append("truncated" if cut else "missing_value")
    if extra or not name:
        flags.append("unparsed")
    level1, level2, level1_raw, level2_raw = levels
    return Indicator(
        doc=doc,
        project_id=project_id,
        seq=seq,
        name=name,
        level1=level1,
        level2=level2,
        period_value=fields.get("period"),
        annual_value=fields.get("value"),
        actual_value=fields.get("actual"),
        weight=cell_number(fields.get("weight")),
        score=cell_number(fields.get("score")),
        raw=" | ".join(raws),
        line=line,
        op=fields.get("op"),
        unit=fields.get("unit"),
        direction=fields.get("direction"),
        level1_raw=level1_raw,
        level2_raw=level2_raw,
        flags=tuple(flags),
    )
