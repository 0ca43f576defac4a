"""The indicator row the decoder builds (decode.py) and what every decoding step shares about it: the
field roles, the bare-number and value patterns, a name that names no indicator, a cell that repeats its row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nlp.documents.table.features import cell_word
from nlp.documents.table.tokens import Cell
from nlp.textnorm import fold
from nlp.values import parse_value

FIELDS = ("value", "period", "actual", "op", "unit", "weight", "score", "direction", "standard")
VALUES = ("value", "period", "actual")
POINTS = ("weight", "score")  # the 分值 | 得分 of a row
LEVEL_NAME = ("level1", "level2", "name")
LEVELS = ("level1", "level2")
NOT_FIELDS = ("desc", "other", "standard")  # columns whose cells fill no field of a row
BARE_NUMBER = re.compile(r"^[\d.,%]+$")
CJK = re.compile(r"[\u4e00-\u9fff]")
_VALUE_WORDS = 4  # at most this many Chinese characters in a value written as a name (unit, 以上)
NOT_A_VALUE = ("qualitative", "unspecified")
VALUE_START = re.compile(r"^[\d≥≤<>=]")  # a value as written: 15万元。 ≥20人 (not 围墙300米)


@dataclass
class Row:
    """One indicator row being built: its cells by role."""

    line: int
    level1: str
    level2: str
    project: str
    name: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    raws: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    last: int = 0


def fake_name(text: str) -> bool:
    """A name cell that cannot name an indicator: an operator, a bare number, a unit, a direction."""
    if not text or BARE_NUMBER.match(text):
        return True
    if cell_word(text) in ("op", "unit", "direction", "standard"):
        return True
    folded = fold(text)
    short = len(CJK.findall(folded)) <= _VALUE_WORDS  # 15万元。 ≥20人以上; not 1290.3平方米冷库仓储建设
    return short and bool(VALUE_START.match(folded)) and parse_value(text).kind not in NOT_A_VALUE


def repeats(row: Row | None, cell: Cell) -> bool:
    """A level or name cell that repeats, on the row's own line, the row's name or level."""
    if row is None or not row.name or cell.line != row.line or cell.row_start:
        return False
    return fold(cell.raw).replace(" ", "") in {
        fold(t).replace(" ", "") for t in (row.name, row.level2, row.level1)
    }
