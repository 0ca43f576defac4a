"""Build the seed and examples/realdata rows of training_data/reader_rows.csv from today's reader.

Run from the repository root:  python training_data/build_reader_rows.py

One row per indicator row a person reads in the file (name and target as written), made from the
output of the rule-based readers that tests/test_documents.py and tests/test_realdata.py check by
hand: the Guangzhou layout readers for the seeds (`nlp.documents.read_document`), the rule-based
table reader (`nlp.documents.indicator_table`) for examples/realdata. Their row counts agree with
the counts a person read off each file (tests/test_realdata.py, COUNTS). Rows the reader flags
`unparsed` or `truncated` (a cut excerpt) are left out, and so are rows with neither target nor
actual (a person does not read a row there). Rows of other files (e.g. 101–131, labeled by hand)
are kept verbatim on rebuild.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp.documents import read_document  # noqa: E402
from nlp.documents.indicator_table import read_indicator_table  # noqa: E402

OUT = ROOT / "training_data" / "reader_rows.csv"
COLUMNS = (
    "file", "line", "project", "level1", "level2", "name", "stated_op", "value", "stated_unit",
    "actual", "labeled_by", "note",
)  # fmt: skip
SOURCES = ("examples/documents", "examples/realdata")
LABELED_BY = "reader+review"


def _files() -> list[Path]:
    return [f for d in SOURCES for f in sorted((ROOT / d).glob("*.txt"))]


def rows_of(path: Path) -> list[dict[str, str]]:
    """The labeled rows of one file, read by today's reader."""
    rel = path.relative_to(ROOT).as_posix()
    if rel.startswith("examples/realdata/"):
        doc = read_indicator_table(str(path), path.read_text(encoding="utf-8"))
    else:
        doc = read_document(path)
    out: list[dict[str, str]] = []
    for project in doc.projects:
        level1 = level2 = ""
        for ind in project.indicators:
            if ind.level1_raw or ind.level1 != (level1 and ind.level1):
                level1 = ind.level1_raw or ind.level1
                level2 = ""
            level2 = ind.level2_raw or (level2 if ind.level1_raw == "" and level2 else ind.level2)
            value = ind.annual_value or ind.period_value or ""
            if {"unparsed", "truncated"} & set(ind.flags) or not (value or ind.actual_value):
                continue
            out.append(
                {
                    "file": rel,
                    "line": str(ind.line or ""),
                    "project": project.project,
                    "level1": level1,
                    "level2": level2,
                    "name": ind.name,
                    "stated_op": ind.op or "",
                    "value": value,
                    "stated_unit": ind.unit or "",
                    "actual": ind.actual_value or "",
                    "labeled_by": LABELED_BY,
                    "note": "",
                }
            )
    return out


def main() -> None:
    ours = {f.relative_to(ROOT).as_posix() for f in _files()}
    kept: list[dict[str, str]] = []
    if OUT.exists():
        with OUT.open(encoding="utf-8", newline="") as fh:
            kept = [r for r in csv.DictReader(fh) if r["file"] not in ours]
    rows = [r for f in _files() for r in rows_of(f)]
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows + kept)
    print(f"{OUT.relative_to(ROOT)}: {len(rows)} rows from {len(ours)} files, {len(kept)} kept")


if __name__ == "__main__":
    main()
