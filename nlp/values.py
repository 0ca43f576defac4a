"""The value normalizer: an indicator value string → a typed target (TAXONOMY.md §3).

`parse_value("≥95%")` → Value(kind="threshold", op=">=", number=95.0, unit="%", ...).
Vocabulary (operators, units, name markers, placeholders) is read from nlp/data/value_*.tsv;
this module is the mechanism. Parsing always runs on `fold(text)`; `Value.raw` keeps the text as given.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import numpy as np
import pandas as pd

from nlp.numerals import cn_chars, cn_to_number, expand_percent_words, multiplier, numeral_table, parse_arabic
from nlp.schema import Value
from nlp.tablecells import is_missing, taken, unique_rows
from nlp.textnorm import fold
from nlp.vocab import rows

__all__ = [
    "RATE_UNITS",
    "VALUE_FIELDS",
    "add_value_columns",
    "glued_units",
    "name_asks",
    "normalize_row",
    "normalize_values",
    "parse_value",
]

VALUE_FIELDS = ("kind", "op", "number", "number_max", "unit", "unit_source", "flags")
RATE_UNITS = ("%", "‰")  # the canonical units of a share (TAXONOMY §3): a name asking for one asks for a rate
PREFIXES = {"period_value": "period", "annual_value": "annual", "actual_value": "actual"}


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation that tries longer words first (大于等于 before 大于)."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_OPS = rows("value_operators.tsv")
_OP_BEFORE = {s: op for s, op, where in _OPS if where == "before"}
_OP_AFTER = {s: op for s, op, where in _OPS if where == "after"}
_OP_COLUMN = {s: (None if op == "-" else op) for s, op, _ in _OPS}
_UNITS: dict[str, str] = {surface: unit for surface, unit, _ in rows("value_units.tsv")}
_LISTED_UNITS = frozenset(_UNITS.values())
_MARKERS = rows("value_markers.tsv")
_NOTARGET = rows("value_placeholders.tsv")
_MULTIPLIERS = tuple(numeral_table().multipliers)  # 万 千 亿 百万 … (nlp/data/numerals.tsv)

_NUMBER = r"(?<![A-Za-z\d.])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"  # 8,827,620.53 · 4.5; not E9
_EXPONENT_RE = re.compile(r"(?<![A-Za-z\d.])\d+(?:\.\d+)?[eE][+-]?\d{1,6}(?![A-Za-z\d])")  # 1e309, 2.5E3
_NUM_RE = re.compile(rf"(?P<pm>±|\+/-)?(?P<num>{_NUMBER})")
_RANGE_RE = re.compile(rf"\s*%?\s*(?:-|~|〜|至|到|—|–)\s*(?P<num2>{_NUMBER})")  # 20-35 · 20～35 · 20至35
_UNIT_RE = re.compile(rf"\s*(?P<unit>{_alternation(_UNITS)}|[A-Za-z]+)")  # longest unit first; KVA as written
_MULT_RE = re.compile(rf"\s*(?P<mult>{_alternation(_MULTIPLIERS)})")
_PER_RE = re.compile(
    rf"(?:/每?|每)(?P<mult>{_alternation(_MULTIPLIERS)})?(?P<unit>{_alternation(_UNITS)}|[\u4e00-\u9fff])"
)
# an unlisted unit of one or two characters that ends the clause: ≥70村
_TAIL_UNIT_RE = re.compile(rf"\s*(?P<unit>[\u4e00-\u9fff]{{1,2}})(?=$|{_alternation(_OP_AFTER)}|[.。])")
_AFTER_RE = re.compile(rf"\s*(?P<op>{_alternation(_OP_AFTER)})")
_BEFORE_RE = re.compile(_alternation(_OP_BEFORE))
_CLAUSE_SPLIT = re.compile(r"[;。]|,(?!\d{3}(?!\d))")  # ，；。 (after NFKC); not the comma of 8,827,620
_DATE_RE = re.compile(
    r"""(?:19|20)\d{2}\s*(?:[-~至到]\s*(?:19|20)\d{2}\s*)?年             # 2021年, 2024-2026年
        (?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?)?                    # … 12月31日
    | (?:19|20)\d{2}[-./]\d{1,2}(?:[-./]\d{1,2})?                       # 2021-12-31, 2021.12
    | \d{1,2}\s*(?:[-~至到]\s*\d{1,2}\s*)?月                          # 11月 …
        (?:\s*\d{1,2}\s*[日号]|底|初|末|中旬|上旬|下旬|份|前|之前)      # … 底, 31日
    | \d{1,2}\s*[-~至到]\s*\d{1,2}\s*月                                # 1-12月 (a period)
    """,
    re.VERBOSE,
)
_EXCEL_SERIAL_RE = re.compile(r"\d{5}(?:\.0+)?")  # 44561 = 2021-12-31 in Excel's day count
_FORMULA_RE = re.compile(r"[\u4e00-\u9fff)]\s*/\s*[\u4e00-\u9fff(]")  # 实际工期/计划工期
_PERCENT_FACTOR_RE = re.compile(r"[×xX*]\s*100\s*%?\s*$")  # the ×100% that ends a rate formula
_CN_RUN_RE = re.compile(f"[{cn_chars()}]+")
_NAME_BRACKET_RE = re.compile(r"\(([^()]*)\)\s*$")  # 验收合格率(%) · 提供午餐数量(万份) · 数量( ≥**个 )
_BRACKET_NOISE_RE = re.compile(r"[\s*≥≤<>=]|以上|以下")  # what to drop inside a bracketed name unit


@dataclass(frozen=True)
class _Quantity:
    """What the number-reading step found in one clause (before name and column hints)."""

    op: str | None
    number: float
    number_max: float | None
    unit: str | None
    factor_applied: bool  # a multiplier (万, 千, …) was written in the value
    plusminus: bool
    lead: str  # text before the number, operator removed
    tail: str  # text after unit and trailing operator


@dataclass(frozen=True)
class _Unit:
    """A unit read after a number: canonical text, the multiplier written before it, where it ends."""

    unit: str | None
    factor: float
    end: int
    had_multiplier: bool  # 万, 千, … was written
    fraction: bool = False  # 比例: the number is a fraction to be read as %


@dataclass(frozen=True)
class _NameHint:
    """What an indicator name says about a bare number: unit, its multiplier, whether it asks for a date."""

    unit: str | None = None
    factor: float = 1.0
    is_date: bool = False
    is_count: bool = False  # asks for a count without stating its unit (…数量)


def _read_unit(text: str, pos: int) -> _Unit:
    """Read `[multiplier] unit [/ unit]…` at `pos` (万元 → 元 × 10000, 元/生/年, G/每月 → G/月)."""
    factor, had_mult = 1.0, False
    match = _UNIT_RE.match(text, pos)
    if not match:
        mult = _MULT_RE.match(text, pos)
        if mult:
            factor, had_mult, pos = multiplier(mult.group("mult")) or 1.0, True, mult.end()
            match = _UNIT_RE.match(text, pos)
    if not match:
        tail = _TAIL_UNIT_RE.match(text, pos)
        return (
            _Unit(tail.group("unit"), factor, tail.end(), had_mult)
            if tail
            else _Unit(None, factor, pos, had_mult)
        )
    surface: str = match.group("unit")
    parts, pos = [_UNITS.get(surface, surface)], match.end()
    while per := _PER_RE.match(text, pos):
        per_unit: str = per.group("unit")
        parts.append((per.group("mult") or "") + _UNITS.get(per_unit, per_unit))
        pos = per.end()
    return _Unit("/".join(parts), factor, pos, had_mult, fraction=surface == "比例")


def _read_quantity(clause: str) -> _Quantity | None:
    """Find the first number of a clause with its operator, range, multiplier and unit."""
    match = _NUM_RE.search(clause)
    if not match:
        return None
    number = parse_arabic(match.group("num"))
    if number is None:  # _NUM_RE matched a number, so parse_arabic reads it; kept explicit for the types
        return None
    number_max, pos = None, match.end()
    rng = _RANGE_RE.match(clause, pos)
    if rng:
        number_max, pos = parse_arabic(rng.group("num2")), rng.end()
    read = _read_unit(clause, pos)
    unit, factor, pos, had_mult = read.unit, read.factor, read.end, read.had_multiplier
    if read.fraction and number <= 1 and (number_max is None or number_max <= 1):  # ≥0.97比例 → 97 %
        factor = 100.0
    number, number_max = _scale(number, number_max, factor)
    after = _AFTER_RE.match(clause, pos)
    lead = clause[: match.start()]
    befores = list(_BEFORE_RE.finditer(lead))
    op = _OP_BEFORE[befores[-1].group()] if befores else (_OP_AFTER[after.group("op")] if after else None)
    if befores:
        lead = lead[: befores[-1].start()] + lead[befores[-1].end() :]
    if lead.strip() == "-":  # a minus sign: -5% (a dash between two numbers is a range, read above)
        lead, number = "", -number
    end = after.end() if after else pos
    pm = bool(match.group("pm"))
    return _Quantity(
        op,
        number,
        number_max,
        unit,
        had_mult,
        pm,
        lead.strip(),
        clause[end:].strip(),
    )


def _read_cn_quantity(clause: str) -> _Quantity | None:
    """Read a clause written with a Chinese numeral (三次, 至少两次, 十二项), and nothing else."""
    for run in _CN_RUN_RE.finditer(clause):
        number = cn_to_number(run.group())
        if number is None:
            continue
        quantity = _read_quantity(clause[: run.start()] + str(number) + clause[run.end() :])
        if quantity and quantity.unit in _LISTED_UNITS and not quantity.lead and not quantity.tail:
            return quantity  # only listed units: 一致, 两委 are words, not 1 致, 2 委
    return None


@lru_cache(maxsize=50_000)
def _name_hint(name: str | None) -> _NameHint:
    """Read the unit (or %) and the date sense an indicator name states."""
    folded = fold(name)
    if not folded:
        return _NameHint()
    is_date = any(meaning == "date" and marker in folded for marker, meaning, _ in _MARKERS)
    bracket = _NAME_BRACKET_RE.search(folded)
    if bracket:
        inner = _BRACKET_NOISE_RE.sub("", bracket.group(1))
        read = _read_unit(inner, 0) if inner else None
        unit = read.unit if read is not None and read.end == len(inner) else None
        if read is not None and unit and all(u in _LISTED_UNITS for u in unit.split("/")):
            return _NameHint(unit, read.factor, is_date)  # (项), (万份); not a note such as (目标)
    stem = _NAME_BRACKET_RE.sub("", folded).strip() or folded
    for marker, meaning, match in _MARKERS:
        if meaning == "date":
            continue
        if (match == "suffix" and stem.endswith(marker)) or (match == "contains" and marker in folded):
            if meaning in ("-", "count"):
                return _NameHint(None, 1.0, is_date, is_count=meaning == "count")
            return _NameHint(meaning, 1.0, is_date)
    return _NameHint(None, 1.0, is_date)


def unit_spellings() -> tuple[str, ...]:
    """Every unit spelling of value_units.tsv, for readers that find values inside running text."""
    return tuple(_UNITS)


def glued_units() -> tuple[str, ...]:
    """Unit spellings a value may end with inside run-together text (value_units.tsv `glued`), optionally
    after a multiplier of numerals.tsv; for the table reader (nlp/documents/cells.py), longest first.

    >>> units = glued_units()
    >>> "万平方米" in units, "%" in units, "部" in units
    (True, True, False)
    """
    glued = [surface for surface, _, mark in rows("value_units.tsv") if mark == "glued"]
    spellings = {*glued, *_MULTIPLIERS, *(m + u for m in _MULTIPLIERS for u in glued)}
    return tuple(sorted(spellings, key=lambda w: (-len(w), w)))


def name_asks(name: str | None) -> str | None:
    """What an indicator name asks for, by nlp/data/value_markers.tsv: 'rate', 'date', 'count' or None.

    The one owner of this rule: the value stage reads bare numbers with it, the quality stage asks it
    whether a value fits its name.

    >>> [name_asks(n) for n in ("验收合格率（%）", "维修天数", "年度资金支出进度", "完成时间", "安全保障")]
    ['rate', 'count', 'rate', 'date', None]
    """
    hint = _name_hint(name)
    if hint.is_date:
        return "date"
    if hint.unit is None:
        return "count" if hint.is_count else None
    return "rate" if hint.unit in RATE_UNITS else "count"


@lru_cache(maxsize=1024)
def _column_unit(unit: str | None) -> tuple[str | None, float]:
    """Read a separate 计量单位 column: (canonical unit, multiplier); unknown text kept as written."""
    folded = fold(unit)
    if not folded:
        return None, 1.0
    read = _read_unit(folded, 0)
    if read.unit and read.end == len(folded):
        return read.unit, read.factor
    return folded, 1.0


def _column_op(op: str | None) -> tuple[str | None, bool]:
    """Read a separate 指标性质 column: (op, readable)."""
    folded = fold(op)
    if not folded:
        return None, True
    if folded in _OP_COLUMN:
        return _OP_COLUMN[folded], True
    return None, False


def read_direction(direction: str | None) -> str | None:
    """正向/反向 (指标方向性) as its own field; anything else kept folded."""
    folded = fold(direction)
    if not folded:
        return None
    return "正向" if folded.startswith("正") else "反向" if folded.startswith("反") else folded


def _no_target(folded: str) -> str | None:
    """The flag of a value that states no target (placeholder, formula), else None."""
    for text, meaning, match in _NOTARGET:
        if (
            (match == "exact" and folded == text)
            or (match == "prefix" and folded.startswith(text))
            or (match == "suffix" and folded.endswith(text))
            or (match == "contains" and text in folded)
        ):
            return meaning
    words = _PERCENT_FACTOR_RE.sub("", folded)  # 实际完成数/计划数×100% is a formula too
    if _FORMULA_RE.search(words) and not any(ch.isdigit() for ch in words):
        return "formula_not_value"
    return None


@lru_cache(maxsize=200_000)
def parse_value(
    text: str | None,
    *,
    name: str | None = None,
    op: str | None = None,
    unit: str | None = None,
    direction: str | None = None,
) -> Value:
    """Normalize one indicator value onto TAXONOMY.md §3; `name`, `op`, `unit` are optional hints.

    >>> v = parse_value("不少于190万印")
    >>> v.kind, v.op, v.number, v.unit
    ('threshold', '>=', 1900000.0, '印')
    >>> v = parse_value("100", name="验收合格率（%）")
    >>> v.kind, v.op, v.number, v.unit, v.unit_source
    ('rate', '=', 100.0, '%', 'name')
    """
    raw = "" if text is None else str(text)
    folded = fold(raw)
    direction_n = read_direction(direction)
    col_op, op_readable = _column_op(op)
    col_unit, col_factor = _column_unit(unit)
    flags: list[str] = [] if op_readable else ["op_unreadable"]

    def done(kind: str, *more: str, **fields) -> Value:
        return Value(raw, kind, flags=(*flags, *more), direction=direction_n, text=folded, **fields)

    if not folded or folded.lower() in ("nan", "none", "null"):
        return done("unspecified", "missing_value")
    folded, in_range = _expand_exponents(folded)
    if not in_range:  # 1e309: beyond float range, kept raw (never 1 with unit `e`, never Infinity)
        return done("unspecified", "number_out_of_range")
    no_target = _no_target(folded)
    if no_target:
        return done("unspecified", no_target)
    hint = _name_hint(name)
    if hint.is_date and _EXCEL_SERIAL_RE.fullmatch(folded) and 20000 <= float(folded) <= 80000:
        return done("qualitative", "excel_date")
    folded_p = expand_percent_words(folded)
    clauses = [c for c in (_DATE_RE.sub(" ", c).strip() for c in _CLAUSE_SPLIT.split(folded_p)) if c]
    numeric = [c for c in clauses if any(ch.isdigit() for ch in c)]
    quantity = _read_quantity(numeric[0]) if numeric else None
    if quantity is None and len(clauses) == 1:
        quantity = _read_cn_quantity(clauses[0])
    if quantity is None:
        return done("qualitative")
    if len(numeric) > 1:
        flags.append("compound")
    value = _assemble(quantity, hint, col_op, col_unit, col_factor, done)
    if not all(math.isfinite(x) for x in (value.number, value.number_max) if x is not None):
        return done("unspecified", "number_out_of_range")  # 400 digits, or 1e308万: no float holds it
    return value


def _expand_exponents(text: str) -> tuple[str, bool]:
    """`1.5e3次` → `1500次` (positional digits the parser reads); False when a number is beyond a float."""
    in_range = True

    def positional(m: re.Match) -> str:
        nonlocal in_range
        number = Decimal(m.group())
        sane = number == 0 or -20 <= number.adjusted() <= 308  # 1e-999999 would print a million zeros
        in_range = in_range and sane and math.isfinite(float(number))
        return format(number, "f") if in_range else m.group()

    return _EXPONENT_RE.sub(positional, text), in_range


def _scale(number: float, number_max: float | None, factor: float) -> tuple[float, float | None]:
    return number * factor, (None if number_max is None else number_max * factor)


def _assemble(
    q: _Quantity,
    hint: _NameHint,
    col_op: str | None,
    col_unit: str | None,
    col_factor: float,
    done: Callable[..., Value],
) -> Value:
    """Combine what the value says with the column and name hints into the final record."""
    flags: list[str] = []
    number, number_max, unit, source = q.number, q.number_max, q.unit, None
    if unit:
        source = "value"
        if col_unit and col_unit != unit:
            flags.append("unit_conflict")
    elif col_unit:
        unit, source = col_unit, "column"
        if not q.factor_applied:
            number, number_max = _scale(number, number_max, col_factor)
    elif hint.unit:
        unit, source = hint.unit, "name"
        if not q.factor_applied and hint.factor != 1.0:
            number, number_max = _scale(number, number_max, hint.factor)
            flags.append("name_multiplier")
    op = q.op
    if q.plusminus:
        op, number, number_max = "between", -number, number
    elif number_max is not None:
        op = "between"
    if col_op and op and col_op != op:
        flags.append("op_conflict")
    op = op or col_op or "="
    kind = ("rate" if unit in RATE_UNITS else "count") if op == "=" else "threshold"
    if op == "between" and not q.plusminus and number_max is not None and number > number_max:
        flags.append("reversed_range")  # 35-20次: kept as written, the bounds may be swapped
    if unit == "%" and not q.plusminus and (number > 100 or number < 0 or (number_max or 0) > 100):
        flags.append("rate_out_of_range")
    if unit == "%" and source != "value" and 0 < number <= 1 and op in ("=", ">=", ">"):
        flags.append("fraction_or_percent")  # a bare 1 under …率: 1 % as written, or 100 % as a fraction?
    return done(kind, *flags, op=op, number=number, number_max=number_max, unit=unit, unit_source=source)


def _flags_text(flags: tuple[str, ...]) -> str:
    return ";".join(flags)


# separate 指标性质 / 计量单位 columns of an indicators table, when present: jixiao's own `stated_*`
# names first, then the plain names an analyst's table may use
HINT_COLUMNS = {"op": ("stated_op", "op"), "unit": ("stated_unit", "unit")}


def _hint(table: pd.DataFrame, key: str, none: pd.Series) -> pd.Series:
    """The first column of HINT_COLUMNS[key] that the table has, else all None."""
    return next((table[c] for c in HINT_COLUMNS[key] if c in table.columns), none)


def _cell(value: object) -> str | None:
    """A table cell as parse_value's input: None for a missing cell, else its text."""
    return None if is_missing(value) else str(value)


def _unique_rows(columns: list[pd.Series]) -> tuple[np.ndarray, list[tuple]]:
    """Factorize rows over several columns: per-row codes and each unique row's cells as text (None when
    missing)."""
    codes, rows = unique_rows(columns)
    return codes, [tuple(None if cell is None else str(cell) for cell in row) for row in rows]


def add_value_columns(indicators: pd.DataFrame, *, actual: bool | None = None) -> pd.DataFrame:
    """Add `<prefix>_kind/_op/_number/_number_max/_unit/_unit_source/_flags` for period, annual, actual.

    Uses the `name` column, and `stated_op`/`stated_unit` (or `op`/`unit`) columns where the table has
    them (an actual value takes the unit only: 指标性质 is about the target). Each unique combination
    is parsed once. The actual_* columns are added when some row has an actual value, or as `actual`
    says (a part of a run follows the whole run).
    """
    out = indicators.copy()
    none = pd.Series([None] * len(out), index=out.index, dtype=object)
    hints = {key: _hint(out, key, none) for key in HINT_COLUMNS}
    hints["name"] = out["name"] if "name" in out.columns else none
    for column, prefix in PREFIXES.items():
        if column == "actual_value" and column in out.columns:
            if not (out[column].notna().any() if actual is None else actual):
                continue
        elif column not in out.columns:
            continue
        op_hint = none if column == "actual_value" else hints["op"]
        codes, rows = _unique_rows([out[column], hints["name"], op_hint, hints["unit"]])
        parsed = [parse_value(value, name=name, op=op, unit=unit) for value, name, op, unit in rows]
        table = {
            "kind": np.array([p.kind for p in parsed], dtype=object),
            "op": np.array([p.op for p in parsed], dtype=object),
            "number": np.array([np.nan if p.number is None else p.number for p in parsed], dtype=float),
            "number_max": np.array(
                [np.nan if p.number_max is None else p.number_max for p in parsed], dtype=float
            ),
            "unit": np.array([p.unit for p in parsed], dtype=object),
            "unit_source": np.array([p.unit_source for p in parsed], dtype=object),
            "flags": np.array([_flags_text(p.flags) for p in parsed], dtype=object),
        }
        for field, array in table.items():
            out[f"{prefix}_{field}"] = taken(array, codes)
    return out



def value_record(value: Value) -> dict:
    """The output fields of one Value as a plain dict (flags joined with ';')."""
    return {
        "kind": value.kind,
        "op": value.op,
        "number": value.number,
        "number_max": value.number_max,
        "unit": value.unit,
        "unit_source": value.unit_source,
        "flags": _flags_text(value.flags),
    }


def normalize_row(row: dict) -> dict:
    """One row of the `values` command: its fields (`op`/`unit` renamed `*_raw`) plus the value fields."""
    value = parse_value(
        _cell(row.get("value")),
        name=_cell(row.get("name")),
        op=_cell(row.get("op")),
        unit=_cell(row.get("unit")),
        direction=_cell(row.get("direction")),
    )
    result = {(f"{k}_raw" if k in ("op", "unit") else k): v for k, v in row.items()}
    if "direction" in row:
        result["direction"] = value.direction
    result.update(value_record(value))
    return result


def normalize_values(rows: Iterable[dict]) -> list[dict]:
    """Normalize rows with `value` (and optional `name`, `op`, `unit`, `direction`): the `values` command.

    Each row comes back with its own fields, input `op`/`unit` renamed `op_raw`/`unit_raw`, plus
    kind, op, number, number_max, unit, unit_source, flags (and `direction` normalized when given).

    >>> normalize_values([{"id": 1, "name": "培训人数", "value": "≥300"}])[0]["op"]
    '>='
    """
    return [normalize_row(row) for row in rows]
