"""Project-level quality checks (TAXONOMY §5): cost indicator, indicators present, amounts, boilerplate."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from nlp.quality_rules import (
    BOILERPLATE_MIN_INDICATORS,
    LEVEL_CODE,
    NAME_DROP,
    cell_number,
    cell_text,
    split_flags,
    text_column,
)
from nlp.textnorm import fold


@dataclass
class ProjectContext:
    """Projects with their indicators (and indicator flags so far), shared by the project checks."""

    projects: pd.DataFrame
    indicators: pd.DataFrame
    indicator_flags: pd.Series  # list[str] per indicator

    def per_project(self, values: pd.Series, how: str = "any") -> pd.Series:
        """Aggregate an indicator-level boolean Series to projects (False for projects without rows)."""
        ids = self.indicators.get("project_id", pd.Series("", index=self.indicators.index))
        grouped = values.astype(bool).groupby(ids).agg(how).to_dict() if len(values) else {}
        return self.projects["project_id"].map(lambda pid: bool(grouped.get(pid, False)))


def level_codes(ctx: ProjectContext) -> pd.Series:
    """The first digit of each indicator's level1 code, else of its (predicted) level2 code."""
    ind = ctx.indicators

    def first_digit(column: str) -> pd.Series:
        col = ind.get(column, pd.Series("", index=ind.index)).map(cell_text).map(fold)
        return col.map(lambda t: m.group(1)[:1] if (m := LEVEL_CODE.match(t)) else "")

    code = first_digit("level1")
    for column in ("level2", "level2_predicted"):
        code = code.where(code != "", first_digit(column))
    return code


def _no_cost_indicator(ctx: ProjectContext) -> pd.Series:
    ind = ctx.indicators
    level2 = text_column(ind, "level2")
    level2 = level2.where(level2 != "", text_column(ind, "level2_predicted"))
    cost = (level_codes(ctx) == "4") | level2.map(fold).str.startswith("14")
    return ~ctx.per_project(cost) & ~_no_indicators(ctx)  # no indicators at all is its own flag


def _no_indicators(ctx: ProjectContext) -> pd.Series:
    ids = ctx.indicators.get("project_id", pd.Series(dtype=str))
    return ~ctx.projects["project_id"].isin(set(ids))


def _amount_mismatch(ctx: ProjectContext) -> pd.Series:
    p = ctx.projects
    reader = p.get("flags", pd.Series("", index=p.index)).map(lambda f: "amount_mismatch" in split_flags(f))

    def adds_up(row: pd.Series) -> bool:
        total = cell_number(row.get("total"))
        parts = [cell_number(row.get(c)) for c in ("fiscal", "special_account", "other")]
        if total is None or all(x is None for x in parts):
            return True
        return abs(total - sum(x or 0.0 for x in parts)) <= 0.011  # amounts are in 万元 with 2 decimals

    return reader | ~p.apply(adds_up, axis=1).astype(bool)


@functools.lru_cache(maxsize=50_000)
def _project_key(name: str) -> str:
    """A project name with years, digits, brackets and punctuation removed, to tell projects apart."""
    return NAME_DROP.sub("", fold(name).lower())


def boilerplate_clusters(projects: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Projects sharing one indicator set (folded names + annual values) with an unrelated project.

    Returns one row per project: cluster (1, 2, ... by size), project_id, project, n_indicators.
    Unrelated = a different name once years, digits and brackets are removed, and (when linking ran)
    a different family_id. Sets of fewer than BOILERPLATE_MIN_INDICATORS indicators are ignored.
    """
    columns = ["cluster", "project_id", "project", "n_indicators"]
    if indicators.empty or "project_id" not in indicators.columns:
        return pd.DataFrame(columns=columns)
    value = text_column(indicators, "annual_value")
    value = value.where(value != "", indicators.get("period_value", pd.Series("", index=indicators.index)))
    items = zip(
        indicators["project_id"],
        indicators["name"].map(cell_text).map(fold),
        value.map(cell_text).map(fold),
        strict=True,
    )
    sets: dict[str, list[tuple[str, str]]] = {}
    for project_id, name, val in items:
        sets.setdefault(project_id, []).append((name, val))
    titles = dict(zip(projects["project_id"], projects["project"].map(cell_text), strict=True))
    families = dict(
        zip(projects["project_id"], projects.get("family_id", projects["project_id"]), strict=True)
    )
    by_signature: dict[tuple[tuple[str, str], ...], list[str]] = {}
    for project_id, pairs in sets.items():
        if len(pairs) >= BOILERPLATE_MIN_INDICATORS:
            by_signature.setdefault(tuple(sorted(pairs)), []).append(project_id)
    clusters = []
    for signature, members in by_signature.items():
        keys = {_project_key(titles.get(m, m)) for m in members}
        if len(keys) >= 2 and len({families.get(m, m) for m in members}) >= 2:
            clusters.append((signature, members))
    clusters.sort(key=lambda c: (-len(c[1]), c[1][0]))
    rows = [
        (number, member, titles.get(member, ""), len(signature))
        for number, (signature, members) in enumerate(clusters, start=1)
        for member in members
    ]
    return pd.DataFrame(rows, columns=columns)


def boilerplate_projects(projects: pd.DataFrame, indicators: pd.DataFrame) -> set[str]:
    """project_ids in any boilerplate cluster (see `boilerplate_clusters`)."""
    return set(boilerplate_clusters(projects, indicators)["project_id"])


def _boilerplate(ctx: ProjectContext) -> pd.Series:
    return ctx.projects["project_id"].isin(boilerplate_projects(ctx.projects, ctx.indicators))


PROJECT_CHECKS: dict[str, Callable[[ProjectContext], pd.Series]] = {
    "no_cost_indicator": _no_cost_indicator,
    "no_indicators": _no_indicators,
    "amount_mismatch": _amount_mismatch,
    "boilerplate": _boilerplate,
}
