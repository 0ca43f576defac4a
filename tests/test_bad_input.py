"""Bad input never crashes and is never silently lost; inputs are made from the seeds in tmp_path."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nlp.cli import app
from nlp.documents import read_document
from nlp.pipeline import run

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "documents"
S001, S003, S004 = (
    SEEDS / f"{s}.txt" for s in ("001_9bd8c889aec7234b", "003_fa9ee3475f69190e", "004_23b8967a22161806")
)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def _summary(doc) -> list[tuple]:
    return [
        (
            p.project,
            p.unit,
            p.total,
            p.fiscal,
            [(i.level2, i.name, i.period_value, i.annual_value) for i in p.indicators],
        )
        for p in doc.projects
    ]


# ---- files that are not budget tables: one error Problem naming the file, no exception ----------

NOT_TABLES = [
    ("empty", b""),
    ("blank-lines", b"\n \n\t\n"),
    ("binary-with-nul", bytes(range(256)) * 20),
    ("binary-random", random.Random(0).randbytes(5000)),
    ("plain-prose", "会议纪要\n\n本次会议讨论了明年的工作安排。\n".encode()),
    ("header-only-cut", "项目支出绩效目标表（含转移支付项目）\n\n部门名称：广州市".encode()),
]


@pytest.mark.parametrize("data", [c[1] for c in NOT_TABLES], ids=[c[0] for c in NOT_TABLES])
def test_not_a_table_gives_one_error(tmp_path, data):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    doc = read_document(path)
    assert (doc.layout, doc.projects) == ("unknown", ())
    assert [(p.file, p.severity) for p in doc.problems] == [(str(path), "error")]


def test_missing_file_names_the_path(tmp_path):
    doc = read_document(tmp_path / "nope.txt")
    assert str(doc.problems[0]) == f"{tmp_path / 'nope.txt'}: no such file or folder"


# ---- GBK and GB18030: same content as the UTF-8 seed -------------------------------------------


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-16"])
def test_encodings_read_like_utf8(tmp_path, encoding):
    path = tmp_path / "003.txt"
    path.write_bytes(S003.read_text(encoding="utf-8").encode(encoding))
    assert _summary(read_document(path)) == _summary(read_document(S003))


def test_gbk_decoding_is_reported(tmp_path):
    path = tmp_path / "003.txt"
    path.write_bytes(S003.read_text(encoding="utf-8").encode("gbk"))
    assert any("gb18030" in p.what or "gbk" in p.what.lower() for p in read_document(path).problems)


# ---- shuffled columns: placed by the header row -----------------------------------------------


def test_shuffled_columns_read_the_same(tmp_path):
    order = [6, 3, 0, 5, 1, 4, 2]
    out = []
    for line in _lines(S004):
        cells = line.split("\t")
        out.append("\t".join(cells[i] for i in order) if len(cells) == 7 else line)
    path = tmp_path / "004_shuffled.txt"
    path.write_text("\n".join(out), encoding="utf-8")
    assert _summary(read_document(path)) == _summary(read_document(S004))


# ---- truncated in the middle of a row and of a character --------------------------------------


@pytest.fixture
def truncated(tmp_path):
    """003 cut inside the second indicator name of line 22 (机关饭堂运行经费), mid-character."""
    data = S003.read_bytes()
    line22 = data.split(b"\n")[21]
    anchor = "11-数量指标：提".encode()
    cut = data.index(line22) + line22.index(anchor) + len(anchor) + 1  # one byte into the next character
    path = tmp_path / "003_truncated.txt"
    path.write_bytes(data[:cut])
    return path


def test_truncated_keeps_every_row_up_to_the_cut(truncated):
    names = [p.project for p in read_document(truncated).projects]
    full = [p.project for p in read_document(S003).projects]
    assert names == full[: full.index("机关饭堂运行经费") + 1]


def test_truncated_last_indicator_is_kept_and_flagged(truncated):
    last = read_document(truncated).projects[-1].indicators[-1]
    assert (last.name, last.annual_value, last.flags) == ("提", None, ("missing_value",))


def test_truncated_is_reported_with_file_and_line(truncated):
    problems = read_document(truncated).problems
    assert any((p.file, p.line) == (str(truncated), 22) and "truncated" in p.what for p in problems)


def test_truncated_sum_mismatch_is_reported(truncated):
    assert any("amount_mismatch" in p.what for p in read_document(truncated).problems)


# ---- garbled rows: kept with raw text and a flag ----------------------------------------------


def test_amount_that_is_not_a_number(tmp_path):
    lines = _lines(S003)
    lines[11] = lines[11].replace("18.00\t18.00", "十八\t18.00")
    path = tmp_path / "003_garbled.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    doc = read_document(path)
    p = doc.projects[0]
    assert (p.project, p.total, p.fiscal, p.raw) == ("公务用车购置费", None, 18.0, lines[11])
    assert "bad_amount" in p.flags
    assert any(pr.line == 12 and "十八" in pr.what for pr in doc.problems)


def test_stray_text_line_is_reported(tmp_path):
    lines = _lines(S001)
    lines.insert(13, "（续表）第2页")
    path = tmp_path / "001_stray.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    doc = read_document(path)
    assert len(doc.projects) == 16
    assert any(p.line == 14 and "第2页" in p.what for p in doc.problems)


def test_row_without_indicators_is_kept_and_flagged(tmp_path):
    lines = _lines(S001)
    lines[11] = "\t".join([*lines[11].split("\t")[:6], ""])
    path = tmp_path / "001_no_ind.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    p = read_document(path).projects[0]
    assert (p.project, p.indicators, p.flags) == ("区人大常委会机关日常办公经费", (), ("no_indicators",))


# ---- the batch: bad files reported one line each, good files still written, counted -----------


@pytest.fixture
def mixed(tmp_path, truncated):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (folder / "001.txt").write_bytes(S001.read_bytes())
    (folder / "003_truncated.txt").write_bytes(truncated.read_bytes())
    return folder


def test_cli_reports_each_bad_file_on_one_line(tmp_path, mixed):
    result = CliRunner().invoke(
        app, ["normalize", str(mixed), str(tmp_path / "missing"), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]
    assert sorted(ln.split(": ")[1] for ln in errors) == sorted(
        [str(mixed / "binary.txt"), str(mixed / "empty.txt"), str(tmp_path / "missing")]
    )
    assert "Traceback" not in result.output


def test_batch_counts_everything(mixed):
    result = run([mixed])
    assert result.report["documents"] == {"given": 4, "read": 2, "failed": 2}
    assert result.report["projects"]["written"] == 16 + 9
    assert result.report["flags"]["indicators"]["missing_value"] == 1  # the indicator cut in half
    assert any(p["file"].endswith("003_truncated.txt") and p["line"] == 22 for p in result.report["problems"])


# ---- the same table in other shapes ----------------------------------------------------------


def test_comma_separated_export_reads_like_tabs(tmp_path):
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for line in _lines(S003):
        writer.writerow(line.split("\t") if "\t" in line else [line])
    path = tmp_path / "003.csv"
    path.write_text(buf.getvalue(), encoding="utf-8-sig")
    assert _summary(read_document(path)) == _summary(read_document(S003))


def test_wrapped_goal_and_list_on_one_line(tmp_path):
    s000 = SEEDS / "000_e4e529e5a252bb3b.txt"
    text = s000.read_text(encoding="utf-8").replace("等支出。\n\n1、1-产出指标", "等支出。1、1-产出指标", 1)
    path = tmp_path / "000_joined.txt"
    path.write_text(text, encoding="utf-8")
    assert _summary(read_document(path)) == _summary(read_document(s000))


def test_link_and_report_refuse_a_table_that_is_not_theirs(tmp_path):
    """A CSV without project columns, or a damaged Parquet, gives one error line naming the file."""
    (tmp_path / "projects.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (tmp_path / "indicators.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (tmp_path / "broken.parquet").write_bytes(b"not parquet")
    runner = CliRunner()
    cases = [
        (["link", str(tmp_path / "projects.csv"), "--out", str(tmp_path / "l")], "not a projects table"),
        (["report", str(tmp_path)], "not a projects table"),
        (["link", str(tmp_path / "broken.parquet"), "--out", str(tmp_path / "l")], "cannot be read"),
    ]
    for args, what in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 1, args
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith(f"error: {tmp_path}") and what in line, line


def test_an_unwritable_out_folder_is_one_error_line(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["normalize", str(SEEDS / "002_392f80d8c612f394.txt"), "--out", str(blocker), "-q"]
    )
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {blocker} is a file, not a folder: give a folder for the tables"


def test_a_folder_without_documents_is_an_error(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    result = CliRunner().invoke(app, ["normalize", str(docs), "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 1
    suffixes = "*.txt *.tsv *.csv *.md *.xlsx *.xlsm *.xls *.ods *.docx *.html *.htm *.pdf"
    assert result.stderr.strip() == f"error: no documents ({suffixes}) under {docs}"
