"""Self-evaluation verdicts on tables: the indicators' achieved/score columns, the two flags, summaries.

`add_achievement` runs before the quality stage (so `score_mismatch` and `total_mismatch` are counted
with the other flags) and `achievement_quality` after it (per project and department summaries);
`achievement_report` is report.json's `achievement` section and `missed_and_mismatched` the ranked list
of the HTML report and the notebook. The rule itself is in nlp/achievement.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nlp.achievement import (
    COST_LEVELS,
    FULL_MARKS,
    SCORE_TOLERANCE,
    Achievement,
    judge,
    score_shares,
)
from nlp.quality.rules import isin_text, per_unique, split_flags
from nlp.schema import Value
from nlp.tablecells import cell_text
from nlp.textnorm import fold

__all__ = [
    "SUMMARY_COLUMNS",
    "achievement_quality",
    "achievement_report",
    "achievement_summary",
    "add_achievement",
    "department_summary",
    "missed_and_mismatched",
    "project_summary",
    "self_evaluated",
    "with_summary",
]

_SIDE_FIELDS = ("kind", "op", "number", "number_max", "unit", "unit_source", "flags")


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as text, '' for missing cells (or all '' when the table has no such column)."""
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    column_ = frame[column]
    values = column_.to_numpy(dtype=object, na_value="")
    if not pd.api.types.is_string_dtype(column_) and not pd.api.types.is_object_dtype(column_):
        values = np.array([str(v) for v in values], dtype=object)  # a numeric column read as text
    return pd.Series(values, index=frame.index, dtype=object)


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as floats, NaN where missing or not a number."""
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    cells = frame[column]
    if len(cells) and cells.dtype == object and not cells.notna().any():  # a column no row states
        return pd.Series(np.nan, index=frame.index, dtype=float)
    return pd.to_numeric(cells, errors="coerce")


def _given(frame: pd.DataFrame, column: str) -> pd.Series:
    """Is a cell of the column not blank (once per distinct cell; all False when the column is absent)?"""
    if column not in frame.columns:
        return pd.Series(False, index=frame.index)
    return per_unique(lambda cell: cell_text(cell).strip() != "", frame[column]).astype(bool)


def _filled(frame: pd.DataFrame, column: str) -> pd.Series:
    """`_text(frame, column) != ""`, once per distinct cell."""
    if column not in frame.columns:
        return pd.Series(False, index=frame.index)
    return per_unique(lambda cell: cell_text(cell) != "", frame[column]).astype(bool)


def _value(
    raw: str, kind: str, op: str, number: float, number_max: float, unit: str, source: str, flags: str
) -> Value:
    """A Value back from the `<side>_*` columns of a table (empty cells → None)."""

    def num(x: float) -> float | None:
        return None if x != x else float(x)

    return Value(
        raw,
        kind or "unspecified",
        op or None,
        num(number),
        num(number_max),
        unit or None,
        source or None,
        tuple(split_flags(flags)),
        text=fold(raw),
    )


def _side(ind: pd.DataFrame, side: str) -> pd.DataFrame:
    out = pd.DataFrame({"raw": _text(ind, f"{side}_value")}, index=ind.index)
    for field in _SIDE_FIELDS:
        column = f"{side}_{field}"
        out[field] = _numbers(ind, column) if field.startswith("number") else _text(ind, column)
    return out


def self_evaluated(projects: pd.DataFrame, indicators: pd.DataFrame) -> pd.Series:
    """Indicators of a self-evaluation: a row of their document states an actual or a 得分, or their
    project a 总分 (so a row whose actual cell is empty or cut off still counts, as not_comparable)."""
    has = _given(indicators, "actual_value") | _numbers(indicators, "score").notna()
    with_total = set(_text(projects, "project_id")[_numbers(projects, "total_score").notna()])
    if not has.any() and not with_total:  # a plan, not a self-evaluation
        return pd.Series(False, index=indicators.index)
    doc, pid = _text(indicators, "doc"), _text(indicators, "project_id")
    stated = isin_text(pid, set(pid[has].unique()) | with_total)
    return (isin_text(doc, doc[has].unique()) & (doc != "")) | stated


def _set_flag(frame: pd.DataFrame, hit: np.ndarray, flag: str) -> pd.Series | np.ndarray:
    """The `a;b` flag cells of a table with `flag` present exactly where `hit` (added once, removed
    elsewhere); the text column itself when that changes nothing."""
    column = frame.get("flags", pd.Series("", index=frame.index, dtype="str"))
    named = per_unique(lambda cell: flag in cell_text(cell), column).to_numpy(dtype=bool)
    if not hit.any() and not named.any() and column.dtype == "str" and not column.isna().any():
        return column
    flags = _text(frame, "flags")
    cells = flags.to_numpy(dtype=object, copy=True)
    stale = np.flatnonzero(named)
    for i in stale:  # rare: tables read back from a previous run
        cells[i] = ";".join(f for f in split_flags(cells[i]) if f != flag)
    add = np.flatnonzero(hit)
    cells[add] = [f"{c};{flag}" if c else flag for c in cells[add]]
    return cells


def _judge_row(row: tuple) -> Achievement:
    """judge() on one row of the key frame: target fields, actual fields, direction, cost."""
    n = 1 + len(_SIDE_FIELDS)
    return judge(_value(*row[:n]), _value(*row[n : 2 * n]), row[2 * n] or None, bool(row[2 * n + 1]))


def _keys(ind: pd.DataFrame) -> pd.DataFrame:
    """What judge() reads per indicator: target and actual fields, stated direction, cost level."""
    annual, period = _side(ind, "annual"), _side(ind, "period")
    use_period = (annual["raw"].str.strip() == "") & (period["raw"].str.strip() != "")
    target = annual.where(~use_period, period)  # the 年度指标值, else the 实施周期指标值
    level2 = _text(ind, "level2_final").where(_text(ind, "level2_final") != "", _text(ind, "level2"))
    cost = _text(ind, "level1").str.match(COST_LEVELS) | level2.str.match(COST_LEVELS)
    direction = _text(ind, "stated_direction").rename("dir")
    return pd.concat(
        [target.add_prefix("t_"), _side(ind, "actual").add_prefix("a_"), direction, cost], axis=1
    )


def add_achievement(projects: pd.DataFrame, indicators: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add achieved, achievement_ratio, achievement_note, score_recomputed to self-evaluation indicators,
    and the flags score_mismatch (indicators) and total_mismatch (projects). Idempotent.

    Each distinct (target, actual, direction, cost) is judged once; everything else is column arithmetic.
    """
    ind, proj = indicators.copy(), projects.copy()
    selfeval = self_evaluated(proj, ind).to_numpy()
    achieved = np.full(len(ind), None, dtype=object)
    ratio, low, high = np.full(len(ind), np.nan), np.full(len(ind), np.nan), np.full(len(ind), np.nan)
    note = np.full(len(ind), None, dtype=object)
    if selfeval.any():
        keys = _keys(ind[selfeval])
        codes = keys.groupby(list(keys.columns), dropna=False, sort=False).ngroup().to_numpy()
        first = pd.Series(range(len(keys))).groupby(codes).first().to_numpy()
        verdicts = [_judge_row(row) for row in keys.iloc[first].itertuples(index=False)]
        shares = [score_shares(v) or (np.nan, np.nan) for v in verdicts]
        where, weight = np.flatnonzero(selfeval), _numbers(ind, "weight").to_numpy()[selfeval]
        achieved[where] = np.array([v.achieved for v in verdicts], dtype=object)[codes]
        ratio[where] = np.array([np.nan if v.ratio is None else v.ratio for v in verdicts])[codes]
        note[where] = np.array([v.note or None for v in verdicts], dtype=object)[codes]
        low[where] = np.round(weight * np.array([s[0] for s in shares])[codes], 2)
        high[where] = np.round(weight * np.array([s[1] for s in shares])[codes], 2)
    ind["achieved"], ind["achievement_ratio"], ind["achievement_note"] = achieved, ratio, note
    ind["score_recomputed"] = high
    stated = _numbers(ind, "score").to_numpy()
    mismatch = (stated < low - SCORE_TOLERANCE) | (stated > high + SCORE_TOLERANCE)
    ind["flags"] = _set_flag(ind, mismatch, "score_mismatch")
    proj["flags"] = _set_flag(proj, _total_mismatch(proj, ind).to_numpy(), "total_mismatch")
    return proj, ind


def _total_mismatch(projects: pd.DataFrame, indicators: pd.DataFrame) -> pd.Series:
    """Per project: do its stated indicator scores fail to add up to its stated 总分 (total_check)?"""
    scores, weights = _numbers(indicators, "score"), _numbers(indicators, "weight")
    given = scores.notna() | weights.notna()  # rows with neither are headings or prose
    if not given.any():
        return pd.Series(False, index=projects.index, dtype=bool)
    frame = pd.DataFrame({"score": scores, "weight": weights, "pid": _text(indicators, "project_id")})[given]
    g = frame.groupby("pid", sort=False)
    sums = pd.DataFrame(
        {
            "n": g.size(),
            "complete": g["score"].count().eq(g.size()) & g["weight"].count().eq(g.size()),
            "scores": g["score"].sum(),
            "weights": g["weight"].sum(),
        }
    ).reindex(_text(projects, "project_id").to_numpy())
    total = _numbers(projects, "total_score").to_numpy()
    gap = total - sums["scores"].to_numpy()
    room = np.maximum(FULL_MARKS - sums["weights"].to_numpy(), 0.0)
    known = ~np.isnan(total) & sums["complete"].fillna(False).to_numpy(dtype=bool)
    hits = known & ((gap < -SCORE_TOLERANCE) | (gap > room + SCORE_TOLERANCE))  # as total_check
    return pd.Series(hits, index=projects.index, dtype=bool)


# ---------------------------------------------------------------- per project and department

SUMMARY_COLUMNS = (
    "targets_compared",
    "targets_met",
    "targets_missed",
    "targets_not_comparable",
    "share_met",
    "score_mismatches",
    "total_stated",
    "total_recomputed",
)


_COUNTS = ("targets_compared", "targets_met", "targets_missed", "targets_not_comparable", "score_mismatches")


def _budget_score(projects: pd.DataFrame, weight_sum: pd.Series) -> pd.Series:
    """The 预算执行率 row's score recomputed: execution rate × its weight (100 − Σ indicator weights)."""
    rate = _numbers(projects, "execution_rate").clip(upper=100.0) / 100.0
    room = (FULL_MARKS - weight_sum).clip(lower=0.0)
    return (rate * room).round(2)


def achievement_summary(projects: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Per project of a self-evaluation: targets met and missed, share met, stated vs recomputed 总分.

    `total_stated` is the 总分, or where the table shows none the sum of the stated indicator scores;
    `total_recomputed` is Σ score_recomputed (the stated score where none can be recomputed), plus, when
    there is a 总分, the 预算执行率 row: rate × its weight, else what the 总分 leaves for it.
    """
    ind = indicators[_filled(indicators, "achieved")]
    if ind.empty:
        return pd.DataFrame(columns=["project_id", *SUMMARY_COLUMNS])
    achieved = _text(ind, "achieved")
    stated, recomputed = _numbers(ind, "score"), _numbers(ind, "score_recomputed")
    frame = pd.DataFrame(
        {
            "project_id": _text(ind, "project_id"),
            "compared": achieved != "not_comparable",
            "met": achieved.isin(["met", "exceeded"]),
            "missed": achieved == "not_met",
            "not_comparable": achieved == "not_comparable",
            "mismatch": _text(ind, "flags").map(lambda f: "score_mismatch" in split_flags(f)),
            "stated": stated,
            "recomputed": recomputed.where(recomputed.notna(), stated),
            "weight": _numbers(ind, "weight"),
        }
    )
    g = frame.groupby("project_id", sort=False)
    out = pd.DataFrame(
        {
            "targets_compared": g["compared"].sum(),
            "targets_met": g["met"].sum(),
            "targets_missed": g["missed"].sum(),
            "targets_not_comparable": g["not_comparable"].sum(),
            "score_mismatches": g["mismatch"].sum(),
            "indicator_stated": g["stated"].sum(min_count=1),
            "indicator_recomputed": g["recomputed"].sum(min_count=1),
            "weight_sum": g["weight"].sum(),
        }
    )
    out["share_met"] = (
        out["targets_met"] / out["targets_compared"].where(out["targets_compared"] > 0)
    ).round(3)
    proj = projects.assign(project_id=_text(projects, "project_id")).drop_duplicates("project_id")
    proj = proj.set_index("project_id").reindex(out.index)
    total = _numbers(proj, "total_score")
    budget = _budget_score(proj, out["weight_sum"])
    budget = budget.where(budget.notna(), (total - out["indicator_stated"]).clip(lower=0.0))
    has_total = total.notna()
    out["total_stated"] = total.where(has_total, out["indicator_stated"])
    with_budget = out["indicator_recomputed"] + budget.fillna(0.0)
    out["total_recomputed"] = with_budget.where(has_total, out["indicator_recomputed"]).round(2)
    return out.reset_index()[["project_id", *SUMMARY_COLUMNS]]


def department_summary(summary: pd.DataFrame, departments: pd.Index | pd.Series) -> pd.DataFrame:
    """SUMMARY_COLUMNS per department: the project summaries (in table order) summed, share_met recomputed."""
    by_dept = summary.groupby(departments, sort=False)
    dept = by_dept[[c for c in SUMMARY_COLUMNS if c != "share_met"]].sum(min_count=1)
    dept["share_met"] = (
        dept["targets_met"] / dept["targets_compared"].where(dept["targets_compared"] > 0)
    ).round(3)
    return dept


def _rows_at(table: pd.DataFrame, key: pd.Series) -> dict[str, pd.Series]:
    """`key.map(table[column])` for each SUMMARY_COLUMNS column, the keys looked up once for all of them
    (no keys at all: map itself, whose empty result has the dtype the columns must keep)."""
    if not len(key):
        return {column: key.map(table[column]) for column in SUMMARY_COLUMNS}
    rows = table.reindex(key)
    return {column: rows[column] for column in SUMMARY_COLUMNS}


def with_summary(
    quality: pd.DataFrame, per_project: pd.DataFrame, per_department: pd.DataFrame
) -> pd.DataFrame:
    """The quality table with SUMMARY_COLUMNS: project rows from `per_project`, department rows from
    `per_department` (both indexed by the rows' key; rows of neither get empty cells)."""
    out = quality.drop(columns=[c for c in SUMMARY_COLUMNS if c in quality.columns])
    if len(out) and per_project.empty and per_department.empty:  # no self-evaluation: all cells empty
        empty = {"Int64": pd.Series(pd.NA, index=out.index, dtype="Int64"), "float": np.nan}
        return out.assign(**{c: empty["Int64" if c in _COUNTS else "float"] for c in SUMMARY_COLUMNS})
    key = _text(out, "key")
    is_project = _text(out, "scope") == "project"
    project_rows, department_rows = _rows_at(per_project, key), _rows_at(per_department, key)
    for column in SUMMARY_COLUMNS:
        values = np.where(is_project, project_rows[column], department_rows[column])
        numbers = pd.to_numeric(pd.Series(values, index=out.index), errors="coerce")
        out[column] = numbers.astype("Int64") if column in _COUNTS else numbers
    return out


def project_summary(projects: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """achievement_summary indexed by project_id, with each project's department (a column)."""
    summary = achievement_summary(projects, indicators).set_index("project_id")
    if summary.empty:  # no self-evaluation
        return summary.assign(department=[])
    dept_of = dict(zip(_text(projects, "project_id"), _text(projects, "department"), strict=True))
    return summary.assign(department=[dept_of.get(p, "") for p in summary.index])


def achievement_quality(
    quality: pd.DataFrame, projects: pd.DataFrame, indicators: pd.DataFrame
) -> pd.DataFrame:
    """The quality table with SUMMARY_COLUMNS per project and per department (sums; share recomputed)."""
    summary = project_summary(projects, indicators)
    return with_summary(quality, summary, department_summary(summary, summary["department"]))


def achievement_report(quality: pd.DataFrame, indicators: pd.DataFrame) -> dict:
    """report.json's `achievement` section: counts by verdict, flags, and each scope's summary."""
    given = _filled(indicators, "achieved")
    achieved = _text(indicators.loc[given, ["achieved"]] if given.any() else indicators.iloc[:0], "achieved")
    flags = indicators.get("flags", pd.Series("", index=indicators.index))
    mismatch = per_unique(lambda f: "score_mismatch" in split_flags(f), flags)
    rows = quality[
        _numbers(quality, "targets_compared").notna() | _numbers(quality, "targets_not_comparable").notna()
    ]

    def records(scope: str) -> list[dict]:
        if rows.empty:  # no self-evaluation
            return []
        part = rows[_text(rows, "scope") == scope]
        cols = ["key", "department", *SUMMARY_COLUMNS]
        return [
            {k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
            for r in part[[c for c in cols if c in part.columns]].to_dict("records")
        ]

    return {
        "indicators": int(given.sum()),
        "achieved": {k: int(v) for k, v in achieved.value_counts().items()},
        "score_mismatch": int(mismatch.astype(bool).sum()),
        "total_mismatch": int(
            _numbers(quality, "flags_total_mismatch")[_text(quality, "scope") == "project"].sum()
        ),
        "projects": records("project"),
        "departments": records("department"),
    }


RAW_CELLS = ("annual_value", "actual_value", "weight", "score")
MISSED_COLUMNS = (
    "department",
    "project",
    "name",
    *RAW_CELLS,
    "achieved",
    "achievement_ratio",
    "score_recomputed",
    "score_gap",
    "achievement_note",
    "line",
)


def missed_and_mismatched(projects: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Targets missed and scores the rule does not give, with the raw cells, most generous score first.

    Ranked by score_gap = stated 得分 − score_recomputed, largest first (a unit's full marks on a missed
    target first, scores below what the rule gives last), then by achievement_ratio (the worst misses
    first). Works on tables read back as text.
    """
    ind = indicators
    flags = _text(ind, "flags").map(split_flags)
    hit = (_text(ind, "achieved") == "not_met") | flags.map(lambda f: "score_mismatch" in f)
    rows = ind[hit].copy()
    dept_of = dict(zip(_text(projects, "project_id"), _text(projects, "department"), strict=True))
    rows["department"] = _text(rows, "project_id").map(dept_of).fillna("")
    rows["score_gap"] = (_numbers(rows, "score") - _numbers(rows, "score_recomputed")).round(2)
    rows["achievement_ratio"] = _numbers(rows, "achievement_ratio")
    rows["_rank"] = rows["score_gap"].fillna(0.0)  # generous first, scores below the rule last
    rows = rows.sort_values(["_rank", "achievement_ratio"], ascending=[False, True], kind="stable")
    return rows[[c for c in MISSED_COLUMNS if c in rows.columns]].reset_index(drop=True)
