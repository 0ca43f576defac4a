"""String rules of the quality stage: flag vocabulary, word lists, name kinds, placeholder/formula tests.

The words live in nlp/data/quality_words.tsv and the flags in nlp/data/flags.tsv; nlp/quality.py and
nlp/project_checks.py apply these rules to the tables.
"""

from __future__ import annotations

import csv
import functools
import re
from importlib import resources

import pandas as pd

from nlp.textnorm import fold

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

LEVEL_CODE = re.compile(r"^\s*(\d+)\s*-")  # "31-服务对象满意度" -> "31"
_BRACKET_UNIT = re.compile(r"\(([^()]{1,4})\)\s*$")  # a unit in brackets at the end: 验收合格率(%)
_FORMULA = re.compile(
    r"[\u4e00-\u9fff][^/÷]*[/÷][^/÷]*[\u4e00-\u9fff]"  # words / words: 实际完成的工作量/计划完成的工作量
    r"|[×x*]\s*100\s*%"  # ... ×100%
)
_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_UNIT_AFTER = re.compile(r"\d\s*(%|‰|[\u4e00-\u9fff]{1,2})")  # fallback: first unit after a number
NAME_DROP = re.compile(r"[\d\s()（）\[\]【】“”\"'、,，.。:：;；\-—_]+|年度?|n")  # for boilerplate names


@functools.lru_cache(maxsize=1)
def words() -> dict[str, tuple[str, ...]]:
    """Read nlp/data/quality_words.tsv into {category: words (folded)}."""
    out: dict[str, list[str]] = {}
    text = resources.files("nlp.data").joinpath("quality_words.tsv").read_text(encoding="utf-8")
    rows = csv.DictReader((line for line in text.splitlines() if not line.startswith("#")), delimiter="\t")
    for row in rows:
        out.setdefault(row["category"], []).append(fold(row["word"]).lower())
    return {k: tuple(v) for k, v in out.items()}


@functools.lru_cache(maxsize=1)
def flag_table() -> pd.DataFrame:
    """The flag vocabulary of nlp/data/flags.tsv: flag, applies_to, penalty, explanation_zh/_en."""
    text = resources.files("nlp.data").joinpath("flags.tsv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t"))
    return pd.DataFrame(rows)


def is_penalty(flag: str) -> bool:
    """Does a flag lower the score? Yes unless flags.tsv marks it `penalty = no` (unknown flags count)."""
    return flag not in _informational()


@functools.lru_cache(maxsize=1)
def _informational() -> frozenset[str]:
    table = flag_table()
    return frozenset(table.loc[table["penalty"] == "no", "flag"])


# ---------------------------------------------------------------- small helpers on cell values


def cell_text(value: object) -> str:
    """A cell as a string; NaN/None/NA → ''."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def cell_number(value: object) -> float | None:
    """A cell as a float, or None when it is empty or not a number."""
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if out != out else out


def text_column(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as strings ('' for missing cells, or an all-'' Series when the column is absent)."""
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[column].map(cell_text)


def number_column(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as floats or None (all None when the column is absent)."""
    if column not in frame.columns:
        return pd.Series(None, index=frame.index, dtype=object)
    return frame[column].map(cell_number)


def split_flags(value: object) -> list[str]:
    """A `flags` cell ("a;b") as a list of flag names."""
    text = cell_text(value)
    if not text:
        return []
    return [f for f in re.split(r"[;,|]\s*", text) if f]


@functools.lru_cache(maxsize=50_000)
def name_kind_by_rule(name: str) -> str | None:
    """What an indicator name asks for by the name rules: 'rate', 'count' or None (undecided).

    >>> [name_kind_by_rule(n) for n in ("验收合格率（%）", "服务对象投诉次数", "安全保障", "提高工作效率")]
    ['rate', 'count', None, None]
    """
    text = fold(name)
    bracket = _BRACKET_UNIT.search(text)
    if bracket:
        unit = bracket.group(1).strip()
        if unit in ("%", "‰"):
            return "rate"
        if unit in words()["count_unit"]:
            return "count"
        text = text[: bracket.start()]
    text = text.rstrip()
    if text.endswith(words()["count_suffix"]):
        return "count"
    if text.endswith(words()["rate_suffix"]) and not text.endswith(words()["not_rate_suffix"]):
        return "rate"
    return None


@functools.lru_cache(maxsize=50_000)
def units_agree(name_unit: str, value_unit: str) -> bool:
    """Does a unit stated in a name match the value's unit, allowing a multiplier in the name (万份 ~ 份)?

    >>> units_agree("万份", "份"), units_agree("项", "次")
    (True, False)
    """
    if name_unit == value_unit:
        return True
    return any(name_unit == m + value_unit for m in words()["multiplier"])


@functools.lru_cache(maxsize=50_000)
def name_unit(name: str) -> str | None:
    """The unit an indicator name states in brackets at its end, e.g. '项' for '专项工作报告（项）'."""
    match = _BRACKET_UNIT.search(fold(name))
    return match.group(1).strip() if match else None


@functools.lru_cache(maxsize=50_000)
def is_placeholder(text: str) -> bool:
    """True when a name or value is placeholder text such as 待单位补充..."""
    folded = fold(text).lower()
    return bool(folded) and any(word in folded for word in words()["placeholder"])


@functools.lru_cache(maxsize=50_000)
def is_empty_value(text: str) -> bool:
    """True when a value gives nothing: empty, —, /, 无."""
    folded = fold(text).strip(" 。.;；")
    return not folded or folded in words()["empty_value"]


@functools.lru_cache(maxsize=50_000)
def is_formula(text: str) -> bool:
    """True when a value is a formula or definition rather than a target (…/…, …的次数)."""
    folded = fold(text).strip(" 。.;；")
    if not folded or is_placeholder(folded):
        return False
    if _FORMULA.search(folded):
        return True
    return not _DIGIT.search(folded) and folded.endswith(words()["definition_suffix"])


@functools.lru_cache(maxsize=50_000)
def fallback_value(text: str) -> tuple[str, float | None, str | None]:
    """Crude (kind, number, unit) when the values stage has not run: digits → count/rate, else qualitative."""
    folded = fold(text)
    if is_empty_value(folded) or is_placeholder(folded):
        return "unspecified", None, None
    if is_formula(folded):
        return "unspecified", None, None
    number = _NUMBER.search(folded)
    if not number:
        return "qualitative", None, None
    unit = _UNIT_AFTER.search(folded)
    unit_text = unit.group(1) if unit else None
    return ("rate" if unit_text in ("%", "‰") else "count"), float(number.group()), unit_text
