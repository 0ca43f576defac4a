"""The `quality` table: per project and per department measures and the 0–100 quality score.

    score = 40·q + 20·u + 20·L/4 + 20·(1 − f)

q = share of indicators with a quantitative target (rate, count, threshold; annual value, else period);
u = share whose target has a unit; L = number of the four 一级指标 (产出, 效益, 满意度, 成本) present
(a department: mean over its projects); f = share of indicators with at least one penalty flag
(nlp/data/flags.tsv). A project (or department) without indicators scores 0.

Departments are scored from sums per department (`department_sums`), which add up across parts of a
run, so a run processed in chunks gets the same department rows as one processed at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import numpy as np
import pandas as pd

from nlp.quality.project_checks import level_codes
from nlp.quality.rules import (
    LEVEL1_NAMES,
    QUANTITATIVE,
    flag_table,
    is_penalty,
    isin_text,
    per_unique,
    split_flags,
)
from nlp.quality.view import IndicatorView

WEIGHTS = {"quantitative": 40.0, "unit": 20.0, "levels": 20.0, "clean": 20.0}  # sums to 100
HAS = [f"has_{label}" for label in LEVEL1_NAMES.values()]
_SUMS = [
    "n_indicators",
    "q",
    "u",
    "f",
]  # per key: indicators, and how many are quantitative/with unit/flagged


def quality_score(
    share_quantitative: float, share_with_unit: float, n_levels: float, share_flagged: float
) -> float:
    """The documented 0–100 score from its four parts.

    >>> quality_score(1.0, 1.0, 4, 0.0), quality_score(0.5, 0.5, 2, 0.5)
    (100.0, 50.0)
    """
    return round(
        WEIGHTS["quantitative"] * share_quantitative
        + WEIGHTS["unit"] * share_with_unit
        + WEIGHTS["levels"] * n_levels / 4
        + WEIGHTS["clean"] * (1 - share_flagged),
        1,
    )


def _scores(q: np.ndarray, u: np.ndarray, levels: np.ndarray, f: np.ndarray, n: np.ndarray) -> np.ndarray:
    """quality_score over arrays (0 where n is 0), the same float operations in the same order."""
    raw = (
        WEIGHTS["quantitative"] * q + WEIGHTS["unit"] * u + WEIGHTS["levels"] * levels / 4
        + WEIGHTS["clean"] * (1 - f)
    )  # fmt: skip
    return np.where(n > 0, np.round(raw, 1), 0.0)


def indicator_measures(
    indicators: pd.DataFrame, view: IndicatorView | None, levels: pd.Series | None = None
) -> pd.DataFrame:
    """Per indicator: project_id, quantitative, with_unit, flagged (a penalty flag), level code, flags
    (`levels`: `level_codes(indicators)` if already computed)."""
    if view is None or indicators.empty:
        return pd.DataFrame(columns=["project_id", "quantitative", "with_unit", "flagged", "level", "flags"])
    flags = indicators["flags"]
    return pd.DataFrame(
        {
            "project_id": indicators["project_id"],
            "quantitative": view.target["kind"].isin(QUANTITATIVE),
            "with_unit": view.target["unit"] != "",
            "flagged": per_unique(lambda fs: any(is_penalty(f) for f in split_flags(fs)), flags).astype(bool),
            "level": level_codes(indicators) if levels is None else levels,
            "flags": flags,
        },
        index=indicators.index,
    )


def flag_counts(flag_cells: pd.Series, keys: pd.Series) -> pd.DataFrame:
    """Per key, how many times each flag occurs in the `flags` cells (a column `flags_<flag>` per flag)."""
    codes, cells = pd.factorize(flag_cells.fillna("").astype(str).to_numpy())
    counters = [Counter(split_flags(c)) for c in cells]
    flags = sorted({f for c in counters for f in c})
    if not flags:
        return pd.DataFrame(index=pd.Index([], name="key"))
    matrix = np.array([[c[f] for f in flags] for c in counters], dtype=np.int64)
    pairs = pd.DataFrame({"key": keys.to_numpy(), "code": codes}).value_counts(sort=False)
    weighted = matrix[pairs.index.get_level_values("code")] * pairs.to_numpy()[:, None]
    frame = pd.DataFrame(weighted, columns=[f"flags_{f}" for f in flags])
    counts = frame.groupby(pairs.index.get_level_values("key").to_numpy()).sum()
    return counts.loc[:, counts.sum() > 0]


def _sums_by(measures: pd.DataFrame, keys: pd.Series) -> pd.DataFrame:
    """n_indicators and the counts quantitative (q), with unit (u) and flagged (f) per key."""
    grouped = measures.assign(key=keys.to_numpy()).groupby("key", sort=False)
    return pd.DataFrame(
        {
            "n_indicators": grouped.size(),
            "q": grouped["quantitative"].sum(),
            "u": grouped["with_unit"].sum(),
            "f": grouped["flagged"].sum(),
        }
    )


def _rows(
    keys: pd.Index,
    sums: pd.DataFrame,
    counts: pd.DataFrame,
    n_levels: pd.Series,
    extra_flags: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """The score columns for each key; a key without indicators gets zeros and score 0.

    The flag-count columns are every flag of flags.tsv, then `extra_flags` (default: the other flags
    found in `counts`, sorted).
    """
    m = sums.reindex(keys)
    n = m["n_indicators"].fillna(0).astype(int)
    with np.errstate(invalid="ignore", divide="ignore"):
        q, u, f = (
            pd.Series(m[c].to_numpy(dtype=float) / n.to_numpy(), index=keys).fillna(0.0) for c in "quf"
        )
    levels = n_levels.reindex(keys).fillna(0.0)
    out = pd.DataFrame(
        {
            "n_indicators": n.to_numpy(),
            "share_quantitative": q.round(3).to_numpy(),
            "share_with_unit": u.round(3).to_numpy(),
            "n_levels": levels.to_numpy(),
            "n_flagged_indicators": m["f"].fillna(0).astype(int).to_numpy(),
            "share_flagged": f.round(3).to_numpy(),
        }
    )
    names = [f"flags_{name}" for name in dict.fromkeys(flag_table()["flag"])]
    if extra_flags is None:
        names += [c for c in counts.columns if c not in names]
    else:
        names += [f"flags_{name}" for name in extra_flags]
    table = counts.reindex(index=keys, columns=names).fillna(0).astype(int).reset_index(drop=True)
    scores = _scores(q.to_numpy(), u.to_numpy(), levels.to_numpy(), f.to_numpy(), n.to_numpy())
    return pd.concat([out, table], axis=1).assign(quality_score=scores)


def _with_ids(
    ids: Mapping[str, object], has: pd.DataFrame, scores: pd.DataFrame, n_projects: object
) -> pd.DataFrame:
    """One scope's rows: the id columns, n_projects, the has_* columns, then the score columns."""
    columns = {k: v.to_numpy() if isinstance(v, pd.Series) else v for k, v in ids.items()}
    n = n_projects.to_numpy() if isinstance(n_projects, pd.Series) else n_projects
    head = pd.DataFrame({**columns, "n_projects": n}, index=range(len(scores)))
    return pd.concat([head, has.reset_index(drop=True), scores], axis=1)


def has_levels(projects: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    """has_output … has_cost (1.0/0.0) of each project, for `project_scores` and `department_sums`."""
    return _has_levels(projects["project_id"].astype(str), measures)


def _has_levels(pid: pd.Series, measures: pd.DataFrame) -> pd.DataFrame:
    """has_output … has_cost (1.0/0.0) for each project."""
    ids = measures["project_id"].astype(str)
    return pd.DataFrame(
        {
            f"has_{label}": isin_text(pid, ids[measures["level"] == code].unique()).astype(float).to_numpy()
            for code, label in LEVEL1_NAMES.items()
        }
    )


def project_scores(
    projects: pd.DataFrame,
    measures: pd.DataFrame,
    extra_flags: tuple[str, ...] | None = None,
    has: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per project (scope='project', key=project_id); its indicators must all be in `measures`
    (`has`: `has_levels(projects, measures)` if already computed)."""
    pid = projects["project_id"].astype(str)
    department = projects.get("department", pd.Series("", index=projects.index)).fillna("").astype(str)
    has = _has_levels(pid, measures) if has is None else has
    n_levels = pd.Series(has.sum(axis=1).to_numpy(), index=pid.to_numpy())
    m_pid = measures["project_id"].astype(str)
    counts = flag_counts(pd.concat([measures["flags"], projects["flags"]]), pd.concat([m_pid, pid]))
    rows = _rows(pd.Index(pid), _sums_by(measures, m_pid), counts, n_levels, extra_flags)
    ids = {"scope": "project", "key": pid, "department": department, "project": projects["project"]}
    return _with_ids(ids, has, rows, n_projects=1)


def department_sums(
    projects: pd.DataFrame, measures: pd.DataFrame, has: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per department, sums that add up across parts of a run: projects, indicators, levels, flag counts
    (`has`: `has_levels(projects, measures)` if already computed)."""
    pid = projects["project_id"].astype(str)
    department = projects.get("department", pd.Series("", index=projects.index)).fillna("").astype(str)
    has = (_has_levels(pid, measures) if has is None else has).set_index(department.to_numpy())
    dept_of = dict(zip(pid.tolist(), department.tolist(), strict=True))  # lists: not iterated cell by cell
    m_dept = measures["project_id"].astype(str).map(dept_of).fillna("")
    per_project = has.assign(n_projects=1, n_levels=has.sum(axis=1)).groupby(level=0).sum()
    counts = flag_counts(pd.concat([measures["flags"], projects["flags"]]), pd.concat([m_dept, department]))
    sums = pd.concat([per_project, _sums_by(measures, m_dept), counts], axis=1)
    return sums.fillna(0)


def add_sums(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Department sums of several parts of a run, added up."""
    return pd.concat(parts).fillna(0).groupby(level=0).sum()


def department_scores(sums: pd.DataFrame) -> pd.DataFrame:
    """One row per department (scope='department', key=department), sorted, from `department_sums`."""
    depts = pd.Index(sorted(sums.index[sums["n_projects"] > 0]))
    s = sums.reindex(depts)
    n_projects = s["n_projects"].astype(int)
    n_levels = (s["n_levels"] / n_projects).round(2)
    counts = s[[c for c in s.columns if c.startswith("flags_")]]
    rows = _rows(depts, s[_SUMS], counts.loc[:, counts.sum() > 0], n_levels)
    has = s[HAS].div(n_projects, axis=0)
    ids = {"scope": "department", "key": list(depts), "department": list(depts), "project": ""}
    return _with_ids(ids, has, rows, n_projects=n_projects)
