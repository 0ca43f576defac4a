"""Leave-one-file-out evaluation of the table reader: train without file X, read X, score X's rows.

A labeled row counts as read when an output row of the same file has the same name and the same
target (年度指标值, else 实施周期指标值; the actual where the label states no target), both after
NFKC and whitespace folding. The rule-based reader (`nlp.documents.read_document` before the
learned reader) is scored on the same files as the baseline.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nlp.documents.table.labels import Row, key, load_rows
from nlp.documents.table.reader import read_table
from nlp.documents.table.roles import DEFAULT_ROWS, FEATURES_VERSION, ROOT, RoleTagger, examples, fit
from nlp.schema import Document

SEEDS = "examples/documents/"  # project lists read by the Guangzhou layout readers, not by tables


@dataclass(frozen=True)
class FileScore:
    """Row recall and precision of one reader on one file."""

    file: str
    labeled: int
    output: int
    matched: int

    @property
    def recall(self) -> float:
        return self.matched / self.labeled if self.labeled else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.output if self.output else 0.0


def _pairs(rows: Sequence[Row]) -> Counter[tuple[str, str]]:
    return Counter((key(r.name), key(r.value or r.actual)) for r in rows)


def score(file: str, rows: Sequence[Row], doc: Document | None) -> FileScore:
    """How many labeled rows of a file the document reproduces (name and target)."""
    inds = [i for p in doc.projects for i in p.indicators] if doc else []
    wanted = _pairs(rows)
    got: Counter[tuple[str, str]] = Counter()
    for i in inds:
        target = i.annual_value or i.period_value or ""
        got[(key(i.name), key(target))] += 1
        if not target and i.actual_value:
            got[(key(i.name), key(i.actual_value))] += 1
    matched = sum(min(n, got[k]) for k, n in wanted.items())
    return FileScore(file, sum(wanted.values()), len(inds), matched)


def _read_old(path: Path) -> Document | None:
    from nlp.documents import indicator_table

    return indicator_table.read_indicator_table(str(path), path.read_text(encoding="utf-8"))


def lofo(
    rows_path: Path = DEFAULT_ROWS, progress: Callable[[str], None] | None = None
) -> tuple[list[FileScore], list[FileScore]]:
    """(learned, rule-based) scores per table file, the learned reader trained without the file."""
    rows = {f: r for f, r in load_rows(rows_path).items() if not f.startswith(SEEDS)}
    exs = examples(rows)
    new: list[FileScore] = []
    old: list[FileScore] = []
    with tempfile.TemporaryDirectory() as tmp:
        for ex in exs:
            if progress:
                progress(ex.file)
            model = Path(tmp) / "fold.crfsuite"
            fit([e for e in exs if e.file != ex.file], model)
            model.with_suffix(".json").write_text(
                f'{{"features_version": {FEATURES_VERSION}}}', encoding="utf-8"
            )
            path = ROOT / ex.file
            doc = read_table(str(path), path.read_text(encoding="utf-8"), RoleTagger(model))
            new.append(score(ex.file, rows[ex.file], doc))
            old.append(score(ex.file, rows[ex.file], _read_old(path)))
    return new, old


def totals(scores: Sequence[FileScore]) -> FileScore:
    """All files pooled (micro average)."""
    return FileScore(
        "all",
        sum(s.labeled for s in scores),
        sum(s.output for s in scores),
        sum(s.matched for s in scores),
    )
