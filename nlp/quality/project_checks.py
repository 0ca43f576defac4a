"""Project-level quality checks (TAXONOMY §5): cost indicator, indicators present, amounts, boilerplate."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nlp.documents.common import AMOUNT_TOLERANCE
from nlp.quality.rules import (
    BOILERPLATE_MIN_INDICATORS,
    NAME_DROP,
    cell_text,
    isin_text,
    number_column,
    per_unique,
    split_flags,
    text_column,
)
from nlp.quality.view import level_facts
from nlp.tablecells import unique_rows
from nlp.textnorm import fold


@dataclass(frozen=True)
class ProjectContext:
    """Projects with their indicators and the run's boilerplate projects, shared by the project checks."""

    projects: pd.DataFrame
    indicators: pd.DataFrame
    boilerplate: frozenset[str] = frozenset()  # project_ids in a boilerplate cluster (`clusters_of`)
    known_levels: pd.DataFrame | None = None  # `level_facts(indicators)`, if already computed

    @functools.cached_property
    def levels(self) -> pd.DataFrame:
        """`level_facts` of the indicators (the cost check and the scores both use them)."""
        return level_facts(self.indicators) if self.known_levels is None else self.known_levels

    def per_project(self, values: pd.Series) -> pd.Series:
        """True for the projects with at least one True indicator in `values` (indexed like indicators)."""
        ids = self.indicators.get("project_id", pd.Series("", index=self.indicators.index))
        return isin_text(self.projects["project_id"], ids[values.astype(bool)].unique())


def _no_cost_indicator(ctx: ProjectContext) -> pd.Series:
    return ~ctx.per_project(ctx.levels["cost"]) & ~_no_indicators(ctx)  # no indicators at all is its own flag


def _no_indicators(ctx: ProjectContext) -> pd.Series:
    ids = ctx.indicators.get("project_id", pd.Series(dtype=str))
    return ~isin_text(ctx.projects["project_id"], ids.unique())


def _amount_mismatch(ctx: ProjectContext) -> pd.Series:
    p = ctx.projects
    reader = per_unique(
        lambda f: "amount_mismatch" in split_flags(f), p.get("flags", pd.Series("", index=p.index))
    )
    total = number_column(p, "total")
    parts = [number_column(p, c) for c in ("fiscal", "special_account", "other")]
    given = total.notna() & (parts[0].notna() | parts[1].notna() | parts[2].notna())
    summed = parts[0].fillna(0.0) + parts[1].fillna(0.0) + parts[2].fillna(0.0)
    off = given & ((total - summed).abs() >= AMOUNT_TOLERANCE)
    return reader.astype(bool) | off


@functools.lru_cache(maxsize=50_000)
def _project_key(name: str) -> str:
    """A project name with years, digits, brackets and punctuation removed, to tell projects apart."""
    return NAME_DROP.sub("", fold(name).lower())


@dataclass(frozen=True, slots=True)
class Signature:
    """A project's indicator set (folded names + annual values) as a digest, and its size."""

    digest: bytes
    size: int


def project_signatures(indicators: pd.DataFrame) -> dict[str, Signature]:
    """The indicator-set signature of every project with at least BOILERPLATE_MIN_INDICATORS indicators.

    Projects come in the order they first appear in `indicators`; the signature is a digest of the
    sorted (name, value) pairs, so it is compact enough to hold for every project of a large run.
    """
    if indicators.empty or "project_id" not in indicators.columns:
        return {}
    value = text_column(indicators, "annual_value")
    value = value.where(value != "", text_column(indicators, "period_value"))
    names = per_unique(lambda n: fold(cell_text(n)), indicators["name"])
    values = per_unique(lambda v: fold(cell_text(v)), value)
    pair_codes, pairs = unique_rows((names, values))  # each distinct (name, value) once
    project_codes, projects = pd.factorize(indicators["project_id"], use_na_sentinel=False)
    order = np.argsort(project_codes, kind="stable")
    bounds = np.flatnonzero(np.diff(project_codes[order])) + 1
    digests: dict[tuple[int, ...], bytes] = {}  # equal sets (a copied template) are hashed once
    out = {}
    for pid, members in zip(projects.tolist(), np.split(pair_codes[order], bounds), strict=True):
        if len(members) < BOILERPLATE_MIN_INDICATORS:
            continue
        key = tuple(sorted(members.tolist()))
        if key not in digests:
            text = repr(sorted(pairs[c] for c in key))
            digests[key] = hashlib.blake2b(text.encode(), digest_size=16).digest()
        out[pid] = Signature(digests[key], len(members))
    return out


CLUSTER_COLUMNS = ["cluster", "project_id", "project", "n_indicators"]


def clusters_of(
    signatures: Iterable[tuple[str, Signature]], titles: dict[str, str], families: dict[str, object]
) -> pd.DataFrame:
    """Boilerplate clusters from (project_id, signature) pairs, project titles and family ids."""
    by_signature: dict[Signature, list[str]] = {}
    for project_id, signature in signatures:
        by_signature.setdefault(signature, []).append(project_id)
    clusters = []
    for signature, members in by_signature.items():
        keys = {_project_key(titles.get(m, m)) for m in members}
        if len(keys) >= 2 and len({families.get(m, m) for m in members}) >= 2:
            clusters.append((signature, members))
    clusters.sort(key=lambda c: (-len(c[1]), c[1][0]))
    rows = [
        (number, member, titles.get(member, ""), signature.size)
        for number, (signature, members) in enumerate(clusters, start=1)
        for member in members
    ]
    return pd.DataFrame(rows, columns=CLUSTER_COLUMNS)


def boilerplate_clusters(projects: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Projects sharing one indicator set (folded names + annual values) with an unrelated project.

    Returns one row per project: cluster (1, 2, ... by size), project_id, project, n_indicators.
    Unrelated = a different name once years, digits and brackets are removed, and (when linking ran)
    a different family_id. Sets of fewer than BOILERPLATE_MIN_INDICATORS indicators are ignored.
    """
    if indicators.empty or "project_id" not in indicators.columns:
        return pd.DataFrame(columns=CLUSTER_COLUMNS)
    titles = dict(zip(projects["project_id"], text_column(projects, "project"), strict=True))
    families = dict(
        zip(projects["project_id"], projects.get("family_id", projects["project_id"]), strict=True)
    )
    return clusters_of(project_signatures(indicators).items(), titles, families)


def boilerplate_projects(projects: pd.DataFrame, indicators: pd.DataFrame) -> set[str]:
    """project_ids in any boilerplate cluster (see `boilerplate_clusters`)."""
    return set(boilerplate_clusters(projects, indicators)["project_id"])


PROJECT_CHECKS: dict[str, Callable[[ProjectContext], pd.Series]] = {
    "no_cost_indicator": _no_cost_indicator,
    "no_indicators": _no_indicators,
    "amount_mismatch": _amount_mismatch,
    "boilerplate": lambda ctx: isin_text(ctx.projects["project_id"], ctx.boilerplate),
}
