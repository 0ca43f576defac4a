"""parse_value against the team's labels of the realdata target values (training_data/realdata_values.csv).

Each row of the file is one distinct (name, value, stated_op, stated_unit) of examples/realdata/ with the
taxonomy fields (TAXONOMY.md §3) the team read off the value. Rows whose `note` says why parse_value
disagrees are expected failures (strict: they start passing only when nlp/values.py is fixed).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from nlp.schema import KINDS, OPS
from nlp.values import parse_value

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "training_data" / "realdata_values.csv"
FIELDS = ("kind", "op", "number", "number_max", "unit", "unit_source")


def _rows() -> list[dict[str, str]]:
    with LABELS.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _expected(row: dict[str, str]) -> tuple:
    number = float(row["number"]) if row["number"] else None
    number_max = float(row["number_max"]) if row["number_max"] else None
    return (
        row["kind"],
        row["op"] or None,
        number,
        number_max,
        row["unit"] or None,
        row["unit_source"] or None,
    )


def _cases() -> list:
    cases = []
    for row in _rows():
        marks = [pytest.mark.xfail(strict=True, reason=row["note"])] if row["note"] else []
        file, line = row["source"].rsplit("/", 1)[-1].split(":")
        cases.append(pytest.param(row, id=f"{file[:2]}:{line}", marks=marks))
    return cases


def _close(a: float | None, b: float | None) -> bool:
    return a is b is None or (a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9))


@pytest.mark.parametrize("row", _cases())
def test_parse_value_matches_the_label(row: dict[str, str]) -> None:
    got = parse_value(
        row["value"], name=row["name"], op=row["stated_op"] or None, unit=row["stated_unit"] or None
    )
    actual = (got.kind, got.op, got.number, got.number_max, got.unit, got.unit_source)
    expected = _expected(row)
    same = all(
        _close(a, e) if i in (2, 3) else a == e for i, (a, e) in enumerate(zip(actual, expected, strict=True))
    )
    assert same, f"{row['name']} = {row['value']!r}: got {actual}, labeled {expected}"


def test_labels_are_taxonomy_values() -> None:
    rows = _rows()
    assert len(rows) >= 150
    for row in rows:
        kind, op, _number, number_max, _unit, unit_source = _expected(row)
        assert kind in KINDS, row
        assert op is None or op in OPS, row
        assert (op is None) == (kind in ("qualitative", "unspecified")), row
        assert (number_max is not None) == (op == "between"), row
        assert unit_source in (None, "value", "name", "column"), row
        assert row["source"].startswith("examples/realdata/") and row["labeled_by"] == "team, reviewed", row


def test_one_row_per_distinct_value() -> None:
    keys = [(r["name"], r["value"], r["stated_op"], r["stated_unit"]) for r in _rows()]
    assert len(keys) == len(set(keys))
