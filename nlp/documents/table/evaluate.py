"""Leave-one-file-out evaluation of the table reader: train without file X, read X, score X's rows.

A labeled row counts as read when an output row of the same file has the same name and the same
target (年度指标值, else 实施周期指标值, with its operator and unit where they are stated apart, so
`= | 300 | 天` and `=300天` are the same target; the actual where the label states no target), both
after NFKC, pinyin-ruby and whitespace folding. A label names a row as its file writes it; where that
name is only an amount (`100万` in a 三级 column that repeats the target), issue 10 forbids it as an
indicator name, so the row counts when it is read without a name and with its target. Scored on the
same files: the learned reader alone, the reader as shipped (the learned reading or the prose reading,
nlp/documents/table/reader.py) and, as the baseline, the rule-based reader the learned one replaced
(nlp/baselines/rule_reader.py, not shipped).
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nlp.baselines.rule_reader import read_indicator_table
from nlp.documents.table.labels import Row, key, load_rows, target_key
from nlp.documents.table.reader import read_learned, read_table
from nlp.documents.table.roles import (
    AUGMENT,
    DEFAULT_ROWS,
    FEATURES_VERSION,
    ROOT,
    RoleTagger,
    examples,
    fit,
    table_rows,
)
from nlp.documents.table.row import fake_name
from nlp.documents.table.tokens import tokenize
from nlp.schema import Document


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
    return Counter(
        (
            key(_expected_name(r.name)),
            target_key(r.stated_op, r.value, r.stated_unit) if r.value else key(r.actual),
        )
        for r in rows
    )


def _expected_name(name: str) -> str:
    """The name a right reading gives a labeled row: none where the document's name cell holds only an
    amount (`15万元。` in a 三级 column that repeats the target), which no reader may emit as a name."""
    return "" if fake_name(name) else name


def score(file: str, rows: Sequence[Row], doc: Document | None) -> FileScore:
    """How many labeled rows of a file the document reproduces (name and target)."""
    inds = [i for p in doc.projects for i in p.indicators] if doc else []
    wanted = _pairs(rows)
    got: Counter[tuple[str, str]] = Counter()
    for i in inds:
        target = i.annual_value or i.period_value or ""
        got[(key(i.name), target_key(i.op, target, i.unit))] += 1
        if not target and i.actual_value:
            got[(key(i.name), key(i.actual_value))] += 1
    matched = sum(min(n, got[k]) for k, n in wanted.items())
    return FileScore(file, sum(wanted.values()), len(inds), matched)


@dataclass(frozen=True)
class Fold:
    """One held-out file: the learned reader, the rule-based baseline, and the reader as shipped."""

    learned: FileScore
    rules: FileScore
    shipped: FileScore
    separator: str
    unaligned: int  # labeled rows of the file the role labels could not be aligned to


def lofo(
    rows_path: Path = DEFAULT_ROWS, progress: Callable[[str], None] | None = None, augment: bool = AUGMENT
) -> list[Fold]:
    """Scores per labeled table file, the learned reader trained without that file (and without its
    layout renderings, when `augment` adds them to training)."""
    rows = table_rows(load_rows(rows_path))
    exs = examples(rows, augment=augment)
    out: list[Fold] = []
    with tempfile.TemporaryDirectory() as tmp:
        for ex in (e for e in exs if not e.rendering):
            if progress:
                progress(ex.file)
            model = Path(tmp) / "fold.crfsuite"
            fit([e for e in exs if e.file != ex.file], model)
            meta = f'{{"features_version": {FEATURES_VERSION}}}'
            model.with_suffix(".json").write_text(meta, encoding="utf-8")
            path = ROOT / ex.file
            text = path.read_text(encoding="utf-8")
            tagger = RoleTagger(model)
            learned = read_learned(str(path), text, tagger)
            rules = read_indicator_table(str(path), text)
            shipped = read_table(str(path), text, tagger)
            out.append(
                Fold(
                    score(ex.file, rows[ex.file], learned),
                    score(ex.file, rows[ex.file], rules),
                    score(ex.file, rows[ex.file], shipped),
                    tokenize(text).separator,
                    ex.missed,
                )
            )
    return out


def totals(scores: Sequence[FileScore]) -> FileScore:
    """All files pooled (micro average)."""
    return FileScore(
        "all",
        sum(s.labeled for s in scores),
        sum(s.output for s in scores),
        sum(s.matched for s in scores),
    )


def _cells(s: FileScore) -> str:
    return f"{s.recall:.2f} ({s.matched}/{s.labeled}) | {s.precision:.2f}"


def markdown_table(folds: Sequence[Fold]) -> str:
    """The README table: per file and overall, recall (matched/labeled) and precision of each reader."""
    lines = [
        "| file | separator | rows | learned recall | learned precision | rule-based baseline recall "
        "| rule-based baseline precision | shipped recall | shipped precision |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for f in sorted(folds, key=_number):
        name = Path(f.learned.file).name.split("_")[0]
        lines.append(
            f"| {name} | {f.separator} | {f.learned.labeled} | {_cells(f.learned)} | {_cells(f.rules)} "
            f"| {_cells(f.shipped)} |"
        )
    groups = {
        "files 02–51 (checked by hand; the rule-based baseline was built on them)": [
            f for f in folds if _number(f) < 101
        ],
        "files 101–131 (labeled by hand, new to every reader)": [f for f in folds if _number(f) >= 101],
        "**all**": list(folds),
    }
    for label, group in groups.items():
        sums = [totals([getattr(f, k) for f in group]) for k in ("learned", "rules", "shipped")]
        lines.append(f"| {label} | | {sums[0].labeled} | " + " | ".join(_cells(s) for s in sums) + " |")
    return "\n".join(lines)


def _number(fold: Fold) -> int:
    return int(Path(fold.learned.file).name.split("_")[0])
