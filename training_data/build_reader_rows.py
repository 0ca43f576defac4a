"""Build the seed rows of training_data/reader_rows.csv from today's Guangzhou layout readers.

Run from the repository root:  python training_data/build_reader_rows.py

Only files without hand labels are derived here: the seeds (examples/documents), one row per indicator
row the layout readers (`nlp.documents.read_document`, checked by hand in tests/test_documents.py)
give, fields as written in the file. Rows the reader flags `unparsed` or `truncated` are left out,
and so are rows with neither target nor actual. Every row labeled by a person (`labeled_by` other
than `reader+review`: the realdata files, read or checked by hand) is kept verbatim, and a file that
has such rows is never derived again, so the reader's errors cannot flow back into its own yardstick.
examples/realdata files are never derived: a realdata file without hand labels has no rows.
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

OUT = ROOT / "training_data" / "reader_rows.csv"
COLUMNS = (
    "file", "line", "project", "level1", "level2", "name", "stated_op", "value", "stated_unit",
    "actual", "labeled_by", "note",
)  # fmt: skip
SEEDS = "examples/documents"
LABELED_BY = "reader+review"  # rows this script derives; any other value is a person's label


def derived_files(hand_labeled: set[str]) -> list[Path]:
    """The files this script labels: the seeds that have no row labeled by a person."""
    files = sorted((ROOT / SEEDS).glob("*.txt"))
    return [f for f in files if f.relative_to(ROOT).as_posix() not in hand_labeled]


def hand_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The rows a person labeled or checked (kept verbatim on rebuild)."""
    return [r for r in rows if r["labeled_by"] != LABELED_BY]


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
    """The derived rows of one seed, read by today's layout readers, fields as written in the file."""
    rel = path.relative_to(ROOT).as_posix()
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
    kept: list[dict[str, str]] = []
    if OUT.exists():
        with OUT.open(encoding="utf-8", newline="") as fh:
            kept = hand_rows(list(csv.DictReader(fh)))
    files = derived_files({r["file"] for r in kept})
    rows = [r for f in files for r in rows_of(f)]
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows + kept)
    print(f"{OUT.relative_to(ROOT)}: {len(rows)} rows derived from {len(files)} files, {len(kept)} kept")


if __name__ == "__main__":
    main()
