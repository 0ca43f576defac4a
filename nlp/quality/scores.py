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
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nlp.quality.project_checks import ProjectContext
from nlp.quality.rules import (
    LEVEL1_NAMES,
    QUANTITATIVE,
    flag_table,
    is_penalty,
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


@dataclass(frozen=True)
class Tally:
    """A part's indicators counted once per distinct project id, for the project rows and the department
    sums alike: the id of each project row and indicator are codes into the ids of the part."""

    projects: np.ndarray  # id code of each project row
    indicators: np.ndarray  # id code of each indicator
    sums: np.ndarray  # per id: n_indicators and how many are quantitative (q), with unit (u), flagged (f)
    has: np.ndarray  # per id: has_output … has_cost (1.0/0.0)
    cells: np.ndarray  # code of the `flags` cell of each indicator, then of each project row
    flags: list[str]  # the flags found in the cells, sorted
    matrix: np.ndarray  # per distinct cell, how often it names each flag

    def per_id(self) -> np.ndarray:
        """Flag counts per project id (the indicators' flags and the project rows' own)."""
        return _per_key(np.concatenate([self.indicators, self.projects]), len(self.sums), self)


def _per_key(keys: np.ndarray, n_keys: int, tally: Tally) -> np.ndarray:
    """Per key, how often each flag occurs in the cells of its rows (`keys`: one per cell of `tally`)."""
    n_cells = len(tally.matrix)
    out = np.zeros((n_keys, len(tally.flags)), dtype=np.int64)
    if n_cells and len(keys):
        pairs, times = np.unique(keys.astype(np.int64) * n_cells + tally.cells, return_counts=True)
        np.add.at(out, pairs // n_cells, tally.matrix[pairs % n_cells] * times[:, None])
    return out


def _flag_cells(cells: pd.Series) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray]:
    """The `flags` cells factorized: per row a code; the flags named, sorted; per distinct cell how often
    it names each flag, and whether it names a penalty flag."""
    codes, distinct = pd.factorize(cells.fillna("").astype(str))
    counters = [Counter(split_flags(c)) for c in distinct]
    flags = sorted({f for c in counters for f in c})
    matrix = np.array([[c[f] for f in flags] for c in counters], dtype=np.int64)
    matrix = matrix.reshape(len(counters), len(flags))  # also when there is no cell at all
    penalty = np.array([any(is_penalty(f) for f in c) for c in counters], dtype=bool)
    return codes, flags, matrix, penalty


def tally(ctx: ProjectContext, view: IndicatorView | None) -> Tally:
    """Count a part's indicators per project id: quantitative, with unit, flagged (a penalty flag), the
    level codes present (`ctx.levels`), and the flags of every cell."""
    projects, indicators = ctx.projects, ctx.indicators
    n_projects = len(projects)
    pid = projects["project_id"].astype(str)
    ind_pid = indicators["project_id"].astype(str)
    ids, distinct = pd.factorize(pd.concat([pid, ind_pid], ignore_index=True), use_na_sentinel=False)
    at, n_ids = ids[n_projects:], len(distinct)
    cells, flags, matrix, penalty = _flag_cells(pd.concat([indicators["flags"], projects["flags"]]))
    sums = np.zeros((n_ids, 4), dtype=np.int64)
    has = np.zeros((n_ids, len(LEVEL1_NAMES)), dtype=float)
    if view is not None and len(indicators):
        counted = (
            np.ones(len(at), dtype=bool),
            view.target["kind"].isin(QUANTITATIVE).to_numpy(dtype=bool),
            (view.target["unit"] != "").to_numpy(dtype=bool),
            penalty[cells[: len(at)]],
        )
        for k, hits in enumerate(counted):
            sums[:, k] = np.bincount(at[hits], minlength=n_ids)
        level = ctx.levels["code"].to_numpy(dtype=object)
        for k, code in enumerate(LEVEL1_NAMES):
            has[:, k] = np.bincount(at[level == code], minlength=n_ids) > 0
    return Tally(ids[:n_projects], at, sums, has, cells, flags, matrix)


def _rows(
    sums: pd.DataFrame, counts: pd.DataFrame, n_levels: np.ndarray, extra_flags: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """The score columns of each row of `sums` (n_indicators, q, u, f), `counts` (flags_<flag>) and
    `n_levels`, all in the same order; a row without indicators gets zeros and score 0.

    The flag-count columns are every flag of flags.tsv, then `extra_flags` (default: the other flags
    found in `counts`, in its order).
    """
    index = pd.RangeIndex(len(sums))
    n = pd.Series(sums["n_indicators"].to_numpy(), index=index).fillna(0).astype(int)
    with np.errstate(invalid="ignore", divide="ignore"):
        q, u, f = (
            pd.Series(sums[c].to_numpy(dtype=float) / n.to_numpy(), index=index).fillna(0.0) for c in "quf"
        )
    levels = pd.Series(n_levels, index=index, dtype=float).fillna(0.0)
    out = pd.DataFrame(
        {
            "n_indicators": n.to_numpy(),
            "share_quantitative": q.round(3).to_numpy(),
            "share_with_unit": u.round(3).to_numpy(),
            "n_levels": levels.to_numpy(),
            "n_flagged_indicators": pd.Series(sums["f"].to_numpy()).fillna(0).astype(int).to_numpy(),
            "share_flagged": f.round(3).to_numpy(),
        }
    )
    names = [f"flags_{name}" for name in dict.fromkeys(flag_table()["flag"])]
    if extra_flags is None:
        names += [c for c in counts.columns if c not in names]
    else:
        names += [f"flags_{name}" for name in extra_flags]
    table = counts.reset_index(drop=True).reindex(columns=names).fillna(0).astype(int)
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


def _departments(projects: pd.DataFrame) -> pd.Series:
    """The department of each project as text ('' when missing)."""
    return projects.get("department", pd.Series("", index=projects.index)).fillna("").astype(str)


def project_scores(
    projects: pd.DataFrame, counted: Tally, extra_flags: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """One row per project (scope='project', key=project_id), from the `tally` of its part."""
    at = counted.projects
    has = pd.DataFrame(counted.has[at], columns=HAS)
    sums = pd.DataFrame(counted.sums[at], columns=_SUMS)
    counts = pd.DataFrame(counted.per_id()[at], columns=[f"flags_{f}" for f in counted.flags])
    rows = _rows(sums, counts, counted.has[at].sum(axis=1), extra_flags)
    pid, department = projects["project_id"].astype(str), _departments(projects)
    ids = {"scope": "project", "key": pid, "department": department, "project": projects["project"]}
    return _with_ids(ids, has, rows, n_projects=1)


def department_sums(projects: pd.DataFrame, counted: Tally) -> pd.DataFrame:
    """Per department, sums that add up across parts of a run: projects, levels, indicators, flag counts.

    An indicator counts for the department of its project (the last project row of its id), '' when
    the part has no such project.
    """
    department = _departments(projects).to_numpy(dtype=object)
    codes, names = pd.factorize(np.append(department, ""))
    of_id = np.full(len(counted.sums), codes[-1])
    ids, last = np.unique(counted.projects[::-1], return_index=True)
    of_id[ids] = codes[len(department) - 1 - last]
    dept_projects, dept_indicators = codes[:-1], of_id[counted.indicators]
    n_depts, has = len(names), counted.has[counted.projects]

    def summed(keys: np.ndarray, values: np.ndarray) -> np.ndarray:
        return np.bincount(keys, weights=values, minlength=n_depts)

    columns = {name: summed(dept_projects, has[:, k]) for k, name in enumerate(HAS)}
    columns["n_projects"] = np.bincount(dept_projects, minlength=n_depts)
    columns["n_levels"] = summed(dept_projects, has.sum(axis=1))
    columns |= {name: np.bincount(of_id, counted.sums[:, k], n_depts).astype(np.int64)
                for k, name in enumerate(_SUMS)}  # fmt: skip
    keys = np.concatenate([dept_indicators, dept_projects])
    counts = _per_key(keys, n_depts, counted)
    columns |= {f"flags_{flag}": counts[:, k] for k, flag in enumerate(counted.flags)}
    frame = pd.DataFrame(columns, index=pd.Index(names, dtype=object))
    return frame[(frame["n_projects"] > 0) | (frame["n_indicators"] > 0)]


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
    rows = _rows(s[_SUMS], counts.loc[:, counts.sum() > 0], n_levels.to_numpy())
    has = s[HAS].div(n_projects, axis=0)
    ids = {"scope": "department", "key": list(depts), "department": list(depts), "project": ""}
    return _with_ids(ids, has, rows, n_projects=n_projects)
