"""`jixiao values`: the real command on JSONL and CSV, files and stdin, with a bad line."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

JIXIAO = [sys.executable, "-m", "nlp.cli"]

JSONL_ROWS = [
    {"id": 1, "name": "验收合格率（%）", "value": "100"},
    {"id": 2, "name": "年印刷量", "value": "不少于190万印"},
    {"id": 3, "name": "业务工作支出安排金额", "value": "28.8万元", "unit": "%"},
    {"id": 4, "name": "人民群众满意度", "value": "95", "op": "≥", "unit": "%", "direction": "正向指标"},
]


def _run(args: list[str], stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([*JIXIAO, *args], input=stdin, capture_output=True, text=True, check=False)


def _jsonl(rows: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def test_jsonl_stdin_to_stdout():
    done = _run(["values"], _jsonl(JSONL_ROWS))
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    got = [(r["id"], r["kind"], r["op"], r["number"], r["unit"], r["unit_source"], r["flags"]) for r in out]
    assert got == [
        (1, "rate", "=", 100.0, "%", "name", ""),
        (2, "threshold", ">=", 1900000.0, "印", "value", ""),
        (3, "count", "=", 288000.0, "元", "value", "unit_conflict"),
        (4, "threshold", ">=", 95.0, "%", "column", ""),
    ]
    assert (out[3]["op_raw"], out[3]["unit_raw"], out[3]["direction"]) == ("≥", "%", "正向")


def test_bad_json_line_is_named_and_kept():
    text = _jsonl(JSONL_ROWS[:1]) + "{not json\n" + _jsonl(JSONL_ROWS[1:2])
    done = _run(["values"], text)
    assert done.returncode == 0
    assert "line 2: not valid JSON" in done.stderr
    assert "Traceback" not in done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r.get("flags") for r in out] == ["", "unreadable_row", ""]
    assert out[1]["raw"] == "{not json"


def test_csv_file_to_csv_file(tmp_path: Path):
    src = tmp_path / "in.csv"
    src.write_text(
        "id,name,value\na,培训人数,≥300\nb,支出及时率,及时完成\nc,维护,20-35次\n", encoding="utf-8-sig"
    )
    dest = tmp_path / "out.csv"
    done = _run(["values", "--in", str(src), "--out", str(dest)])
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(dest.read_text(encoding="utf-8-sig"))))
    got = [(r["id"], r["kind"], r["op"], r["number"], r["number_max"], r["unit"]) for r in rows]
    assert got == [
        ("a", "threshold", ">=", "300.0", "", "人"),
        ("b", "qualitative", "", "", "", ""),
        ("c", "threshold", "between", "20.0", "35.0", "次"),
    ]


def test_csv_on_stdin_is_sniffed_and_written_back_as_csv():
    done = _run(["values"], "name,value\n服务对象满意度,满意度95%以上\n")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(r["kind"], r["op"], r["number"], r["unit"]) for r in rows] == [("threshold", ">=", "95.0", "%")]


def test_jsonl_file_to_jsonl_file(tmp_path: Path):
    src = tmp_path / "in.jsonl"
    src.write_text(_jsonl([{"value": "≥0.97比例"}, {"value": None}]), encoding="utf-8")
    dest = tmp_path / "out.jsonl"
    done = _run(["values", "--in", str(src), "--out", str(dest)])
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in dest.read_text(encoding="utf-8").splitlines()]
    assert [(r["kind"], r["number"], r["flags"]) for r in out] == [
        ("threshold", 97.0, ""),
        ("unspecified", None, "missing_value"),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [(["values", "--in", "/nonexistent/x.jsonl"], "not found"), (["values", "--format", "xml"], "--format")],
    ids=["missing-file", "bad-format"],
)
def test_bad_calls_give_one_line_errors(args, message):
    done = _run(args)
    assert done.returncode != 0
    assert message in done.stderr and "Traceback" not in done.stderr


def test_unwritable_out_file_is_one_error_line(tmp_path: Path):
    target = tmp_path / "missing_folder" / "out.jsonl"
    done = _run(["values", "--out", str(target)], _jsonl(JSONL_ROWS[:1]))
    assert done.returncode == 1
    assert done.stderr.strip() == f"error: cannot write {target}: No such file or directory"
