"""Item 8, the other commands: link and report refuse bad input in one `error:` line; bad model metadata."""

from __future__ import annotations

import shutil
import tempfile

import pandas as pd
import pytest
from conftest import SEEDS, run_cli, snapshot
from typer.testing import CliRunner

from nlp.classify import DEFAULT_MODELS
from nlp.cli import app
from nlp.pipeline import Options, run


def _one_error(done, text):
    assert done.returncode != 0
    assert done.stderr.strip().startswith("error: ") and text in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_link_refuses_duplicate_project_ids(previous_output, tmp_path):
    projects = pd.read_parquet(previous_output / "projects.parquet")
    pd.concat([projects, projects.head(2)]).to_parquet(tmp_path / "projects.parquet", index=False)
    done = run_cli("link", tmp_path / "projects.parquet", "--out", tmp_path / "links")
    _one_error(done, "2 project_ids occur more than once")
    assert not any((tmp_path / "links").iterdir())


@pytest.mark.parametrize("threshold", ["1.5", "-0.1"])
def test_link_refuses_a_threshold_outside_0_1(previous_output, tmp_path, threshold):
    projects = previous_output / "projects.parquet"
    done = run_cli("link", projects, "--out", tmp_path / "l", "--threshold", threshold)
    _one_error(done, f"--threshold must be between 0 and 1, got {float(threshold)}")


def test_link_out_pointing_at_a_file(previous_output, tmp_path):
    (tmp_path / "a_file").write_text("mine", encoding="utf-8")
    done = run_cli("link", previous_output / "projects.parquet", "--out", tmp_path / "a_file")
    _one_error(done, "is a file, not a folder")
    assert (tmp_path / "a_file").read_text(encoding="utf-8") == "mine"


def test_report_on_header_only_tables(previous_output, tmp_path):
    for name in ("projects", "indicators"):
        pd.read_parquet(previous_output / f"{name}.parquet").head(0).to_csv(
            tmp_path / f"{name}.csv", index=False, encoding="utf-8-sig"
        )
    _one_error(run_cli("report", tmp_path), "the projects table has no rows")


def test_report_into_a_read_only_folder(previous_output, tmp_path, monkeypatch):
    out = tmp_path / "out"
    shutil.copytree(previous_output, out)
    old = snapshot(out)

    def read_only(*args, **kwargs):  # what a read-only folder does to a user who is not root
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    result = CliRunner().invoke(app, ["report", str(out)])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: cannot write {out}/report.html: Permission denied"
    assert snapshot(out) == old


def test_metadata_json_that_is_not_an_object_is_a_model_error(tmp_path):
    models = tmp_path / "models"
    shutil.copytree(DEFAULT_MODELS, models)
    (models / "metadata.json").write_text("[]", encoding="utf-8")
    result = run([SEEDS / "001_9bd8c889aec7234b.txt"], options=Options(model_dir=models))
    assert len(result.indicators) > 0  # the run is not lost: only the classifiers are skipped
    note = result.report["stages"]["classify"]
    assert note.startswith("skipped: ") and "is not metadata of `jixiao train` (a list)" in note
