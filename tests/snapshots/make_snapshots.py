"""Rewrite the output snapshots: `jixiao normalize` on examples/documents and examples/realdata.

The snapshots are the guard of tests/test_snapshot.py: every table byte for byte (CSV), the Parquet
column types, and report.json. Run this only when an output change is intended, and say in the commit
which rows changed and why:

    python tests/snapshots/make_snapshots.py
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from nlp.cli import app

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CORPORA = {"documents": "examples/documents", "realdata": "examples/realdata"}
TABLES = ("projects", "indicators", "quality", "links")


def normalize(corpus: str, out: Path, *extra: str) -> None:
    """Run `jixiao normalize` on a corpus (a path relative to the repository root) into `out`."""
    cwd = Path.cwd()
    os.chdir(ROOT)  # report.json keeps the paths as given: relative, so the snapshot is portable
    try:
        result = CliRunner().invoke(app, ["normalize", corpus, "--out", str(out), "--quiet", *extra])
    finally:
        os.chdir(cwd)
    if result.exit_code != 0 and not _failures_recorded(result.exit_code, out):
        raise RuntimeError(f"jixiao normalize {corpus} failed: {result.output}")


def _failures_recorded(exit_code: int, out: Path) -> bool:
    """Exit 1 with a report.json that counts failed documents: some files are not budget tables, and the
    snapshot (tables and report, failures included) is still the run's whole output."""
    report = out / "report.json"
    if exit_code != 1 or not report.is_file():
        return False
    return json.loads(report.read_text(encoding="utf-8"))["documents"]["failed"] > 0


def schema(out: Path) -> dict[str, dict[str, str]]:
    """{table: {column: Arrow type}} of the Parquet files in `out`."""
    return {
        name: {f.name: str(f.type) for f in pq.read_schema(out / f"{name}.parquet")} for name in TABLES
    }


def main() -> None:
    for name, corpus in CORPORA.items():
        out = Path(tempfile.mkdtemp(prefix="snapshot-"))
        try:
            normalize(corpus, out)
            dest = HERE / name
            dest.mkdir(exist_ok=True)
            for table in TABLES:
                shutil.copy(out / f"{table}.csv", dest / f"{table}.csv")
            (dest / "schema.json").write_text(json.dumps(schema(out), indent=1) + "\n", encoding="utf-8")
            shutil.copy(out / "report.json", dest / "report.json")
        finally:
            shutil.rmtree(out)
        print(f"wrote {HERE / name}")


if __name__ == "__main__":
    main()
