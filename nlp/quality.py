"""Quality flags (docs/TAXONOMY.md section 5) and quality scores for projects and departments.

One small function per flag, in two registries keyed by flag name (`INDICATOR_CHECKS`,
`PROJECT_CHECKS`); their explanations live in `nlp/data/flags.tsv` and the words they use in
`nlp/data/quality_words.tsv`. `assess(projects, indicators)` runs them all.

Which columns each flag needs (a missing upstream column never crashes; the flag falls back
or stays silent):

- placeholder, missing_value, formula_not_value: name, period_value, annual_value (+ value flags).
- vague, kind_mismatch, unit_conflict, rate_out_of_range: the values stage's `<side>_kind`,
  `<side>_unit`, `<side>_number` (side = annual, else period). Without them a crude fallback reads
  the raw value (digits → quantitative, `%` → rate). What the name asks for comes from name rules
  (…率, （%）, 次数, 人数…); `vague` also uses the classifier's `name_kind` where no rule decides and
  `name_kind_proba` >= NAME_KIND_MIN_PROBA; `kind_mismatch` uses the rules only (the model is too
  loose to accuse a value of contradicting its name).
- level_mismatch: level1, level2. level2_predicted: level2 empty and `level2_predicted` given.
- period_annual_conflict: period_/annual_ kind, op, number, unit (silent without them).
- compound, unparsed: propagated from period_flags / annual_flags / actual_flags.
- boilerplate: name, annual_value per project, project names (and family_id when linking ran).
- no_cost_indicator: level1 / level2 (or level2_predicted). amount_mismatch: total, fiscal,
  special_account, other, and the reader's project `flags`.

Score (0–100, per project; departments pool their indicators the same way):

    score = 40·q + 20·u + 20·L/4 + 20·(1 − f)

q = share of indicators whose target (annual value, else period value) is quantitative (rate, count
or threshold); u = share whose target has a unit; L = how many of the four 一级指标 (产出, 效益,
满意度, 成本) are present (for a department: the mean over its projects); f = share of indicators
carrying at least one penalty flag (flags.tsv column `penalty`). A project with no indicators scores 0.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from nlp.project_checks import PROJECT_CHECKS, ProjectContext, boilerplate_clusters, boilerplate_projects
from nlp.quality_rules import (
    LEVEL_CODE,
    NAME_KIND_MIN_PROBA,
    QUANTITATIVE,
    SIDE_ONLY_FLAGS,
    VALUE_FLAGS,
    VALUE_SIDES,
    cell_number,
    cell_text,
    fallback_value,
    flag_table,
    is_empty_value,
    is_formula,
    is_penalty,
    is_placeholder,
    name_kind_by_rule,
    name_unit,
    number_column,
    split_flags,
    text_column,
    units_agree,
    words,
)
from nlp.textnorm import fold

__all__ = [
    "INDICATOR_CHECKS",
    "PROJECT_CHECKS",
    "VALUE_FLAGS",
    "IndicatorView",
    "QualityResult",
    "assess",
    "boilerplate_clusters",
    "flag_table",
    "indicator_flags",
    "is_penalty",
    "target_values",
]

log = logging.getLogger(__name__)

# ---------------------------------------------------------------- the indicator view


def _side(ind: pd.DataFrame, side: str) -> pd.DataFrame:
    """kind/op/number/unit of one value side, from the values stage or the raw-text fallback."""
    raw = text_column(ind, f"{side}_value")
    if f"{side}_kind" in ind.columns:
        out = pd.DataFrame(
            {
                "kind": ind[f"{side}_kind"].map(cell_text),
                "op": text_column(ind, f"{side}_op"),
                "number": number_column(ind, f"{side}_number"),
                "number_max": number_column(ind, f"{side}_number_max"),
                "unit": text_column(ind, f"{side}_unit"),
                "unit_source": text_column(ind, f"{side}_unit_source"),
            },
            index=ind.index,
        )
        out.loc[(out["kind"] == "") & raw.map(is_empty_value), "kind"] = "unspecified"
    else:
        parsed = raw.map(fallback_value)
        out = pd.DataFrame(
            {
                "kind": parsed.map(lambda p: p[0]),
                "op": "",
                "number": parsed.map(lambda p: p[1]),
                "number_max": None,
                "unit": parsed.map(lambda p: p[2] or ""),
                "unit_source": parsed.map(lambda p: "value" if p[2] else ""),
            },
            index=ind.index,
        )
    out["raw"] = raw
    return out


@dataclass
class IndicatorView:
    """The indicator table plus parsed sides and the name's kind, shared by the indicator checks."""

    table: pd.DataFrame
    period: pd.DataFrame
    annual: pd.DataFrame
    target: pd.DataFrame  # annual side where given, else period side
    name_kind: pd.Series  # what the name asks for: the rules, else a confident classifier (rate/count/None)
    name_kind_rule: pd.Series  # the rules alone
    value_flags: pd.Series  # flags the values stage raised, per indicator (list[str])


def _view(indicators: pd.DataFrame) -> IndicatorView:
    ind = indicators
    period, annual = _side(ind, "period"), _side(ind, "annual")
    use_annual = ~annual["raw"].map(is_empty_value)
    target = annual.where(use_annual, period)
    names = text_column(ind, "name")
    by_rule = names.map(name_kind_by_rule).where(~names.map(is_placeholder), None)  # a blank asks nothing
    asked = by_rule
    if "name_kind" in ind.columns:
        model = ind["name_kind"].map(cell_text)
        proba = number_column(ind, "name_kind_proba").map(lambda p: 1.0 if p is None else p)
        confident = model.isin(["rate", "count"]) & (proba >= NAME_KIND_MIN_PROBA)
        asked = by_rule.where(by_rule.notna(), model.where(confident, None))
        asked = asked.where(~names.map(is_placeholder), None)
    value_flags = pd.Series([[] for _ in range(len(ind))], index=ind.index, dtype=object)
    for side in VALUE_SIDES:
        if f"{side}_flags" in ind.columns:
            side_flags = ind[f"{side}_flags"].map(
                lambda f: [x for x in split_flags(f) if x not in SIDE_ONLY_FLAGS]
            )
            value_flags = value_flags + side_flags
    return IndicatorView(ind, period, annual, target, asked, by_rule, value_flags)


def target_values(indicators: pd.DataFrame) -> pd.DataFrame:
    """The target of each indicator (annual value, else period value): raw, kind, op, number, unit."""
    return _view(indicators).target


def _col(v: IndicatorView, column: str) -> pd.Series:
    return v.table.get(column, pd.Series("", index=v.table.index)).map(cell_text)


def _has_value_flag(v: IndicatorView, flag: str) -> pd.Series:
    return v.value_flags.map(lambda flags: flag in flags)


# ---------------------------------------------------------------- indicator checks


def _placeholder(v: IndicatorView) -> pd.Series:
    texts = [_col(v, "name"), v.period["raw"], v.annual["raw"]]
    hit = texts[0].map(is_placeholder) | texts[1].map(is_placeholder) | texts[2].map(is_placeholder)
    return hit | _has_value_flag(v, "placeholder")


def _formula_not_value(v: IndicatorView) -> pd.Series:
    hit = v.period["raw"].map(is_formula) | v.annual["raw"].map(is_formula)
    return hit | _has_value_flag(v, "formula_not_value")


def _vague(v: IndicatorView) -> pd.Series:
    return (v.target["kind"] == "qualitative") & v.name_kind.isin(["rate", "count"])


def _kind_mismatch(v: IndicatorView) -> pd.Series:
    unit = v.target["unit"]
    count_with_rate = (v.name_kind_rule == "count") & unit.isin(["%", "‰"])
    rate_units = set(words()["rate_unit"])
    rate_with_count = (v.name_kind_rule == "rate") & (unit != "") & ~unit.isin(rate_units)
    return count_with_rate | rate_with_count


def _unit_conflict(v: IndicatorView) -> pd.Series:
    stated = _col(v, "name").map(lambda n: name_unit(n) or "")
    unit = v.target["unit"]
    percent = stated.isin(["%", "‰"]) | unit.isin(["%", "‰"])  # %-vs-count is kind_mismatch
    from_value = v.target["unit_source"].isin(["value", ""])
    agree = pd.Series(
        [units_agree(s, u) for s, u in zip(stated, unit, strict=True)], index=unit.index, dtype=bool
    )
    hit = (stated != "") & (unit != "") & ~agree & ~percent & from_value
    return hit | _has_value_flag(v, "unit_conflict")


def _level_mismatch(v: IndicatorView) -> pd.Series:
    def code(text: str) -> str:
        match = LEVEL_CODE.match(fold(text))
        return match.group(1) if match else ""

    l1, l2 = _col(v, "level1").map(code), _col(v, "level2").map(code)
    return (l1 != "") & (l2 != "") & (l1.str[:1] != l2.str[:1])


def _bound_conflict(period: dict, annual: dict) -> bool:
    """Do two parsed values (kind/op/number/unit) of one indicator contradict each other?"""
    kinds = {period["kind"], annual["kind"]}
    if "unspecified" in kinds or "" in kinds:
        return False  # nothing to compare: missing_value / placeholder speak for these
    quantitative = [k in QUANTITATIVE for k in (period["kind"], annual["kind"])]
    if quantitative[0] != quantitative[1]:
        return True  # a number on one side, words on the other
    if not all(quantitative):
        return False
    if period["unit"] and annual["unit"] and period["unit"] != annual["unit"]:
        return True
    directions = {op[:1] for op in (period["op"], annual["op"]) if op and op[:1] in "<>"}
    if len(directions) == 2:
        return True  # one says at least, the other at most
    p, a = period["number"], annual["number"]
    if p is None or a is None:
        return False
    additive = (period["unit"] or annual["unit"]) not in ("%", "‰", "分")
    return additive and a > p  # a year cannot need more than the whole implementation period


def _period_annual_conflict(v: IndicatorView) -> pd.Series:
    fields = ["kind", "op", "number", "unit"]
    memo: dict[tuple, bool] = {}  # real tables repeat the same value pairs a lot
    hits = []
    sides = (v.period[fields].itertuples(index=False), v.annual[fields].itertuples(index=False))
    for pair in zip(*sides, strict=True):
        if pair not in memo:
            memo[pair] = _bound_conflict(pair[0]._asdict(), pair[1]._asdict())
        hits.append(memo[pair])
    return pd.Series(hits, index=v.table.index, dtype=bool)


def _rate_out_of_range(v: IndicatorView) -> pd.Series:
    hit = pd.Series(False, index=v.table.index)
    for side in (v.period, v.annual):
        percent = side["unit"] == "%"
        for column in ("number", "number_max"):
            numbers = side[column].map(cell_number)
            hit |= percent & numbers.map(lambda x: x is not None and (x > 100 or x < 0))
    return hit | _has_value_flag(v, "rate_out_of_range")


def _compound(v: IndicatorView) -> pd.Series:
    return _has_value_flag(v, "compound")


def _missing_value(v: IndicatorView) -> pd.Series:
    return v.period["raw"].map(is_empty_value) & v.annual["raw"].map(is_empty_value)


def _unparsed(v: IndicatorView) -> pd.Series:
    return _has_value_flag(v, "unparsed")


def _level2_predicted(v: IndicatorView) -> pd.Series:
    return (_col(v, "level2") == "") & (_col(v, "level2_predicted") != "")


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


# ---------------------------------------------------------------- assess


@dataclass
class QualityResult:
    """Projects with quality columns and merged flags, indicators with merged flags, and the quality table."""

    projects: pd.DataFrame
    indicators: pd.DataFrame
    quality: pd.DataFrame


def _merge(*lists: list[str]) -> str:
    seen: dict[str, None] = {}
    for flags in lists:
        for flag in flags:
            seen.setdefault(flag, None)
    return ";".join(seen)


def indicator_flags(indicators: pd.DataFrame) -> pd.Series:
    """The quality flags of every indicator (list[str], registry order), without the reader's own flags."""
    view = _view(indicators)
    found = pd.Series([[] for _ in range(len(indicators))], index=indicators.index, dtype=object)
    for flag, check in INDICATOR_CHECKS.items():
        hit = check(view).reindex(indicators.index, fill_value=False).astype(bool)
        found = found.combine(hit, lambda flags, h, f=flag: [*flags, f] if h else flags)
    return found.combine(view.value_flags, lambda mine, theirs: list(dict.fromkeys([*mine, *theirs])))


def assess(projects: pd.DataFrame, indicators: pd.DataFrame) -> QualityResult:
    """Flag indicators and projects (TAXONOMY §5), score them, and build the `quality` table."""
    from nlp.scores import score_table  # scores read the flags computed here

    projects = projects.reset_index(drop=True).copy()
    indicators = indicators.reset_index(drop=True).copy()
    for column in ("project_id", "project"):
        if column not in projects.columns:
            projects[column] = ""
    if "project_id" not in indicators.columns:
        indicators["project_id"] = ""
    mine = indicator_flags(indicators) if len(indicators) else pd.Series(dtype=object)
    ctx = ProjectContext(projects, indicators, mine)
    boiler = ctx.projects["project_id"].isin(boilerplate_projects(projects, indicators))
    boiler_ind = indicators["project_id"].isin(set(projects.loc[boiler, "project_id"]))
    mine = mine.combine(boiler_ind, lambda flags, b: [*flags, "boilerplate"] if b else flags)
    reader = indicators.get("flags", pd.Series("", index=indicators.index)).map(split_flags)
    indicators["flags"] = [_merge(r, m) for r, m in zip(reader, mine, strict=True)]

    project_found = pd.Series([[] for _ in range(len(projects))], index=projects.index, dtype=object)
    for flag, check in PROJECT_CHECKS.items():
        hit = check(ctx).reindex(projects.index, fill_value=False).astype(bool)
        project_found = project_found.combine(hit, lambda flags, h, f=flag: [*flags, f] if h else flags)
    reader_p = projects.get("flags", pd.Series("", index=projects.index)).map(split_flags)
    projects["flags"] = [_merge(r, m) for r, m in zip(reader_p, project_found, strict=True)]

    quality = score_table(projects, indicators, _view(indicators) if len(indicators) else None)
    per_project = quality[quality["scope"] == "project"].set_index("key")
    for column in ("quality_score", "share_quantitative", "share_with_unit", "n_flagged_indicators"):
        projects[column] = projects["project_id"].map(per_project[column])
    return QualityResult(projects, indicators, quality)
