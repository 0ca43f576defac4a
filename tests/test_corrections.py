"""Reviewers' corrections (nlp/corrections.py): the file, applying it over the seeds, and training rows."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from nlp import corrections as corr
from nlp.classify import NAME_KINDS, load_training_data
from nlp.cli import app
from nlp.corrections import Correction

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "documents"
DOC = "000_e4e529e5a252bb3b"
PID = f"{DOC}-001"  # 编外人员聘用经费: seq 1 编外人员到位率, 2 …, 3 群众满意度（%）, 4 预算控制


def answer(seq: int, field: str, value: str = "", at: str = "2026-12-03T10:00:00Z") -> Correction:
    return Correction(DOC, PID, seq, field, value, "ann", at)


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    """The seeds normalized once, without corrections."""
    folder = tmp_path_factory.mktemp("out")
    result = CliRunner().invoke(app, ["normalize", str(SEEDS), "--out", str(folder), "--quiet"])
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="module")
def indicators(out) -> pd.DataFrame:
    return pd.read_parquet(out / "indicators.parquet")


def row(frame: pd.DataFrame, seq: int) -> pd.Series:
    hit = frame[(frame["project_id"] == PID) & (frame["seq"] == seq)]
    assert len(hit) == 1
    return hit.iloc[0]


# ---------------------------------------------------------------- values a reviewer may give


@pytest.mark.parametrize(
    ("field", "given", "kept"),
    [
        ("level2_final", "12-质量指标", "12-质量指标"),
        ("annual_kind", " rate ", "rate"),
        ("annual_op", "", ""),
        ("annual_op", ">=", ">="),
        ("annual_number", "1,200", "1200.0"),
        ("annual_number_max", "", ""),
        ("annual_unit", "人次", "人次"),
        ("name_kind", "count", "count"),
        ("drop", "", "yes"),
        ("drop", "no", "no"),
        ("accept", "anything", ""),
    ],
)
def test_check_value_keeps(field, given, kept):
    assert corr.check_value(field, given) == kept


@pytest.mark.parametrize(
    ("field", "given", "says"),
    [
        ("level2_final", "数量指标", "must be one of"),
        ("annual_kind", "percent", "must be one of"),
        ("annual_number", "abc", "must be a number"),
        ("annual_number", "inf", "finite"),
        ("annual_unit", "x" * 41, "at most"),
        ("annual_unit", "a\nb", "printable"),
        ("name_kind", "threshold", "must be one of"),
        ("drop", "maybe", "must be one of"),
        ("flags", "", "unknown field"),
    ],
)
def test_check_value_refuses(field, given, says):
    with pytest.raises(ValueError, match=says):
        corr.check_value(field, given)


def test_name_kinds_match_the_classifier():
    assert corr.NAME_KINDS is NAME_KINDS  # one owner: nlp.schema


# ---------------------------------------------------------------- the file


def test_append_writes_header_once_and_reads_back(tmp_path):
    path = tmp_path / "corrections.csv"
    corr.append(path, [answer(1, "level2_final", "12-质量指标")])
    corr.append(path, [answer(2, "drop", "yes"), answer(3, "accept")])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\xef\xbb\xbf") == 1  # BOM once, for Excel
    assert raw.decode("utf-8-sig").splitlines()[0] == ",".join(corr.COLUMNS)
    answers, problems = corr.read(path)
    assert problems == []
    assert [(a.seq, a.field, a.value) for a in answers] == [
        (1, "level2_final", "12-质量指标"),
        (2, "drop", "yes"),
        (3, "accept", ""),
    ]
    assert answers[1].source == f"{path}:3"


def test_bad_rows_are_warned_with_their_line(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "doc,project_id,seq,field,value,reviewer,at\n"
        f"{DOC},{PID},x,drop,yes,ann,t\n"
        f"{DOC},{PID},1,annual_number,many,ann,t\n"
        f"{DOC},{PID},1,annual_number,12,ann,t\n",
        encoding="utf-8",
    )
    answers, problems = corr.read(path)
    assert len(answers) == 1
    assert [(p.line, "skipped" in p.what) for p in problems] == [(2, True), (3, True)]
    assert "must be a number" in problems[1].what


def test_a_file_without_the_columns_is_an_error(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(corr.CorrectionsError, match="no column doc"):
        corr.read(path)


# ---------------------------------------------------------------- applying


def test_corrected_level2_is_reviewed(indicators):
    applied = corr.apply_corrections(indicators, [answer(1, "level2_final", "12-质量指标")])
    got = row(applied.indicators, 1)
    assert (got["level2_final"], got["level2_source"]) == ("12-质量指标", "reviewed")
    assert "reviewed" in got["flags"].split(";")
    assert row(indicators, 1)["level2_final"] == "11-数量指标"  # the input is not changed


def test_corrected_value_replaces_the_machines(indicators):
    fixes = [answer(4, "annual_kind", "count"), answer(4, "annual_number", "95.0")]
    fixes.append(answer(4, "annual_unit", "项"))
    got = row(corr.apply_corrections(indicators, fixes).indicators, 4)
    assert (got["annual_kind"], got["annual_number"], got["annual_unit"]) == ("count", 95.0, "项")
    assert got["annual_flags"] == "reviewed"
    assert got["level2_source"] == row(indicators, 4)["level2_source"]  # level2 not touched


def test_corrected_name_kind_is_certain(indicators):
    got = row(corr.apply_corrections(indicators, [answer(1, "name_kind", "qualitative")]).indicators, 1)
    assert (got["name_kind"], got["name_kind_proba"]) == ("qualitative", 1.0)


def test_accept_changes_nothing_but_the_flag(indicators):
    got = row(corr.apply_corrections(indicators, [answer(3, "accept")]).indicators, 3)
    before = row(indicators, 3)
    assert got.drop("flags").equals(before.drop("flags"))
    assert got["flags"].split(";")[-1] == "reviewed"


def test_the_last_answer_wins(indicators):
    fixes = [answer(1, "level2_final", "12-质量指标"), answer(1, "level2_final", "13-时效指标")]
    assert row(corr.apply_corrections(indicators, fixes).indicators, 1)["level2_final"] == "13-时效指标"


def test_dropped_rows_leave_the_table_and_are_counted(indicators):
    applied = corr.apply_corrections(indicators, [answer(2, "drop", "yes")])
    assert len(applied.indicators) == len(indicators) - 1
    assert ((applied.indicators["project_id"] == PID) & (applied.indicators["seq"] == 2)).sum() == 0
    assert applied.summary["dropped"] == 1


def test_an_undone_drop_keeps_the_row(indicators):
    applied = corr.apply_corrections(indicators, [answer(2, "drop", "yes"), answer(2, "drop", "no")])
    assert len(applied.indicators) == len(indicators)
    assert applied.summary["dropped"] == 0


def test_answers_for_missing_rows_are_warned(indicators):
    gone = Correction(DOC, PID, 999, "accept", "", "ann", "t", source="c.csv:7")
    applied = corr.apply_corrections(indicators, [gone])
    assert applied.indicators.equals(indicators.reset_index(drop=True))
    assert applied.summary["unmatched"] == 1
    (problem,) = applied.problems
    assert (problem.file, problem.line) == ("c.csv", 7)
    assert "no such indicator" in problem.what


# ---------------------------------------------------------------- jixiao normalize --corrections


@pytest.fixture(scope="module")
def corrected(out, tmp_path_factory):
    fixes = tmp_path_factory.mktemp("fixes") / "corrections.csv"
    corr.append(
        fixes,
        [
            answer(1, "level2_final", "12-质量指标"),
            answer(4, "annual_number", "95"),
            answer(2, "drop", "yes"),
            Correction(DOC, PID, 999, "accept", "", "ann", "t"),
        ],
    )
    again = tmp_path_factory.mktemp("again")
    args = ["normalize", str(SEEDS), "--out", str(again), "--quiet", "--corrections", str(fixes)]
    result = CliRunner().invoke(app, args)
    return result, again, fixes


def test_normalize_with_corrections(corrected, indicators):
    result, again, _ = corrected
    assert result.exit_code == 0, result.output
    table = pd.read_csv(again / "indicators.csv", encoding="utf-8-sig", keep_default_na=False)
    table["seq"] = table["seq"].astype(int)
    got = row(table, 1)
    assert (got["level2_final"], got["level2_source"]) == ("12-质量指标", "reviewed")
    assert float(row(table, 4)["annual_number"]) == 95.0
    assert len(table) == len(indicators) - 1


def test_normalize_reports_corrections(corrected, indicators):
    result, again, fixes = corrected
    report = json.loads((again / "report.json").read_text(encoding="utf-8"))
    assert report["indicators"] == {"read": len(indicators), "written": len(indicators) - 1}
    summary = report["corrections"]
    assert (summary["answers"], summary["rows"], summary["dropped"], summary["unmatched"]) == (4, 3, 1, 1)
    assert f"warning: {fixes}:5: correction for {PID} #999" in result.stderr
    assert "corrections: 4 answers, 3 rows reviewed, 1 dropped, 1 not applied" in result.stdout


def test_normalize_with_a_missing_corrections_file(tmp_path):
    args = ["normalize", str(SEEDS), "--out", str(tmp_path), "-q", "--corrections", str(tmp_path / "no.csv")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "corrections file not found" in result.stderr


# ---------------------------------------------------------------- training rows


def test_training_rows(indicators):
    rows = corr.training_rows(
        [
            answer(1, "level2_final", "12-质量指标"),
            answer(3, "accept"),
            answer(2, "drop", "yes"),
            answer(4, "annual_number", "95"),  # a value, not a name label
        ],
        indicators,
    )
    by_name = rows.set_index("name")
    assert list(by_name.index) == ["编外人员到位率", "群众满意度（%）"]
    assert tuple(by_name.loc["编外人员到位率", ["level2", "name_kind"]]) == ("12-质量指标", "")
    accepted = row(indicators, 3)
    assert tuple(by_name.loc["群众满意度（%）", ["level2", "name_kind"]]) == (
        accepted["level2_final"],
        accepted["name_kind"],
    )
    assert by_name.loc["编外人员到位率", "source"].endswith("ann 2026-12-03T10:00:00Z")


def test_extra_rows_replace_the_base_label():
    base = load_training_data()
    name = base.loc[0, "name"]
    extra = pd.DataFrame(
        [{"name": name, "level2": "24-可持续影响", "name_kind": "", "source": "c.csv:2", "file": "c.csv"}]
    )
    level2 = corr.with_extra(base, extra, "level2")
    assert len(level2) == len(base)
    assert level2.loc[level2["name"] == name, "level2"].tolist() == ["24-可持续影响"]
    assert corr.with_extra(base, extra, "name_kind").equals(base)  # no name_kind label given


def test_train_with_corrections(out, tmp_path):
    """A small training file, so the real training and cross-validation stay quick."""
    base = load_training_data()
    small = base.groupby("level2").head(6)
    small = small[small.groupby("level2")["name"].transform("size") >= 5]
    data = tmp_path / "names.csv"
    small.to_csv(data, index=False, encoding="utf-8-sig")
    fixes = out / "corrections.csv"
    corr.append(fixes, [answer(1, "level2_final", "12-质量指标"), answer(3, "accept")])
    args = ["train", "--data", str(data), "--models", str(tmp_path / "m"), "--corrections", str(fixes)]
    result = CliRunner().invoke(app, args)
    fixes.unlink()
    assert result.exit_code == 0, result.output
    assert "+ 2 names labeled by reviewers" in result.stdout
    meta = json.loads((tmp_path / "m" / "metadata.json").read_text(encoding="utf-8"))
    assert meta["extra_rows"] == {"rows": 2, "files": [str(fixes)]}
    assert meta["training_data"]["rows"] == len(small)
