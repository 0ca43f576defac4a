"""The batch job: read documents → tables → (later stages) → report. One named call per stage.

Stage order (docs/TAXONOMY.md, notes in contracts): read documents, build the projects and
indicators tables, then values (nlp.values.add_value_columns), classify
(nlp.classify.add_predictions), linking (nlp.linking.link_projects) and quality
(nlp.quality.assess) each take and return DataFrames and slot in between `_tables` and `_report`.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from nlp.documents import iter_documents, read_document
from nlp.outputs import build_report, indicators_frame, projects_frame, write_tables
from nlp.schema import Document, Problem

log = logging.getLogger(__name__)


@dataclass
class PipelineResult:
    """What one run produced: the tables, the report dict, and the documents as read."""

    projects: pd.DataFrame
    indicators: pd.DataFrame
    report: dict
    documents: list[Document] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """Files that could not be read at all (missing, empty, binary, not a budget table)."""
        return [p for d in self.documents for p in d.problems if p.severity == "error"]

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write projects/indicators as CSV (UTF-8 with BOM) and Parquet, and report.json, to out_dir."""
        tables = {"projects": self.projects, "indicators": self.indicators}
        return write_tables(tables, self.report, out_dir)


def _read(paths: Iterable[str | Path], progress: bool) -> list[Document]:
    """Stage 1: expand folders and read every file (never raises on bad content)."""
    files = list(iter_documents(paths))
    bar = tqdm(files, desc="reading", unit="file", file=sys.stderr, disable=not progress)
    docs = []
    for path in bar:
        bar.set_postfix_str(Path(path).name[:30])
        docs.append(read_document(path))
    return docs


def _tables(docs: list[Document]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stage 2: the projects and indicators tables (columns in nlp.outputs)."""
    return projects_frame(docs), indicators_frame(docs)


def run(paths: Iterable[str | Path], *, progress: bool = False) -> PipelineResult:
    """Read all documents under `paths` and build the tables and the report (nothing is written)."""
    docs = _read(paths, progress)
    projects, indicators = _tables(docs)
    report = build_report(docs, projects, indicators)
    log.info("%d documents, %d projects, %d indicators", len(docs), len(projects), len(indicators))
    return PipelineResult(projects, indicators, report, docs)
