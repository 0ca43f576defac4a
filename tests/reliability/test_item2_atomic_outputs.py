"""Item 2, atomic and self-describing outputs: a killed, failed or empty run leaves the previous output."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess

import pandas as pd
import pytest
from conftest import SEEDS, TIMEOUT, jixiao_argv, run_cli, snapshot, wait_for
from typer.testing import CliRunner

from nlp.atomic import LOCK_NAME, STAGING_PREFIX
from nlp.cli import app

TABLES = ("projects", "indicators", "quality", "links")


@pytest.fixture
def out(previous_output, tmp_path):
    """A copy of a finished output folder, to run over."""
    copy = tmp_path / "out"
    shutil.copytree(previous_output, copy)
    return copy


def _writing(out, before):
    """True once the run writes: a staged file exists, or a file of `out` changed."""

    def check() -> bool:
        if any(any(d.iterdir()) for d in out.glob(f"{STAGING_PREFIX}*")):
            return True
        try:
            return snapshot(out).keys() != before.keys() or any(
                (out / n).stat().st_mtime_ns != m for n, m in before.items()
            )
        except FileNotFoundError:
            return True

    return check


def _kill_while_writing(out, sig):
    """Start `jixiao normalize` (no linking, so its tables differ) over `out`; send `sig` while it writes."""
    before = {n: (out / n).stat().st_mtime_ns for n in snapshot(out)}
    proc = subprocess.Popen(
        jixiao_argv("normalize", SEEDS, "--out", out, "--quiet", "--no-link"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    caught = wait_for(_writing(out, before), proc)
    if proc.poll() is None:
        proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=TIMEOUT)
    return caught, proc.returncode, stderr


def _complete_new_output(out) -> bool:
    """The interrupted run's output (no linking) in full: its report.json counts every table as written."""
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    rows = {t: len(pd.read_csv(out / f"{t}.csv", encoding="utf-8-sig")) for t in TABLES}
    new = report["stages"].get("link") == "off" and rows == report["tables"]
    return new and all(rows[t] == len(pd.read_parquet(out / f"{t}.parquet")) for t in TABLES)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=lambda s: s.name)
def test_run_killed_while_writing_leaves_previous_output(out, sig):
    old = snapshot(out)
    for _ in range(5):  # the write takes a fraction of a second: try again if the run was already done
        caught, code, stderr = _kill_while_writing(out, sig)
        if code != 0:
            break
        shutil.rmtree(out)
        out.mkdir()
        for name, data in old.items():
            (out / name).write_bytes(data)
    assert caught and code != 0, "the run finished before it could be interrupted"
    # the previous output exactly; or, if the signal came while the files were being moved in (it waits
    # for that), the complete new output: never a mix
    assert snapshot(out) == old or _complete_new_output(out)
    if sig != signal.SIGKILL:
        assert code == 128 + sig
        assert len(stderr.strip().splitlines()) == 1
        assert stderr.startswith(f"error: interrupted ({sig.name})")
        assert not list(out.glob(f"{STAGING_PREFIX}*")) and not (out / LOCK_NAME).exists()


def test_leftovers_of_a_killed_run_are_removed_by_the_next(out):
    (out / f"{STAGING_PREFIX}999999999-x").mkdir()
    (out / f"{STAGING_PREFIX}999999999-x" / "projects.csv").write_text("half", encoding="utf-8")
    (out / LOCK_NAME).write_text("999999999\n", encoding="ascii")  # no such process
    done = run_cli("normalize", SEEDS / "001_9bd8c889aec7234b.txt", "--out", out, "--quiet")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []


def test_failure_midway_through_writing_leaves_previous_output(out, monkeypatch):
    old = snapshot(out)
    calls = []
    real = pd.DataFrame.to_parquet

    def fail_on_third(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", fail_on_third)
    result = CliRunner().invoke(app, ["normalize", str(SEEDS), "--out", str(out), "-q", "--no-link"])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: cannot write the tables to {out}: No space left on device"
    assert snapshot(out) == old


def test_no_readable_input_leaves_previous_output(out, tmp_path):
    old = snapshot(out)
    bad = tmp_path / "docs"
    bad.mkdir()
    (bad / "scan.txt").write_bytes(bytes(range(256)) * 8)
    done = run_cli("normalize", bad, "--out", out, "--quiet")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        f"error: none of the 1 documents could be read; nothing written to {out}"
    )
    assert snapshot(out) == old


def test_second_run_into_the_same_out_is_refused_naming_the_first_pid(out, tmp_path):
    fifo = tmp_path / "slow.txt"  # the first run waits on this pipe, holding --out, until it is fed
    os.mkfifo(fifo)
    argv = jixiao_argv("normalize", fifo, "--out", out, "--quiet")
    first = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: (out / LOCK_NAME).exists(), first), "the first run never took the lock"
        second = run_cli("normalize", SEEDS, "--out", out, "--quiet")
    finally:
        with open(fifo, "wb") as pipe:
            pipe.write((SEEDS / "001_9bd8c889aec7234b.txt").read_bytes())
        first.communicate(timeout=TIMEOUT)
    assert first.returncode == 0
    assert second.returncode == 1
    assert f"(pid {first.pid}, lock file {out / LOCK_NAME})" in second.stderr
    assert len(second.stderr.strip().splitlines()) == 1
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["tables"]["projects"] == len(pd.read_parquet(out / "projects.parquet"))
    assert report["documents"]["given"] == 1


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("", "error: --out is empty: give a folder for the tables"),
        ("a_file", "error: {out} is a file, not a folder: give a folder for the tables"),
        ("a_file/out", "error: cannot write the tables to {out}: Not a directory"),
    ],
    ids=["empty", "existing_file", "unwritable"],
)
def test_out_is_checked_before_any_work(tmp_path, given, message):
    (tmp_path / "a_file").write_text("mine", encoding="utf-8")
    out = tmp_path / given if given else ""
    missing = tmp_path / "not_read_yet.txt"  # would give a second error line if documents were read
    done = subprocess.run(
        jixiao_argv("normalize", missing, "--out", out, "--quiet"),
        capture_output=True, text=True, timeout=TIMEOUT, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip() == message.format(out=out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file"]
    assert (tmp_path / "a_file").read_text(encoding="utf-8") == "mine"


def test_report_json_counts_the_rows_of_every_table(previous_output):
    report = json.loads((previous_output / "report.json").read_text(encoding="utf-8"))
    for name in TABLES:
        rows = len(pd.read_parquet(previous_output / f"{name}.parquet"))
        csv_rows = len(pd.read_csv(previous_output / f"{name}.csv", encoding="utf-8-sig"))
        assert report["tables"][name] == rows == csv_rows


def test_stale_report_html_of_an_earlier_run_is_removed_and_named(out):
    (out / "report.html").write_text("<html>old tables</html>", encoding="utf-8")
    done = run_cli("normalize", SEEDS / "001_9bd8c889aec7234b.txt", "--out", out, "--quiet")
    assert done.returncode == 0, done.stderr
    assert not (out / "report.html").exists()
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["removed_stale"] == ["report.html"]


@pytest.mark.parametrize("given", ["", "a_folder"], ids=["empty", "folder"])
def test_values_out_is_checked_before_any_row_is_read(tmp_path, given):
    (tmp_path / "a_folder").mkdir()
    src = tmp_path / "in.jsonl"
    src.write_text('{"value": "≥95%"}\n', encoding="utf-8")
    out = str(tmp_path / given) if given else ""
    done = run_cli("values", "--in", src, "--out", out)
    assert done.returncode == 1
    what = "--out is empty" if not given else f"{out} is a folder"
    assert done.stderr.strip() == f"error: {what}: give a file for the rows (or no --out for stdout)"
    assert done.stdout == ""
