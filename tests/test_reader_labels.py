"""Checks of the hand-labeled indicator rows (training_data/reader_rows.csv) against the files they label.

The labels are the yardstick of the reader (issue 10): a slip in them (a wrong line, a value typed instead
of copied, a row entered twice) would be counted as the reader's error. These tests read only the labels
and the labeled files, not the reader.
"""

from __future__ import annotations

import csv
import re
import sys
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "training_data" / "reader_rows.csv"
COLUMNS = [
    "file", "line", "project", "level1", "level2", "name", "stated_op", "value", "stated_unit", "actual",
    "labeled_by", "note",
]
TEXT_FIELDS = ("project", "level1", "level2", "stated_op", "value", "stated_unit", "actual")
NAME_START = 4  # characters of the name that must stand on the labeled line (a name may wrap after them)
_SPACE = re.compile(r"\s+")


def _fold(text: str) -> str:
    """NFKC, and no whitespace at all: a cell that wrapped onto the next line reads as one string."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def _rows() -> list[dict[str, str]]:
    with LABELS.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def _lines(rel: str) -> tuple[str, ...]:
    return tuple((ROOT / rel).read_text(encoding="utf-8").splitlines())


@cache
def _body(rel: str) -> str:
    """The folded text of the file after its `source:`/`note:` preamble."""
    lines = _lines(rel)
    return _fold("\n".join(lines[_first_body_line(rel) - 1 :]))


@cache
def _first_body_line(rel: str) -> int:
    """1-based number of the first line after the preamble (`source:` and `note:` lines, then a blank)."""
    lines = _lines(rel)
    n = 0
    while n < len(lines) and lines[n].startswith(("source:", "note:")):
        n += 1
    return n + 1


ROWS = _rows()


def _id(row: dict[str, str]) -> str:
    return f"{Path(row['file']).name.split('_')[0]}-{row['line']}"


def test_columns_and_encoding():
    with LABELS.open(encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == COLUMNS
    assert ROWS, "no labeled rows"


@pytest.mark.parametrize("row", ROWS, ids=_id)
def test_row_points_at_its_name(row):
    """The file exists, `line` is in its body and holds the first characters of the name."""
    assert (ROOT / row["file"]).is_file(), row["file"]
    assert row["labeled_by"].strip(), "labeled_by is empty"
    name = _fold(row["name"])
    assert name, "empty name"
    line = int(row["line"])
    lines = _lines(row["file"])
    assert _first_body_line(row["file"]) <= line <= len(lines), f"line {line} outside the text"
    start = name[:NAME_START]
    text = _fold(lines[line - 1])
    wrapped = any(text.endswith(name[:k]) for k in range(1, NAME_START))  # 预算 | 控制: wrapped sooner
    assert start in text or wrapped, f"line {line} does not hold the start of {row['name']!r}"


@pytest.mark.parametrize("row", ROWS, ids=_id)
def test_row_fields_are_copied_from_the_file(row):
    """Value, actual, operator, unit, levels and project stand in the file's text as labeled."""
    body = _body(row["file"])
    for field in TEXT_FIELDS:
        folded = _fold(row[field])
        assert folded in body, f"{field} {row[field]!r} is not in {row['file']}"


def test_no_row_twice():
    keys = Counter((r["file"], r["line"], _fold(r["name"])) for r in ROWS)
    assert [k for k, n in keys.items() if n > 1] == []


def test_row_without_value_says_why():
    """A row with no target value is labeled on purpose: its note says why."""
    silent = [_id(r) for r in ROWS if not r["value"].strip() and not r["note"].strip()]
    assert silent == []


HAND = {"team, by hand": (101, 131), "team, hand-checked": (2, 99)}  # labeled_by of realdata rows: files


def _number(row: dict[str, str]) -> int:
    return int(Path(row["file"]).name.split("_")[0])


@pytest.mark.parametrize(
    ("heading", "low", "high"), [("### Rows of files 02–51", 2, 99), ("### Rows of files 101–131", 101, 131)]
)
def test_readme_counts_match_the_rows(heading, low, high):
    """The per-file counts training_data/README.md gives for each group of realdata files are the file's."""
    readme = (ROOT / "training_data" / "README.md").read_text(encoding="utf-8")
    section = readme.split(heading, 1)[1]
    counts_text = section.split("Counts per file:", 1)[1].split("(", 1)[0]
    stated = {int(num): int(n) for num, n in re.findall(r"\b(\d{2,3}) (\d+)", counts_text)}
    realdata = [r for r in ROWS if r["file"].startswith("examples/realdata/")]
    actual = Counter(n for n in map(_number, realdata) if low <= n <= high)
    assert stated == dict(actual)
    files = {int(p.name.split("_")[0]) for p in (ROOT / "examples" / "realdata").glob("[0-9]*_*.txt")}
    assert set(stated) == {n for n in files if low <= n <= high}, "a realdata file has no labeled row"


def test_realdata_rows_are_labeled_by_a_person():
    """No realdata row is derived from a reader: 02–51 checked by hand, 101–131 labeled by hand."""
    realdata = [r for r in ROWS if r["file"].startswith("examples/realdata/")]
    spans = [(r, HAND.get(r["labeled_by"], (0, -1))) for r in realdata]
    wrong = [_id(r) for r, (low, high) in spans if not low <= _number(r) <= high]
    assert wrong == []


def test_build_script_never_regenerates_hand_rows():
    """build_reader_rows.py keeps every row a person labeled and derives only seeds without such rows."""
    sys.path.insert(0, str(ROOT / "training_data"))
    try:
        import build_reader_rows as build
    finally:
        sys.path.remove(str(ROOT / "training_data"))
    kept = build.hand_rows(ROWS)
    assert kept == [r for r in ROWS if r["labeled_by"] != "reader+review"]
    realdata = {r["file"] for r in ROWS if r["file"].startswith("examples/realdata/")}
    assert realdata <= {r["file"] for r in kept}
    seed = sorted((ROOT / "examples" / "documents").glob("*.txt"))[0].relative_to(ROOT).as_posix()
    derived = [f.relative_to(ROOT).as_posix() for f in build.derived_files({seed})]
    assert derived and seed not in derived and all(f.startswith("examples/documents/") for f in derived)
