"""Quality flags (docs/TAXONOMY.md section 5) and quality scores for projects and departments.

The stage in four small modules, each computed once per `assess`:

- `view.py`: the indicator table with its parsed value sides and what each name asks for;
- `indicator_checks.py`: one small function per indicator flag (`INDICATOR_CHECKS`), each a boolean
  column; the flag names are joined once per distinct row;
- `project_checks.py`: the project flags (`PROJECT_CHECKS`) and boilerplate signatures;
- `scores.py`: the `quality` table.

The string rules (`rules.py`, words in nlp/data/quality_words.tsv, flags in nlp/data/flags.tsv) run
once per distinct cell, so the stage's cost grows with the distinct names and values, not the rows.

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

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nlp.quality.indicator_checks import INDICATOR_CHECKS, flag_frame, join_flags
from nlp.quality.project_checks import (
    PROJECT_CHECKS,
    ProjectContext,
    boilerplate_clusters,
    boilerplate_projects,
)
from nlp.quality.rules import VALUE_FLAGS, flag_table, is_penalty, isin_text, per_unique, split_flags
from nlp.quality.scores import department_scores, department_sums, project_scores, tally
from nlp.quality.view import IndicatorView, build_view, target_values

__all__ = [
    "INDICATOR_CHECKS",
    "PROJECT_CHECKS",
    "VALUE_FLAGS",
    "IndicatorView",
    "QualityPart",
    "QualityResult",
    "assess",
    "assess_part",
    "boilerplate_clusters",
    "build_view",
    "flag_table",
    "indicator_flags",
    "is_penalty",
    "target_values",
]


@dataclass
class QualityResult:
    """Projects with quality columns and merged flags, indicators with merged flags, and the quality table."""

    projects: pd.DataFrame
    indicators: pd.DataFrame
    quality: pd.DataFrame


def indicator_flags(indicators: pd.DataFrame) -> pd.Series:
    """The quality flags of every indicator (list[str], registry order), without the reader's own flags."""
    view = build_view(indicators)
    none = pd.Series(None, index=indicators.index)
    joined = join_flags(none, flag_frame(view), view.value_flags, pd.DataFrame(index=indicators.index))
    return joined.map(split_flags)


def project_flags(ctx: ProjectContext) -> pd.Series:
    """The `flags` cell of every project: the reader's flags, then the PROJECT_CHECKS found."""
    projects = ctx.projects
    found = {flag: pd.Series(np.asarray(check(ctx), dtype=bool), index=projects.index)
             for flag, check in PROJECT_CHECKS.items()}  # fmt: skip
    names = list(found)

    def join(text: object, *hits: bool) -> str:
        return ";".join(
            dict.fromkeys([*split_flags(text), *(n for n, h in zip(names, hits, strict=True) if h)])
        )

    reader = projects.get("flags", pd.Series("", index=projects.index))
    return per_unique(join, reader, *found.values())


def _as_text(cells: pd.Series) -> pd.Series:
    """Joined flag cells with the dtype pandas infers for a column of strings (str in pandas 3)."""
    return pd.Series(cells.tolist(), index=cells.index)


@dataclass
class QualityPart:
    """`assess` on a part of a run: flagged tables, the project rows of the quality table, department sums."""

    projects: pd.DataFrame
    indicators: pd.DataFrame
    project_rows: pd.DataFrame
    department_sums: pd.DataFrame


def _prepared(projects: pd.DataFrame, indicators: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    projects = projects.reset_index(drop=True).copy()
    indicators = indicators.reset_index(drop=True).copy()
    for column in ("project_id", "project"):
        if column not in projects.columns:
            projects[column] = ""
    if "project_id" not in indicators.columns:
        indicators["project_id"] = ""
    return projects, indicators


def assess_part(
    projects: pd.DataFrame,
    indicators: pd.DataFrame,
    boilerplate: frozenset[str],
    extra_flags: tuple[str, ...] | None = None,
) -> QualityPart:
    """Flag and score the projects of one part of a run, all their indicators included.

    `boilerplate` (project_ids) compares projects across the whole run, so it is computed beforehand
    (`boilerplate_clusters`, or `clusters_of` on signatures gathered part by part); `extra_flags` fixes
    the flag-count columns of flags missing from flags.tsv (default: those found in this part).
    """
    projects, indicators = _prepared(projects, indicators)
    view = build_view(indicators) if len(indicators) else None
    if view is not None:
        later = pd.DataFrame({"boilerplate": isin_text(indicators["project_id"], boilerplate)})
        reader = indicators.get("flags", pd.Series("", index=indicators.index))
        joined = join_flags(reader, flag_frame(view), view.value_flags, later)
        indicators["flags"] = _as_text(joined)
    else:
        indicators["flags"] = pd.Series([], index=indicators.index, dtype=object)
    ctx = ProjectContext(projects, indicators, boilerplate, view.levels if view is not None else None)
    projects["flags"] = _as_text(project_flags(ctx))
    counted = tally(ctx, view)
    rows = project_scores(projects, counted, extra_flags)  # a row per project, in order
    for column in ("quality_score", "share_quantitative", "share_with_unit", "n_flagged_indicators"):
        projects[column] = rows[column].to_numpy()
    return QualityPart(projects, indicators, rows, department_sums(projects, counted))


def assess(projects: pd.DataFrame, indicators: pd.DataFrame) -> QualityResult:
    """Flag indicators and projects (TAXONOMY §5), score them, and build the `quality` table."""
    projects, indicators = _prepared(projects, indicators)
    part = assess_part(projects, indicators, frozenset(boilerplate_projects(projects, indicators)))
    quality = pd.concat([part.project_rows, department_scores(part.department_sums)], ignore_index=True)
    return QualityResult(part.projects, part.indicators, quality)
