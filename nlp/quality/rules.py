"""String rules of the quality stage: flag vocabulary, word lists, name kinds, placeholder/formula tests.

The words live in nlp/data/quality_words.tsv and the flags in nlp/data/flags.tsv; the checks in
nlp/quality/ apply these rules to the tables, each rule once per distinct cell (`per_unique`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from nlp import vocab
from nlp.indicators import is_placeholder_name
from nlp.numerals import numeral_table
from nlp.tablecells import cell_text, taken, unique_rows
from nlp.textnorm import fold
from nlp.values import name_asks

QUANTITATIVE = frozenset({"rate", "count", "threshold"})
LEVEL1_NAMES = {"1": "output", "2": "benefit", "3": "satisfaction", "4": "cost"}  # has_<name> columns
VALUE_SIDES = ("period", "annual", "actual")
# Flags the values stage raises (<side>_flags) that quality passes on to the indicator's `flags`; any other
# value flag is passed on too (never lost) except `missing_value`, which is decided here for both sides.
VALUE_FLAGS = (
    "placeholder",
    "formula_not_value",
    "compound",
    "unit_conflict",
    "rate_out_of_range",
    "unparsed",
    "op_conflict",
    "op_unreadable",
    "name_multiplier",
    "excel_date",
    "fraction_or_percent",
    "reversed_range",
    "number_out_of_range",
    "non_finite_number",
)
SIDE_ONLY_FLAGS = frozenset({"missing_value"})  # a blank side alone is not a missing value
NAME_KIND_MIN_PROBA = 0.8  # the classifier's name_kind is used (for `vague` only) from this probability on
BOILERPLATE_MIN_INDICATORS = 2  # a shared set of a single indicator (资金支付率 100%) is not boilerplate

_BRACKET_UNIT = re.compile(r"\(([^()]{1,4})\)\s*$")  # a unit in brackets at the end: 验收合格率(%)
NAME_DROP = re.compile(r"[\d\s()（）\[\]【】“”\"'、,，.。:：;；\-—_]+|年度?|n")  # for boilerplate names


@functools.lru_cache(maxsize=1)
def words() -> dict[str, tuple[str, ...]]:
    """Read nlp/data/quality_words.tsv into {category: words (folded)}."""
    out: dict[str, list[str]] = {}
    for row in vocab.records("quality_words.tsv"):
        out.setdefault(row["category"], []).append(fold(row["word"]).lower())
    return {k: tuple(v) for k, v in out.items()}


@functools.lru_cache(maxsize=1)
def flag_table() -> pd.DataFrame:
    """The flag vocabulary of nlp/data/flags.tsv: flag, applies_to, penalty, explanation_zh/_en."""
    return pd.DataFrame(list(vocab.records("flags.tsv")))


def is_penalty(flag: str) -> bool:
    """Does a flag lower the score? Yes unless flags.tsv marks it `penalty = no` (unknown flags count)."""
    return flag not in _informational()


@functools.lru_cache(maxsize=1)
def _informational() -> frozenset[str]:
    table = flag_table()
    return frozenset(table.loc[table["penalty"] == "no", "flag"])


# ---------------------------------------------------------------- small helpers on cell values


def cell_number(value: object) -> float | None:
    """A cell as a float, or None when it is empty or not a number."""
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if out != out else out


def per_unique(func: Callable[..., object], *columns: pd.Series) -> pd.Series:
    """`func` of each row's cells, called once per distinct combination (missing cells are None).

    The quality stage's string rules run through this, so their cost grows with the number of
    distinct names and values, not with the number of indicators.
    """
    if len(columns) == 1:
        return _per_value(func, columns[0])
    codes, rows = unique_rows(columns)
    results = np.empty(len(rows), dtype=object)
    for i, row in enumerate(rows):
        results[i] = func(*row)
    return pd.Series(results[codes], index=columns[0].index, dtype=object)


def _per_value(func: Callable[[object], object], column: pd.Series) -> pd.Series:
    """`per_unique` of one column: `func` of each distinct value, and of None for the missing cells."""
    codes, distinct = pd.factorize(column)  # -1 for a missing cell: the last result
    results = np.empty(len(distinct) + 1, dtype=object)
    for i, value in enumerate(distinct.tolist()):
        results[i] = func(value)  # one by one: a result may be a list
    results[-1] = func(None) if (codes < 0).any() else None
    return pd.Series(results[codes], index=column.index, dtype=object)


def isin_text(column: pd.Series, values: Iterable[object]) -> pd.Series:
    """`column.isin(values)`, hashed as Python objects: pandas 3's string `isin` makes an Arrow scalar of
    each value, which costs more than the whole lookup when the values are a chunk's project ids."""
    if isinstance(values, pd.Series):
        listed = values.astype(object)
    elif isinstance(values, pd.api.extensions.ExtensionArray):  # `Series.unique()`: converted at once,
        listed = values.to_numpy(dtype=object)  # not iterated cell by cell
    else:
        listed = list(values)
    return column.astype(object).isin(listed).astype(bool)


def text_column(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as strings ('' for missing cells, or an all-'' Series when the column is absent)."""
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return per_unique(cell_text, frame[column])


def string_column(frame: pd.DataFrame, column: str) -> pd.Series:
    """`text_column` as pandas' string dtype, converted once per distinct cell: comparisons on it run
    vectorized, not cell by cell as on Python objects (the view's checks make many of them)."""
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype="str")
    if frame[column].dtype == "str":  # texts already: only the missing cells change
        return frame[column].fillna("")
    codes, distinct = pd.factorize(frame[column])  # -1 for a missing cell: the last text, ''
    texts = np.array([*(cell_text(value) for value in distinct.tolist()), ""], dtype=object)
    return pd.Series(taken(texts, codes), index=frame.index)


def number_column(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as floats (NaN for missing cells and text that is not a number, or when absent)."""
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    if frame[column].dtype == np.float64:  # numbers already (the values stage's columns)
        return frame[column].copy()
    numbers = per_unique(cell_number, frame[column])
    return numbers.astype(float)


def flag_lists(column: pd.Series) -> pd.Series:
    """A `flags` column as lists of flag names (one split per distinct cell; the lists are shared)."""
    return per_unique(split_flags, column)


def split_flags(value: object) -> list[str]:
    """A `flags` cell ("a;b") as a list of flag names."""
    text = cell_text(value)
    if not text:
        return []
    return [f for f in re.split(r"[;,|]\s*", text) if f]


@functools.lru_cache(maxsize=50_000)
def name_kind_by_rule(name: str) -> str | None:
    """What an indicator name asks for: 'rate', 'count' or None, as the value stage decides it
    (nlp.values.name_asks, data: value_markers.tsv); a date is neither.

    >>> [name_kind_by_rule(n) for n in ("验收合格率（%）", "服务对象投诉次数", "安全保障", "提高工作效率")]
    ['rate', 'count', None, None]
    """
    asks = name_asks(name)
    return asks if asks in ("rate", "count") else None


@functools.lru_cache(maxsize=50_000)
def units_agree(name_unit: str, value_unit: str) -> bool:
    """Does a unit stated in a name match the value's unit, allowing a multiplier in the name (万份 ~ 份)?

    >>> units_agree("万份", "份"), units_agree("项", "次")
    (True, False)
    """
    if name_unit == value_unit:
        return True
    return any(name_unit == m + value_unit for m in numeral_table().multipliers)


@functools.lru_cache(maxsize=50_000)
def name_unit(name: str) -> str | None:
    """The unit an indicator name states in brackets at its end, e.g. '项' for '专项工作报告（项）'."""
    match = _BRACKET_UNIT.search(fold(name))
    return match.group(1).strip() if match else None


@functools.lru_cache(maxsize=50_000)
def is_placeholder(text: str) -> bool:
    """True when an indicator name is placeholder text such as 待单位补充... (values: the values stage).

    The rule is the reader's (nlp.indicators.is_placeholder_name), so a name flagged there is flagged here.
    """
    return is_placeholder_name(text)


@functools.lru_cache(maxsize=50_000)
def is_empty_value(text: str) -> bool:
    """True when a value gives nothing: empty, —, /, 无."""
    folded = fold(text).strip(" 。.;；")
    return not folded or folded in words()["empty_value"]
