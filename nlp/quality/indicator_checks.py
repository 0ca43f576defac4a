"""Indicator checks (TAXONOMY §5): one small function per flag, each a boolean column over the view.

`flag_frame(view)` runs the registry `INDICATOR_CHECKS` into a boolean frame with one column per flag;
the flag names are joined once per distinct row of that frame (`join_flags`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from nlp.quality.rules import (
    QUANTITATIVE,
    name_unit,
    per_unique,
    split_flags,
    units_agree,
    words,
)
from nlp.quality.view import IndicatorView, ValueFlags
from nlp.values import RATE_UNITS


def _rate_name_units() -> set[str]:
    """Units a rate name may carry: a share's (% ‰, nlp.values) and quality_words.tsv's `rate_unit` (分)."""
    return {*RATE_UNITS, *words()["rate_unit"]}


def _placeholder(v: IndicatorView) -> pd.Series:
    return v.name_placeholder | v.value_flags.has("placeholder")  # a value: as the values stage read it


def _formula_not_value(v: IndicatorView) -> pd.Series:
    return pd.Series(v.value_flags.has("formula_not_value"), index=v.table.index)  # the values stage's


def _vague(v: IndicatorView) -> pd.Series:
    return (v.target["kind"] == "qualitative") & v.name_kind.isin(["rate", "count"])


def _kind_mismatch(v: IndicatorView) -> pd.Series:
    unit = v.target["unit"]
    count_with_rate = (v.name_kind_rule == "count") & unit.isin(RATE_UNITS)
    rate_with_count = (v.name_kind_rule == "rate") & (unit != "") & ~unit.isin(_rate_name_units())
    return count_with_rate | rate_with_count


def _unit_conflict(v: IndicatorView) -> pd.Series:
    stated = per_unique(lambda n: name_unit(n) or "", v.names)
    unit = v.target["unit"]
    percent = stated.isin(RATE_UNITS) | unit.isin(RATE_UNITS)  # %-vs-count is kind_mismatch
    from_value = v.target["unit_source"].isin(["value", ""])
    agree = per_unique(units_agree, stated, unit).astype(bool)
    hit = (stated != "") & (unit != "") & ~agree & ~percent & from_value
    return hit | v.value_flags.has("unit_conflict")


def _level_mismatch(v: IndicatorView) -> pd.Series:
    """Both level codes given (a code has at least one digit) and their first digits differ."""
    return v.levels["mismatch"]


def _sign(op: str | None) -> str:
    first = (op or "")[:1]
    return first if first in ("<", ">") else ""


def _direction(op: pd.Series) -> pd.Series:
    """'<' or '>' where the operator starts with one, else '' (once per distinct operator)."""
    return per_unique(_sign, op)


def _period_annual_conflict(v: IndicatorView) -> pd.Series:
    """Do the period and annual values of one indicator contradict each other?

    Nothing to compare when a side has no kind (missing_value / placeholder speak for these); a number
    on one side and words on the other conflict; two numbers conflict when their units differ, when
    one says at least and the other at most, or when the year asks more than the whole period
    (additive units only, not %, ‰ or 分).
    """
    p, a = v.period, v.annual
    comparable = ~(p["kind"].isin(["unspecified", ""]) | a["kind"].isin(["unspecified", ""]))
    qp, qa = p["kind"].isin(QUANTITATIVE), a["kind"].isin(QUANTITATIVE)
    units_differ = (p["unit"] != "") & (a["unit"] != "") & (p["unit"] != a["unit"])
    dp, da = _direction(p["op"]), _direction(a["op"])
    opposite = (dp != "") & (da != "") & (dp != da)
    unit = p["unit"].where(p["unit"] != "", a["unit"])
    additive = ~unit.isin(_rate_name_units())  # a share or a score does not add up over the years
    more = (a["number"] > p["number"]).fillna(False)  # NaN on either side compares False
    return comparable & ((qp != qa) | (qp & qa & (units_differ | opposite | (additive & more))))


def _rate_out_of_range(v: IndicatorView) -> pd.Series:
    return pd.Series(v.value_flags.has("rate_out_of_range"), index=v.table.index)  # the values stage's


def _compound(v: IndicatorView) -> pd.Series:
    return pd.Series(v.value_flags.has("compound"), index=v.table.index)


def _missing_value(v: IndicatorView) -> pd.Series:
    return v.period["empty"] & v.annual["empty"]


def _unparsed(v: IndicatorView) -> pd.Series:
    return pd.Series(v.value_flags.has("unparsed"), index=v.table.index)


def _level2_predicted(v: IndicatorView) -> pd.Series:
    return v.levels["predicted"]


INDICATOR_CHECKS: dict[str, Callable[[IndicatorView], pd.Series]] = {
    "placeholder": _placeholder,
    "formula_not_value": _formula_not_value,
    "vague": _vague,
    "kind_mismatch": _kind_mismatch,
    "unit_conflict": _unit_conflict,
    "level_mismatch": _level_mismatch,
    "period_annual_conflict": _period_annual_conflict,
    "rate_out_of_range": _rate_out_of_range,
    "compound": _compound,
    "missing_value": _missing_value,
    "unparsed": _unparsed,
    "level2_predicted": _level2_predicted,
}


def flag_frame(view: IndicatorView) -> pd.DataFrame:
    """One boolean column per indicator check (registry order), one row per indicator."""
    index = view.table.index
    return pd.DataFrame(
        {flag: np.asarray(check(view), dtype=bool) for flag, check in INDICATOR_CHECKS.items()}, index=index
    )


def join_flags(
    reader: pd.Series, found: pd.DataFrame, value_flags: ValueFlags, later: pd.DataFrame
) -> pd.Series:
    """The `flags` cell of each indicator: the reader's flags, the checks found, the values stage's, `later`.

    `found` and `later` are boolean frames (a column per flag); duplicates are dropped, first kept.
    The names are joined once per distinct row.
    """
    names = [*found.columns]
    late = [*later.columns]
    codes = pd.Series(value_flags.codes, index=found.index)

    def join(text: object, code: int, *hits: bool) -> str:
        flags = [*split_flags(text), *(n for n, h in zip(names, hits, strict=False) if h)]
        flags += value_flags.lists[code]
        flags += [n for n, h in zip(late, hits[len(names) :], strict=True) if h]
        return ";".join(dict.fromkeys(flags))

    columns = [found[c] for c in names] + [later[c] for c in late]
    return per_unique(join, reader, codes, *columns)
