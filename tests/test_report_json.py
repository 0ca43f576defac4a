"""nlp.report_json writes the text json.dumps(..., ensure_ascii=False, indent=2, default=str) gives."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from nlp import report_json
from nlp.report_json import write_report

SNAPSHOTS = Path(__file__).parent / "snapshots"


def _json_text(report: dict) -> bytes:
    return json.dumps(report, ensure_ascii=False, indent=2, default=str).encode("utf-8")


@dataclass
class _Point:
    x: int


def _report() -> dict:
    """Every kind of value a report may hold, lists long enough to be written in slices."""
    entry = {
        "file": 'a/"引号"\\路径\n第二行\t\x01\x7f\u2028',
        "line": 8,
        "stated": 370.81,
        "ok": False,
        "none": None,
        "nested": {"empty_list": [], "empty_dict": {}, "pair": (1, 2.5), "deep": [{"k": [1, [2, {}]]}]},
    }
    return {
        "documents": {"given": 3, "read": 2, "failed": 1},
        "per_document": [{**entry, "k": k} for k in range(23)],
        "short": [1, "二", None],
        "keys": {2: "int", 1.5: "float", True: "bool", None: "none", "str": "str"},
        "others": [np.float64(0.125), np.int64(7), _Point(1), datetime.date(2026, 1, 2), {3, 4}],
        "floats": [0.1, 1e16, 1e-4, -0.0, 123456789.125, 2.0],
        "huge": [2**70, {"n": 2**80}],
        "empty_dict": {},
        "empty_list": [],
        "achievement": {"projects": [{"key": f"p{k}", "share_met": k / 7} for k in range(11)], "count": 11},
    }


@pytest.mark.parametrize("slice_size", [1, 3, 5, 2_000])
def test_text_is_json_dumps(tmp_path, monkeypatch, slice_size):
    monkeypatch.setattr(report_json, "SLICE", slice_size)
    report = _report()
    path = write_report(report, tmp_path / "report.json")
    assert path.read_bytes() == _json_text(report)


@pytest.mark.parametrize("name", ["documents", "realdata"])
def test_snapshot_reports_keep_their_text(tmp_path, monkeypatch, name):
    monkeypatch.setattr(report_json, "SLICE", 4)  # their lists written in slices
    text = (SNAPSHOTS / name / "report.json").read_bytes()
    assert write_report(json.loads(text), tmp_path / "report.json").read_bytes() == text


def test_where_json_is_not_json(tmp_path):
    """NaN is written null (json writes NaN, which JSON does not have); small floats keep their value."""
    report = {"nan": float("nan"), "small": 1e-05}
    text = write_report(report, tmp_path / "report.json").read_text(encoding="utf-8")
    assert json.loads(text) == {"nan": None, "small": 1e-05}
