"""Item 3, every document counts once, whatever its name: unique ids, duplicates read once, --out not read."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from conftest import SEEDS, run_cli

S001, S003 = SEEDS / "001_9bd8c889aec7234b.txt", SEEDS / "003_fa9ee3475f69190e.txt"


def _report(out):
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def test_same_file_name_in_two_folders_gives_two_documents(tmp_path):
    docs = tmp_path / "docs"
    for year, seed in (("2023", S001), ("2024", S003)):
        (docs / year).mkdir(parents=True)
        shutil.copy(seed, docs / year / "report.txt")
    done = run_cli("normalize", docs, "--out", tmp_path / "out", "--quiet")
    assert done.returncode == 0, done.stderr
    projects = pd.read_parquet(tmp_path / "out" / "projects.parquet")
    assert sorted(projects["doc"].unique()) == ["2023/report", "2024/report"]
    assert projects["project_id"].is_unique
    alone = [run_cli("normalize", s, "--out", tmp_path / s.stem, "--quiet") for s in (S001, S003)]
    assert all(a.returncode == 0 for a in alone)
    assert len(projects) == sum(_report(tmp_path / s.stem)["tables"]["projects"] for s in (S001, S003))


def test_same_file_given_twice_is_read_once_with_a_warning(tmp_path):
    done = run_cli("normalize", S001, S001, "--out", tmp_path / "out", "--quiet")
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == f"warning: {S001}: given twice: read once"
    report = _report(tmp_path / "out")
    assert report["documents"]["given"] == 1 and report["discovery"]["duplicates"] == 1


def test_file_given_with_its_folder_is_read_once(tmp_path):
    done = run_cli("normalize", SEEDS, S001, "--out", tmp_path / "out", "--quiet")
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == f"warning: {S001}: given twice: read once"
    assert _report(tmp_path / "out")["documents"]["given"] == 5


@pytest.mark.parametrize("where", ["out", "."], ids=["out_inside_input", "out_is_input"])
def test_out_inside_the_input_folder_is_not_read_back(tmp_path, where):
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(S001, docs)
    out = docs / where
    for _ in range(2):  # the second run finds the first run's tables among the documents
        done = run_cli("normalize", docs, "--out", out, "--quiet")
        assert done.returncode == 0, done.stderr
    report = _report(out)
    assert report["documents"] == {"given": 1, "read": 1, "failed": 0}
    assert report["discovery"]["output_tables_skipped"] == 4
