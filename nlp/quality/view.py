"""The indicator view: the table with its parsed value sides and what each name asks for, built once.

Every indicator check and the score table read this view (`build_view`), so the columns are
converted and the name rules run once per `assess`, each rule once per distinct cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nlp.levels import code_digits
from nlp.quality.rules import (
    NAME_KIND_MIN_PROBA,
    SIDE_ONLY_FLAGS,
    VALUE_SIDES,
    cell_text,
    is_empty_value,
    is_placeholder,
    name_kind_by_rule,
    number_column,
    per_unique,
    split_flags,
    string_column,
    unique_rows,
)
from nlp.tablecells import taken
from nlp.textnorm import fold
from nlp.values import add_value_columns

SIDE_FIELDS = ("kind", "op", "number", "number_max", "unit", "unit_source", "raw")


def _side(ind: pd.DataFrame, side: str) -> pd.DataFrame:
    """kind/op/number/unit of one value side, as the values stage read it; `empty` = no value given."""
    raw = string_column(ind, f"{side}_value")
    empty = per_unique(is_empty_value, raw).astype(bool)
    out = pd.DataFrame(
        {
            "kind": string_column(ind, f"{side}_kind"),
            "op": string_column(ind, f"{side}_op"),
            "number": number_column(ind, f"{side}_number"),
            "number_max": number_column(ind, f"{side}_number_max"),
            "unit": string_column(ind, f"{side}_unit"),
            "unit_source": string_column(ind, f"{side}_unit_source"),
        },
        index=ind.index,
    )
    out["kind"] = out["kind"].where((out["kind"] != "") | ~empty, "unspecified")
    out["raw"] = raw
    out["empty"] = empty
    return out


@dataclass(frozen=True)
class ValueFlags:
    """The flags the values stage raised, per indicator: a code per row into `lists` (distinct combos)."""

    codes: np.ndarray
    lists: list[list[str]]  # flags of period, annual, actual in order, without SIDE_ONLY_FLAGS

    def has(self, flag: str) -> np.ndarray:
        """Per indicator: did the values stage raise `flag` on any side?"""
        return np.array([flag in flags for flags in self.lists], dtype=bool)[self.codes]


def _value_flags(ind: pd.DataFrame) -> ValueFlags:
    columns = [ind[f"{side}_flags"] for side in VALUE_SIDES if f"{side}_flags" in ind.columns]
    if not columns:
        return ValueFlags(np.zeros(len(ind), dtype=np.int64), [[]])
    codes, rows = unique_rows(columns)
    lists = [[f for cell in row for f in split_flags(cell) if f not in SIDE_ONLY_FLAGS] for row in rows]
    return ValueFlags(codes, lists)


LEVEL_COLUMNS = ("level1", "level2", "level2_predicted")


def _first_digit(text: str) -> str:
    return code_digits(text)[:1]


def _level_fact(level1: object, level2: object, predicted: object) -> tuple[str, bool, bool, bool]:
    """code, cost, mismatch, predicted of one (level1, level2, level2_predicted): see `level_facts`."""
    l1, l2, l2p = cell_text(level1), cell_text(level2), cell_text(predicted)
    d1, d2 = _first_digit(l1), _first_digit(l2)
    code = d1 or d2 or _first_digit(l2p)
    cost = code == "4" or fold(l2 or l2p).startswith("14")
    return code, cost, d1 != "" and d2 != "" and d1 != d2, l2 == "" and l2p != ""


def level_facts(ind: pd.DataFrame) -> pd.DataFrame:
    """What the level columns say of each indicator, once per distinct (level1, level2, level2_predicted):
    `code`, the first digit of the level1 code, else of level2's, else of the predicted level2's ('' for
    none); `cost`, a cost indicator (code 4, or a level2 code, else the predicted one, starting with 14);
    `mismatch`, level1 and level2 codes both given with different first digits; `predicted`, no level2
    but a predicted one. A missing column counts as empty."""
    none = pd.Series(None, index=ind.index, dtype=object)
    codes, rows = unique_rows([ind[c] if c in ind.columns else none for c in LEVEL_COLUMNS])
    facts = [_level_fact(*row) for row in rows]
    code = np.array([f[0] for f in facts], dtype=object)
    flags = np.array([f[1:] for f in facts], dtype=bool).reshape(len(facts), 3)[codes]
    return pd.DataFrame(
        {"code": code[codes], "cost": flags[:, 0], "mismatch": flags[:, 1], "predicted": flags[:, 2]},
        index=ind.index,
    )


@dataclass(frozen=True)
class IndicatorView:
    """The indicator table plus parsed sides and the name's kind, shared by the checks and the scores."""

    table: pd.DataFrame
    period: pd.DataFrame
    annual: pd.DataFrame
    target: pd.DataFrame  # annual side where given, else period side
    names: pd.Series  # the name as text
    name_placeholder: pd.Series  # bool: the name is template text
    name_kind: pd.Series  # what the name asks for: the rules, else a confident classifier (rate/count/'')
    name_kind_rule: pd.Series  # the rules alone
    value_flags: ValueFlags
    levels: pd.DataFrame  # level_facts of the table


def build_view(indicators: pd.DataFrame) -> IndicatorView:
    """The view of an indicators table (any subset of the pipeline's columns).

    A table without the values stage's columns is read by the values stage first: placeholders,
    formulas and rates out of range are decided there, once (nlp.values), and only read here.
    """
    ind = indicators if "annual_kind" in indicators.columns else add_value_columns(indicators)
    period, annual = _side(ind, "period"), _side(ind, "annual")
    given = ~annual["empty"]  # column by column: DataFrame.where over mixed dtypes costs twice as much
    target = pd.DataFrame({c: annual[c].where(given, period[c]) for c in annual.columns})
    names, placeholder, by_rule = _name_rules(ind)
    asked = by_rule
    if "name_kind" in ind.columns:
        model = string_column(ind, "name_kind")
        proba = number_column(ind, "name_kind_proba").fillna(1.0)
        confident = model.isin(["rate", "count"]) & (proba >= NAME_KIND_MIN_PROBA)
        asked = by_rule.where((by_rule != "") | ~confident, model).where(~placeholder, "")
    flags, levels = _value_flags(ind), level_facts(ind)
    return IndicatorView(ind, period, annual, target, names, placeholder, asked, by_rule, flags, levels)


def _name_rules(ind: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The names as text, whether each is template text, and what the rules say it asks for ('rate',
    'count' or '': a template asks nothing), once per distinct name."""
    names = string_column(ind, "name")
    codes, distinct = pd.factorize(names)
    texts = distinct.tolist()
    placeholder = np.array([is_placeholder(name) for name in texts], dtype=bool)
    asks = [("" if p else name_kind_by_rule(t) or "") for t, p in zip(texts, placeholder, strict=True)]
    rule = pd.Series(taken(np.array(asks, dtype=object), codes), index=ind.index)
    return names, pd.Series(placeholder[codes], index=ind.index), rule


def target_values(indicators: pd.DataFrame) -> pd.DataFrame:
    """The target of each indicator (annual value, else period value): raw, kind, op, number, unit."""
    return build_view(indicators).target[list(SIDE_FIELDS)]
