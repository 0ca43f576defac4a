"""The prose reader (nlp/documents/prose.py, prose_reader.py) on text written for these tests."""

from __future__ import annotations

import pytest

from nlp.documents.cells import split_body
from nlp.documents.prose import prose_rows
from nlp.documents.prose_reader import read_prose
from nlp.documents.table.reader import read_table

TARGETS = (
    "source: x\n\n某某项目绩效目标申报表\n\n产出指标\n"
    "(1)数量指标。培训基层人员300人次以上;发放宣传册不少于5000份。\n"
    "(2)质量指标。验收合格率为96%设备完好率及巡检覆盖率均达到100%。\n"
    "(3)时效指标:改善办学条件,设备更新率达90%。\n"
    "(4)成本指标:按预算执行。\n"
    "(5)社会效益指标:每年6月、12月开展巡查2次。\n"
)
SELFEVAL = (
    "source: x\n\n某某项目2024年度绩效自评报告\n\n(三)绩效指标完成情况分析\n"
    "1.数量指标。培训人数目标值为200人实际完成值为230人;完成巡查12次。\n"
    "2.质量指标:≥95%;验收合格率为98%。\n"
)


def _rows(text: str) -> list[tuple[str, str, str, bool]]:
    return [(r.name, r.value, r.actual, r.unparsed) for r in prose_rows(split_body(text))]


def test_targets_pairs_statements_and_shared_values() -> None:
    assert _rows(TARGETS) == [
        ("培训基层人员", "300人次以上", "", False),
        ("发放宣传册", "不少于5000份", "", False),
        ("验收合格率", "96%", "", False),
        ("设备完好率", "达到100%", "", False),
        ("巡检覆盖率", "达到100%", "", False),
        ("改善办学条件,设备更新率达90%。", "达90%", "", False),  # a statement kept whole
        ("按预算执行。", "", "", False),  # no value: named by the sentence, without a value
        ("每年6月、12月开展巡查", "2次", "", False),  # numbers inside a name are no values
    ]


def test_selfeval_target_actual_and_bare_value() -> None:
    assert _rows(SELFEVAL) == [
        ("培训人数", "200人", "230人", False),
        ("完成巡查", "", "12次", False),  # a self-evaluation's bare value is what was done
        ("", "", "", True),  # a value nothing names: no fake indicator `≥95%`, raw text kept, flagged
        ("验收合格率", "", "98%", False),
    ]


def test_unnamed_value_is_flagged_unparsed_not_a_fake_indicator() -> None:
    doc = read_table("selfeval.txt", SELFEVAL)
    assert doc is not None
    inds = [i for p in doc.projects for i in p.indicators]
    unnamed = [i for i in inds if not i.name]
    assert [(i.raw, "unparsed" in i.flags) for i in unnamed] == [("≥95%", True)]
    assert not any(i.name.startswith(("≥", "9")) for i in inds)
    assert any(p.line == unnamed[0].line and "not fully read" in p.what for p in doc.problems)


@pytest.mark.parametrize(
    ("line", "rows"),
    [
        ("数量指标:种植面积>=200亩。", [("种植面积", ">=200亩", "", False)]),
        (
            "质量指标:资金到位率和使用率均为100%。",
            [("资金到位率", "100%", "", False), ("使用率", "100%", "", False)],
        ),
        ("质量指标:资金到位率和使用率100%。", [("资金到位率和使用率", "100%", "", False)]),  # no 均: one name
        (
            "质量指标:毕业生合格率达100%、绿化覆盖达70%和满意度95%以上。",
            [
                ("毕业生合格率", "达100%", "", False),
                ("绿化覆盖", "达70%", "", False),
                ("满意度", "95%以上", "", False),
            ],
        ),
    ],
)
def test_inline_heading(line: str, rows: list[tuple[str, str, str, bool]]) -> None:
    assert _rows(f"source: x\n\n产出指标\n{line}\n") == rows


def test_prose_reader_keeps_levels_actuals_and_unparsed_rows() -> None:
    doc = read_prose("selfeval.txt", SELFEVAL)
    assert doc is not None and doc.layout == "prose" and doc.year == 2024
    rows = [
        (i.name, i.level2, i.annual_value, i.actual_value, i.flags)
        for p in doc.projects
        for i in p.indicators
    ]
    assert rows == [
        ("培训人数", "11-数量指标", "200人", "230人", ()),
        ("完成巡查", "11-数量指标", None, "12次", ()),
        ("", "12-质量指标", None, None, ("missing_value", "unparsed")),
        ("验收合格率", "12-质量指标", None, "98%", ()),
    ]
    assert [p.line for p in doc.problems] == [doc.projects[0].indicators[2].line]


BRACKETED = (
    "source: x\n\n{title}\n某某专项\n120.5\n【项目概况】\n"
    "【产出指标-数量指标】\n指标1:巡查次数(≥12次)\n【效益指标-社会效益指标】\n指标1:群众知晓率(90%)\n"
)


@pytest.mark.parametrize(
    ("title", "field"), [("某某项目绩效目标表", "annual_value"), ("某某项目绩效自评表", "actual_value")]
)
def test_prose_reader_bracketed_headings(title: str, field: str) -> None:
    doc = read_prose("bracketed.txt", BRACKETED.format(title=title))
    assert doc is not None and doc.layout == "prose:bracketed"
    (project,) = doc.projects
    assert project.project == "某某专项"  # named above 【项目概况】, the amount skipped
    got = [(i.name, i.level1, i.level2, getattr(i, field)) for i in project.indicators]
    assert got == [
        ("巡查次数", "1-产出指标", "11-数量指标", "≥12次"),
        ("群众知晓率", "2-效益指标", "22-社会效益", "90%"),
    ]


def test_prose_reader_finds_nothing_in_a_table() -> None:
    assert read_prose("t.txt", "source: x\n\n一级指标\t三级指标\t指标值\n产出指标\t培训人数\t≥20人\n") is None


def test_shipped_reader_reads_prose_where_no_table_header_is() -> None:
    doc = read_table("targets.txt", TARGETS)
    assert doc is not None and doc.layout == "prose"
    assert [i.name for i in doc.projects[0].indicators][:3] == ["培训基层人员", "发放宣传册", "验收合格率"]
