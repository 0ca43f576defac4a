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


def _row(measures: pd.DataFrame, project_flags: list[list[str]], n_levels: float) -> dict[str, object]:
    n = len(measures)
    q = float(measures["quantitative"].mean()) if n else 0.0
    u = float(measures["with_unit"].mean()) if n else 0.0
    f = float(measures["flagged"].mean()) if n else 0.0
    counts: dict[str, int] = {f"flags_{name}": 0 for name in dict.fromkeys(flag_table()["flag"])}
    for flags in [*measures["flags"], *project_flags]:
        for flag in flags:
            counts[f"flags_{flag}"] = counts.get(f"flags_{flag}", 0) + 1
    return {
        "n_indicators": n,
        "share_quantitative": round(q, 3),
        "share_with_unit": round(u, 3),
        "n_levels": n_levels,
        "n_flagged_indicators": int(measures["flagged"].sum()) if n else 0,
        "share_flagged": round(f, 3),
        **counts,
        "quality_score": quality_score(q, u, n_levels, f) if n else 0.0,
    }


def score_table(projects: pd.DataFrame, indicators: pd.DataFrame, view: IndicatorView | None) -> pd.DataFrame:
    """One row per project (scope='project', key=project_id) and per department (scope='department')."""
    measures = _indicator_measures(indicators, view)
    project_flags = dict(zip(projects["project_id"], projects["flags"].map(split_flags), strict=True))
    department = projects.get("department", pd.Series("", index=projects.index)).fillna("")
    rows: list[dict[str, object]] = []
    levels_of: dict[str, set[str]] = {}
    for project_id, name, dept in zip(projects["project_id"], projects["project"], department, strict=True):
        mine = measures[measures["project_id"] == project_id]
        levels = set(mine["level"]) & set(LEVEL1_NAMES)
        levels_of[project_id] = levels
        row = {"scope": "project", "key": project_id, "department": dept, "project": name, "n_projects": 1}
        row.update({f"has_{label}": float(code in levels) for code, label in LEVEL1_NAMES.items()})
        row.update(_row(mine, [project_flags.get(project_id, [])], float(len(levels))))
        rows.append(row)
    for dept, group in projects.groupby(department, sort=True):
        ids = list(group["project_id"])
        mine = measures[measures["project_id"].isin(ids)]
        mean_levels = sum(len(levels_of[i]) for i in ids) / len(ids)
        row = {"scope": "department", "key": dept, "department": dept, "project": "", "n_projects": len(ids)}
        row.update(
            {
                f"has_{label}": sum(code in levels_of[i] for i in ids) / len(ids)
                for code, label in LEVEL1_NAMES.items()
            }
        )
        row.update(_row(mine, [project_flags.get(i, []) for i in ids], round(mean_levels, 2)))
        rows.append(row)
    table = pd.DataFrame(rows)
    count_columns = [c for c in table.columns if c.startswith("flags_")]
    table[count_columns] = table[count_columns].fillna(0).astype(int)
    return table
