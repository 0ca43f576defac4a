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
import re
import sys
from bisect import bisect_right
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
FIRST_BY_HAND = 101  # realdata files from this number on are labeled by hand, not by this script


def _files() -> list[Path]:
    """The files this script labels: the seeds and realdata before 101 (101–131 are labeled by hand)."""
    files = [f for d in SOURCES for f in sorted((ROOT / d).glob("*.txt"))]
    return [f for f in files if "realdata" not in f.parts or int(f.name.split("_")[0]) < FIRST_BY_HAND]


_RUBY = r"(?:\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\))?"  # pinyin a mirror site put after a character
_GAP = re.compile(r"\s*\n\s*")
_CODE = re.compile(r"^\d+-")


class _Text:
    """A file's text, to find a field as it is written there (pinyin ruby, line breaks and all)."""

    def __init__(self, path: Path) -> None:
        self.text = path.read_text(encoding="utf-8")
        self.starts = [0]
        for line in self.text.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))

    def find(self, field: str, line: int = 1) -> tuple[str, int] | None:
        """(the field as written, its 1-based line), searched from `line` on, else from the start."""
        chars = [c for c in field if not c.isspace()]
        if not chars:
            return None
        pattern = re.compile(r"\s*".join(re.escape(c) + _RUBY for c in chars))
        m = pattern.search(self.text, self.starts[max(0, line - 1)]) or pattern.search(self.text)
        if m is None:
            return None
        return _GAP.sub("", m.group()), bisect_right(self.starts, m.start())

    def written(self, field: str, line: int) -> str:
        """The field as written near `line`; a level code (`1-产出指标`) falls back to its name."""
        for form in (field, _CODE.sub("", field)):
            found = self.find(form, line)
            if found:
                return found[0]
        return ""


def rows_of(path: Path) -> list[dict[str, str]]:
    """The labeled rows of one file, read by today's reader, fields as written in the file."""
    rel = path.relative_to(ROOT).as_posix()
    if rel.startswith("examples/realdata/"):
        doc = read_indicator_table(str(path), path.read_text(encoding="utf-8"))
    else:
        doc = read_document(path)
    text = _Text(path)
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
            name = text.find(ind.name, ind.line or 1)
            line = name[1] if name else ind.line or 0
            out.append(
                {
                    "file": rel,
                    "line": str(line),
                    "project": text.written(project.project, line),
                    "level1": text.written(level1, line),
                    "level2": text.written(level2, line),
                    "name": name[0] if name else ind.name,
                    "stated_op": text.written(ind.op or "", line),
                    "value": text.written(value, line),
                    "stated_unit": text.written(ind.unit or "", line),
                    "actual": text.written(ind.actual_value or "", line),
                    "labeled_by": LABELED_BY,
                    "note": "" if value else "actual only: the file states no target for this row",
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
