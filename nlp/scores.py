"""The `quality` table: per project and per department measures and the 0–100 quality score.

    score = 40·q + 20·u + 20·L/4 + 20·(1 − f)

q = share of indicators with a quantitative target (rate, count, threshold; annual value, else period);
u = share whose target has a unit; L = number of the four 一级指标 (产出, 效益, 满意度, 成本) present
(a department: mean over its projects); f = share of indicators with at least one penalty flag
(nlp/data/flags.tsv). A project (or department) without indicators scores 0.
"""

from __future__ import annotations

import pandas as pd

from nlp.project_checks import ProjectContext, level_codes
from nlp.quality import IndicatorView
from nlp.quality_rules import LEVEL1_NAMES, QUANTITATIVE, flag_table, is_penalty, split_flags

WEIGHTS = {"quantitative": 40.0, "unit": 20.0, "levels": 20.0, "clean": 20.0}  # sums to 100


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


def _indicator_measures(indicators: pd.DataFrame, view: IndicatorView | None) -> pd.DataFrame:
    """Per indicator: project_id, quantitative, with_unit, flagged, level code, its flags."""
    if view is None or indicators.empty:
        return pd.DataFrame(columns=["project_id", "quantitative", "with_unit", "flagged", "level", "flags"])
    flags = indicators["flags"].map(split_flags)
    ctx = ProjectContext(pd.DataFrame({"project_id": []}), indicators, flags)
    return pd.DataFrame(
        {
            "project_id": indicators["project_id"],
            "quantitative": view.target["kind"].isin(QUANTITATIVE),
            "with_unit": view.target["unit"] != "",
            "flagged": flags.map(lambda fs: any(is_penalty(f) for f in fs)),
            "level": level_codes(ctx),
            "flags": flags,
        },
        index=indicators.index,
    )


def _flag_counts(flag_lists: pd.Series, keys: pd.Series) -> pd.DataFrame:
    """Per key, how many times each flag occurs in the lists (one column `flags_<flag>` per flag)."""
    exploded = pd.Series(list(flag_lists), index=pd.Index(list(keys), name="key"), dtype=object).explode()
    exploded = exploded[exploded.notna() & exploded.ne("")]
    counts = pd.crosstab(exploded.index, exploded.to_numpy()) if len(exploded) else pd.DataFrame()
    return counts.rename(columns=lambda flag: f"flags_{flag}")


def _measures_by(measures: pd.DataFrame, keys: pd.Series) -> pd.DataFrame:
    """n_indicators, the three shares and n_flagged_indicators per key (one groupby, no per-key loop)."""
    grouped = measures.assign(key=keys.to_numpy()).groupby("key", sort=False)
    return pd.DataFrame(
        {
            "n_indicators": grouped.size(),
            "q": grouped["quantitative"].mean(),
            "u": grouped["with_unit"].mean(),
            "f": grouped["flagged"].mean(),
            "n_flagged_indicators": grouped["flagged"].sum(),
        }
    )


def _rows(
    keys: pd.Index, measures: pd.DataFrame, flag_counts: pd.DataFrame, n_levels: pd.Series
) -> pd.DataFrame:
    """The score columns for each key; a key without indicators gets zeros and score 0."""
    m = measures.reindex(keys)
    n = m["n_indicators"].fillna(0).astype(int)
    q, u, f = (m[c].fillna(0.0).astype(float) for c in ("q", "u", "f"))
    levels = n_levels.reindex(keys).fillna(0.0)
    scores = [
        quality_score(*parts) if count else 0.0 for count, *parts in zip(n, q, u, levels, f, strict=True)
    ]
    out = pd.DataFrame(
        {
            "n_indicators": n.to_numpy(),
            "share_quantitative": q.round(3).to_numpy(),
            "share_with_unit": u.round(3).to_numpy(),
            "n_levels": levels.to_numpy(),
            "n_flagged_indicators": m["n_flagged_indicators"].fillna(0).astype(int).to_numpy(),
            "share_flagged": f.round(3).to_numpy(),
        }
    )
    names = [f"flags_{name}" for name in dict.fromkeys(flag_table()["flag"])]
    names += [c for c in flag_counts.columns if c not in names]
    counts = flag_counts.reindex(index=keys, columns=names).fillna(0).astype(int).reset_index(drop=True)
    return pd.concat([out, counts], axis=1).assign(quality_score=scores)


def _with_ids(
    ids: dict[str, object], has: pd.DataFrame, scores: pd.DataFrame, n_projects: object
) -> pd.DataFrame:
    """One scope's rows: the id columns, n_projects, the has_* columns, then the score columns."""
    columns = {k: v.to_numpy() if isinstance(v, pd.Series) else v for k, v in ids.items()}
    n = n_projects.to_numpy() if isinstance(n_projects, pd.Series) else n_projects
    head = pd.DataFrame({**columns, "n_projects": n}, index=range(len(scores)))
    return pd.concat([head, has.reset_index(drop=True), scores], axis=1)


def score_table(projects: pd.DataFrame, indicators: pd.DataFrame, view: IndicatorView | None) -> pd.DataFrame:
    """One row per project (scope='project', key=project_id) and per department (scope='department')."""
    measures = _indicator_measures(indicators, view)
    pid = projects["project_id"].astype(str)
    department = projects.get("department", pd.Series("", index=projects.index)).fillna("").astype(str)
    dept_of = dict(zip(pid, department, strict=True))
    m_pid = measures["project_id"].astype(str)
    m_dept = m_pid.map(dept_of).fillna("")
    project_flags = projects["flags"].map(split_flags)

    levels = measures[measures["level"].isin(set(LEVEL1_NAMES))]
    level_sets = levels.assign(pid=m_pid[levels.index]).groupby("pid")["level"].agg(set)
    level_sets = level_sets.reindex(pid.to_numpy()).map(lambda x: x if isinstance(x, set) else set())
    has = pd.DataFrame(
        {
            f"has_{label}": level_sets.map(lambda s, c=code: float(c in s))
            for code, label in LEVEL1_NAMES.items()
        }
    )
    n_levels = pd.Series(level_sets.map(len).astype(float).to_numpy(), index=pid.to_numpy())

    flag_lists = pd.concat([measures["flags"], project_flags])
    per_project = _rows(
        pd.Index(pid),
        _measures_by(measures, m_pid),
        _flag_counts(flag_lists, pd.concat([m_pid, pid])),
        n_levels,
    )
    project_ids = {"scope": "project", "key": pid, "department": department, "project": projects["project"]}
    project_rows = _with_ids(project_ids, has, per_project, n_projects=1)

    depts = pd.Index(sorted(set(department)))
    per_dept = _rows(
        depts,
        _measures_by(measures, m_dept),
        _flag_counts(flag_lists, pd.concat([m_dept, department])),
        n_levels.groupby(department.to_numpy()).mean().round(2),
    )
    dept_has = has.set_index(department.to_numpy()).groupby(level=0).mean().reindex(depts)
    dept_ids = {"scope": "department", "key": list(depts), "department": list(depts), "project": ""}
    dept_rows = _with_ids(dept_ids, dept_has, per_dept, n_projects=department.value_counts().reindex(depts))
    return pd.concat([project_rows, dept_rows], ignore_index=True)
