"""`jixiao normalize` on the seeds and realdata gives exactly the committed snapshot (tests/snapshots).

The guard of every speed-up: the four tables byte for byte (CSV), their Parquet column types, and
report.json; the chunked run (--workers 2) must give the same files. An intended output change is made
by `python tests/snapshots/make_snapshots.py`, with the changed rows named in the commit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "snapshots"))
from make_snapshots import CORPORA, HERE, TABLES, normalize, schema


@pytest.fixture(scope="module", params=sorted(CORPORA))
def written(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(request.param)
    normalize(CORPORA[request.param], out)
    return request.param, out


@pytest.mark.parametrize("table", TABLES)
def test_table_is_the_snapshot(written, table):
    name, out = written
    got = (out / f"{table}.csv").read_text(encoding="utf-8-sig").splitlines()
    want = (HERE / name / f"{table}.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(got) == len(want), f"{name}/{table}: {len(got)} lines, snapshot {len(want)}"
    diff = [(i, w, g) for i, (w, g) in enumerate(zip(want, got, strict=True)) if w != g]
    first = f"line {diff[0][0]}\n{diff[0][1]}\n{diff[0][2]}" if diff else ""
    assert not diff, f"{name}/{table}: {len(diff)} lines differ, first: {first}"


def test_parquet_types_are_the_snapshot(written):
    name, out = written
    assert schema(out) == json.loads((HERE / name / "schema.json").read_text(encoding="utf-8"))


def test_report_is_the_snapshot(written):
    name, out = written
    got = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert got == json.loads((HERE / name / "report.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_chunked_run_is_the_snapshot(name, tmp_path):
    normalize(CORPORA[name], tmp_path, "--workers", "2", "--chunk-size", "7")
    for table in TABLES:
        got = (tmp_path / f"{table}.csv").read_bytes()
        assert got == (HERE / name / f"{table}.csv").read_bytes(), f"{name}/{table} differs"
    assert schema(tmp_path) == json.loads((HERE / name / "schema.json").read_text(encoding="utf-8"))
    got = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert got == json.loads((HERE / name / "report.json").read_text(encoding="utf-8"))


def test_snapshot_accepts_a_corpus_with_a_failed_document(tmp_path):
    import shutil

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(next(iter(sorted((HERE.parents[1] / "examples" / "documents").glob("*.txt")))), corpus)
    (corpus / "notes.txt").write_text("这不是绩效目标表。\n", encoding="utf-8")
    normalize(str(corpus), tmp_path / "out")  # exit 1, recorded in report.json: a valid snapshot
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["documents"] == {"given": 2, "read": 1, "failed": 1}
    with pytest.raises(RuntimeError, match="failed"):
        normalize(str(tmp_path / "nothing-here"), tmp_path / "out2")
