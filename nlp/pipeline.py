"""The batch job, one named call per stage: documents → tables → values → classes → links → quality.

`run(paths)` reads documents and builds the projects and indicators tables; `complete_tables` then
adds what each later stage computes (the value fields, the name classifiers' predictions, family
ids and links, quality flags and scores). `jixiao report` and the notebook call `complete_tables`
on tables read back from disk: it runs only the stages whose columns are missing.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from nlp.achievement_tables import achievement_quality, achievement_report, add_achievement
from nlp.atomic import atomic_output_dir
from nlp.classify import DEFAULT_MODELS, ModelLoadError, ModelNotFound, add_predictions, fill_level2
from nlp.corrections import apply_files
from nlp.documents import read_document
from nlp.documents.discovery import Discovery, discover, relabel
from nlp.linking import DEFAULT_THRESHOLD, link_projects, no_links
from nlp.outputs import build_report, indicators_frame, projects_frame, write_tables
from nlp.quality import assess
from nlp.schema import Document, Problem
from nlp.values import add_value_columns

log = logging.getLogger(__name__)
STALE_OUTPUTS = ("report.html",)  # made from an earlier run's tables: removed when the tables are rewritten


@dataclass(frozen=True)
class Options:
    """Switches of the later stages: linking on/off and its threshold, where the models are."""

    link: bool = True
    link_threshold: float = DEFAULT_THRESHOLD
    model_dir: Path = DEFAULT_MODELS
    corrections: tuple[Path, ...] = ()  # reviewers' corrections files, applied after the classifiers


@dataclass
class Tables:
    """The four output tables; `notes` says what each stage did (for report.json and the CLI)."""

    projects: pd.DataFrame
    indicators: pd.DataFrame
    quality: pd.DataFrame
    links: pd.DataFrame
    notes: dict[str, str] = field(default_factory=dict)
    corrections: dict | None = None  # what the corrections did (report.json), when any were given


@dataclass
class PipelineResult:
    """What one run produced: the tables, the report dict, and the documents as read."""

    tables: Tables
    report: dict
    documents: list[Document] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)  # files and folders not read, and why (warnings)

    @property
    def projects(self) -> pd.DataFrame:
        return self.tables.projects

    @property
    def indicators(self) -> pd.DataFrame:
        return self.tables.indicators

    @property
    def errors(self) -> list[Problem]:
        """Files that could not be read at all (missing, empty, binary, not a budget table)."""
        return [p for d in self.documents for p in d.problems if p.severity == "error"]

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write the four tables as CSV (UTF-8 with BOM) and Parquet, and report.json, to out_dir.

        All or nothing (nlp.atomic): the files are staged and moved in together, report.json last with
        the row count of every table; a report.html of an earlier run (now stale) is removed and named.
        """
        t = self.tables
        tables = {"projects": t.projects, "indicators": t.indicators, "quality": t.quality, "links": t.links}
        self.report["tables"] = {name: len(frame) for name, frame in tables.items()}
        self.report["removed_stale"] = [n for n in STALE_OUTPUTS if (Path(out_dir) / n).is_file()]
        with atomic_output_dir(out_dir, stale=STALE_OUTPUTS) as staging:
            written = write_tables(tables, self.report, staging)
        return [Path(out_dir) / p.name for p in written]


def _read(found: Discovery, progress: bool) -> list[Document]:
    """Stage 1: read every file found, under its unique document id (never raises on bad content)."""
    bar = tqdm(found.sources, desc="reading", unit="file", file=sys.stderr, disable=not progress)
    docs = []
    for source in bar:
        bar.set_postfix_str(Path(source.path).name[:30])
        docs.append(relabel(read_document(source.path), source.doc_id))
    return docs


def _tables(docs: list[Document]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stage 2: the projects and indicators tables (columns in nlp.outputs)."""
    return projects_frame(docs), indicators_frame(docs)


def _values(indicators: pd.DataFrame) -> pd.DataFrame:
    """Stage 3: TAXONOMY §3 fields of the 实施周期, 年度 and actual values (nlp.values)."""
    return add_value_columns(indicators)


def _classify(indicators: pd.DataFrame, model_dir: Path) -> tuple[pd.DataFrame, str]:
    """Stage 4: level-2 and name-kind predictions, then level2_final/level2_source (nlp.classify).

    Without a usable model the stage is skipped (the columns stay empty) and the note says how to
    build one; the rest of the run goes on, so no row is lost to a missing model file.
    """
    try:
        indicators = add_predictions(indicators, model_dir)
        note = f"{indicators['level2_predicted'].notna().sum()} names classified"
    except (ModelNotFound, ModelLoadError) as err:
        log.warning("warning: name classifiers skipped: %s", err)
        empty = {c: None for c in ("level2_predicted", "level2_proba", "name_kind", "name_kind_proba")}
        indicators = indicators.assign(**empty)
        note = f"skipped: {err}"
    return fill_level2(indicators), note


def _link(
    projects: pd.DataFrame, indicators: pd.DataFrame, options: Options
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Stage 5: family_id for every project and the accepted links (nlp.linking)."""
    if not options.link:
        family = projects["project_id"].astype(str)  # each project is its own family
        return projects.assign(family_id=family.to_numpy()), no_links(), "off"
    linked = link_projects(projects, indicators, threshold=options.link_threshold)
    projects = projects.assign(family_id=linked.family_id.reindex(projects.index).to_numpy())
    note = f"{len(linked.links)} links, {projects['family_id'].nunique()} families"
    return projects, linked.links, note


def complete_tables(
    projects: pd.DataFrame,
    indicators: pd.DataFrame,
    links: pd.DataFrame | None = None,
    options: Options | None = None,
    progress: bool = False,
) -> Tables:
    """Run the stages whose output columns are missing (values, classify, link), then quality.

    Tables fresh from the reader get every stage; tables read back from a finished run only get the
    quality stage again (it is idempotent). `progress` shows a bar over the stages on stderr.
    """
    options = options or Options()
    notes: dict[str, str] = {}
    bar = tqdm(total=4, desc="stages", unit="stage", file=sys.stderr, disable=not progress)

    def step(name: str) -> None:
        bar.set_postfix_str(name)
        bar.update(1)

    if "annual_kind" not in indicators.columns:
        bar.set_postfix_str("values")
        indicators = _values(indicators)
        notes["values"] = f"{len(indicators)} indicators"
    step("classify")
    if "name_kind" not in indicators.columns:
        indicators, notes["classify"] = _classify(indicators, options.model_dir)
    corrections = None
    if options.corrections:
        applied = apply_files(indicators, options.corrections)
        indicators, corrections = applied.indicators, applied.summary
        notes["corrections"] = f"{corrections['rows']} rows corrected, {corrections['dropped']} dropped"
    step("link")
    if "family_id" not in projects.columns:
        projects, found, notes["link"] = _link(projects, indicators, options)
        links = found if links is None else links
    if links is None:
        links = no_links()
    step("quality")
    projects, indicators = add_achievement(projects, indicators)  # self-evaluations: met? score adds up?
    result = assess(projects, indicators)
    result.quality = achievement_quality(result.quality, result.projects, result.indicators)
    notes["quality"] = f"{len(result.quality)} quality rows"
    step("done")
    bar.close()
    return Tables(result.projects, result.indicators, result.quality, links, notes, corrections)


def run(
    paths: Iterable[str | Path],
    *,
    progress: bool = False,
    options: Options | None = None,
    exclude: Iterable[str | Path] = (),
) -> PipelineResult:
    """Read the documents under `paths` (not under `exclude`) and run every stage (nothing is written)."""
    found = discover(paths, exclude)
    docs = _read(found, progress)
    projects, indicators = _tables(docs)
    tables = complete_tables(projects, indicators, options=options, progress=progress)
    report = build_report(docs, tables.projects, tables.indicators)
    report["stages"] = tables.notes
    report["achievement"] = achievement_report(tables.quality, tables.indicators)
    report["discovery"] = found.summary()
    report["problems"] += [asdict(p) for p in found.problems]
    report["problem_counts"]["warning"] = report["problem_counts"].get("warning", 0) + len(found.problems)
    report["links"] = {"written": len(tables.links), "families": int(tables.projects["family_id"].nunique())}
    if tables.corrections is not None:
        report["corrections"] = tables.corrections
    log.info(
        "%d documents, %d projects, %d indicators", len(docs), len(tables.projects), len(tables.indicators)
    )
    return PipelineResult(tables, report, docs, found.problems)
