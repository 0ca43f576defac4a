"""Item 4, no silent loss: skipped folders, link loops, a CSV without `value`, an unterminated quote."""

from __future__ import annotations

import json
import os
import shutil

from conftest import SEEDS, run_cli
from typer.testing import CliRunner

from nlp.cli import app

S001 = SEEDS / "001_9bd8c889aec7234b.txt"


def _report(out):
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def test_unreadable_subfolder_is_a_warning_and_a_count(tmp_path, monkeypatch):
    docs = tmp_path / "docs"
    (docs / "locked").mkdir(parents=True)
    shutil.copy(S001, docs)
    shutil.copy(S001, docs / "locked" / "other.txt")
    real = os.scandir

    def scandir(path="."):  # what `chmod 000 locked` does for a user who is not root
        if isinstance(path, str | os.PathLike) and os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = CliRunner().invoke(app, ["normalize", str(docs), "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 0, result.output
    assert f"warning: {docs / 'locked'}: folder not read: Permission denied" in result.stderr
    assert _report(tmp_path / "out")["discovery"]["unreadable_folders"] == 1


def test_symlinked_folder_is_followed_and_a_link_loop_ends(tmp_path):
    docs, elsewhere = tmp_path / "docs", tmp_path / "elsewhere"
    docs.mkdir()
    elsewhere.mkdir()
    shutil.copy(S001, elsewhere / "linked.txt")
    (docs / "linked").symlink_to(elsewhere, target_is_directory=True)
    (elsewhere / "back").symlink_to(docs, target_is_directory=True)  # docs/linked/back/linked/... forever
    done = run_cli("normalize", docs, "--out", tmp_path / "out", "--quiet")
    assert done.returncode == 0, done.stderr
    report = _report(tmp_path / "out")
    assert report["documents"]["read"] == 1
    assert report["discovery"]["link_loops"] == 1
    loop = f"warning: {docs / 'linked' / 'back'}: folder already read as {docs}"
    assert done.stderr.strip().startswith(loop)


def test_values_csv_without_a_value_column_names_the_closest(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,name,Value\n1,满意度,≥95%\n", encoding="utf-8")
    done = run_cli("values", "--in", src, "--out", tmp_path / "out.csv")
    assert done.returncode == 1
    hint = "no `value` column (columns: id, name, Value); did you mean `Value`?"
    assert done.stderr.strip() == f"error: {src}: {hint}"
    assert not (tmp_path / "out.csv").exists()


def test_values_csv_with_a_chinese_value_column_names_it(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("序号,指标名称,指标值\n1,满意度,≥95%\n", encoding="utf-8")
    done = run_cli("values", "--in", src)
    assert done.returncode == 1
    assert done.stderr.strip().endswith("did you mean `指标值`?")


def test_values_csv_unterminated_quote_keeps_the_rows_after_it(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text('id,value\n1,"≥95%\n2,10次\n3,100%\n', encoding="utf-8")
    done = run_cli("values", "--in", src, "--out", tmp_path / "out.jsonl")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r.get("id") for r in rows] == [None, "2", "3"]
    assert rows[0]["flags"] == "unreadable_row" and rows[0]["line"] == 2
    assert "line 2: unterminated quote" in done.stderr
    assert "3 rows (1 unreadable)" in done.stderr
