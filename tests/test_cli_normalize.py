"""`jixiao normalize` on the bundled seeds: files written, BOM, columns, counts in report.json."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from nlp.cli import app
from nlp.outputs import INDICATOR_COLUMNS, PROJECT_COLUMNS

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "documents"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = CliRunner().invoke(app, ["normalize", str(SEEDS), "--out", str(out), "--quiet"])
    return result, out


@pytest.fixture(scope="module")
def report(run):
    return json.loads((run[1] / "report.json").read_text(encoding="utf-8"))


def test_exit_code_zero(run):
    assert run[0].exit_code == 0, run[0].output


def test_summary_line(run):
    assert "5 of 5 documents read, 64 projects" in run[0].stdout


TABLES = ("projects", "indicators", "quality", "links")
# columns each later stage adds after the reader's (nlp.outputs): values, classify, link, quality
STAGE_COLUMNS = {
    "projects": (
        "family_id", "quality_score", "share_quantitative", "share_with_unit", "n_flagged_indicators",
    ),
    "indicators": (
        *(f"{p}_{f}" for p in ("period", "annual") for f in ("kind", "op", "number", "number_max", "unit")),
        "level2_predicted", "level2_proba", "name_kind", "name_kind_proba", "level2_final", "level2_source",
    ),
}  # fmt: skip


@pytest.mark.parametrize(
    "name", [f"{t}.{ext}" for t in TABLES for ext in ("csv", "parquet")] + ["report.json"]
)
def test_file_written(run, name):
    assert (run[1] / name).stat().st_size > 0


@pytest.mark.parametrize("name", [f"{t}.csv" for t in TABLES])
def test_csv_has_bom(run, name):
    assert (run[1] / name).read_bytes()[:3] == b"\xef\xbb\xbf"


@pytest.mark.parametrize(
    ("name", "columns"), [("projects", PROJECT_COLUMNS), ("indicators", INDICATOR_COLUMNS)]
)
def test_columns(run, name, columns):
    """The reader's columns come first, in order, then every stage's columns."""
    written = list(pd.read_parquet(run[1] / f"{name}.parquet").columns)
    assert written[: len(columns)] == list(columns)
    assert set(STAGE_COLUMNS[name]) <= set(written)


@pytest.mark.parametrize("name", TABLES)
def test_csv_and_parquet_agree(run, name):
    csv = pd.read_csv(run[1] / f"{name}.csv", encoding="utf-8-sig", keep_default_na=False, dtype=str)
    parquet = pd.read_parquet(run[1] / f"{name}.parquet")
    assert list(csv.columns) == list(parquet.columns)
    assert len(csv) == len(parquet) > 0
    text = parquet.astype(object).where(parquet.notna(), "").astype(str)
    for column in ("flags", "evidence", "project_id", "family_id", "key"):
        if column in csv.columns:
            assert list(csv[column]) == list(text[column]), column


def test_report_stage_notes(report):
    assert set(report["stages"]) == {"values", "classify", "link", "quality"}
    assert report["stages"]["classify"] == "360 names classified"
    assert report["links"]["written"] > 0


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("documents", {"given": 5, "read": 5, "failed": 0}),
        ("projects", {"read": 64, "written": 64}),
    ],
)
def test_report_counts(report, key, expected):
    assert report[key] == expected


def test_report_indicator_counts_match_table(run, report):
    n = len(pd.read_parquet(run[1] / "indicators.parquet"))
    assert report["indicators"] == {"read": n, "written": n}


@pytest.mark.parametrize(
    ("stem", "projects"),
    [("000", 14), ("001", 16), ("002", 1), ("003", 19), ("004", 14)],
)
def test_report_per_document(report, stem, projects):
    entry = next(d for d in report["per_document"] if d["doc"].startswith(stem))
    assert entry["projects"] == projects


def test_report_problems_have_file_line_what(report):
    assert report["problems"] and all(
        set(p) == {"file", "line", "what", "severity"} for p in report["problems"]
    )


def test_report_amount_mismatch_of_000(report):
    bad = [c for c in report["amount_checks"] if not c["ok"]]
    assert {(c["doc"][:3], c["stated"], c["summed"]) for c in bad} == {("000", 370.81, 370.82)}


def test_project_table_amounts(run):
    projects = pd.read_parquet(run[1] / "projects.parquet")
    assert round(projects.loc[projects["doc"].str.startswith("003"), "total"].sum(), 2) == 2476.54


def test_missing_path_fails_but_others_are_written(tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "normalize",
            str(SEEDS / "001_9bd8c889aec7234b.txt"),
            str(tmp_path / "nope"),
            "--out",
            str(tmp_path),
            "-q",
        ],
    )
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {tmp_path / 'nope'}: no such file or folder"
    assert len(pd.read_parquet(tmp_path / "projects.parquet")) == 16


def test_progress_bars_on_stderr_unless_quiet(tmp_path):
    one = str(SEEDS / "002_392f80d8c612f394.txt")
    loud = CliRunner().invoke(app, ["normalize", one, "--out", str(tmp_path / "a")])
    chunked = CliRunner().invoke(app, ["normalize", one, "--out", str(tmp_path / "c"), "--workers", "2"])
    quiet = CliRunner().invoke(app, ["normalize", one, "--out", str(tmp_path / "b"), "--quiet"])
    assert "reading" in loud.stderr and "stages" in loud.stderr  # one process: files, then the stages
    assert "reading" in chunked.stderr and "normalizing" in chunked.stderr  # chunks: the two passes
    assert quiet.stderr == ""
    assert "1 of 1 documents read" in loud.stdout and "1 of 1 documents read" in chunked.stdout
