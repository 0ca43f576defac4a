"""The rule-based baseline (nlp/baselines/rule_reader.py, not shipped): its own mechanisms, on text written
for these tests, and that the shipped reading path never loads it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nlp.baselines.rule_reader import read_indicator_table

ROOT = Path(__file__).resolve().parent.parent


def test_the_shipped_path_never_loads_the_baseline() -> None:
    probe = (
        "import sys, nlp; from nlp.documents import read_document; "
        "read_document('examples/realdata/39_ningjin-jiaoyu-2019-gaozhong-zhuxuejin.txt'); "
        "read_document('examples/realdata/49_huangshan-gonganju-2025-xiangmu-mubiao-zhibiao.txt'); "
        "print('nlp.baselines.rule_reader' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_not_a_table() -> None:
    text = "source: x\n\n今天天气很好，我们去公园散步。\n没有任何表格。\n"
    assert read_indicator_table("prose.txt", text) is None


# one page of OCR text with the header spaced out and no page numbers: not read as pages
UNREADABLE = (
    "source: x\n\n绩 效 指 标一级指标二级指标三级指标年度 指标值实际 完成值分 值得 分"
    "产出指标数量指标培训人数50人50人2020\n"
)


def test_unreadable_rows_are_kept_raw_and_flagged() -> None:
    doc = read_indicator_table("garbled.txt", UNREADABLE)  # a name column, rows that cannot be cut
    (ind,) = [i for p in doc.projects for i in p.indicators]
    assert doc.layout == "indicator_table:unreadable"
    assert ("unparsed" in ind.flags, "培训人数" in ind.raw) == (True, True)
    assert any(p.line == ind.line for p in doc.problems)


# a self-evaluation flattened one page a line by a document-sharing site (as realdata 36):
# page numbers, spaced-out header, empty template rows, 分值+得分 and the 总分 pair run together
PAGES = (
    "source: x\n\n1、项目支出绩效自评表 项目名称培训经费主管部门某局 年度 总体 目标 "
    + "完成年度培训任务。" * 10
    + "绩 效 指 标一级指标二级指标三级指标年度 指标值实际 完成值分 值得 分偏差原因分析 及改进措施"
    + "产出指标数量指标培训人\n2、数50人50人{}指标2:质量指标合格率合格合格{}指标2:{}\n"
)
PAGES_CASES = [
    ("6060", "4038", "总分10098", ((60.0, 60.0), (40.0, 38.0), [])),
    ("6060", "4038", "总分10090", ((None, None), (None, None), ["unparsed"])),  # no split adds up
    ("6060", "4038", "", ((None, None), (None, None), ["unparsed"])),  # no 总分: 6060 is no 分值
    ("60", "40", "总分100", ((60.0, None), (40.0, None), [])),  # 分值 only, as stated
]


@pytest.mark.parametrize(
    ("first", "second", "total", "expected"),
    PAGES_CASES,
    ids=[f"{c[0]}-{c[2] or '无总分'}" for c in PAGES_CASES],
)
def test_flattened_pages(first: str, second: str, total: str, expected: tuple) -> None:
    doc = read_indicator_table("pages.txt", PAGES.format(first, second, total))
    (project,) = doc.projects
    one, two = project.indicators
    assert (project.project, one.name, two.name) == ("培训经费", "培训人数", "合格率")
    values = (one.annual_value, one.actual_value, two.annual_value, two.actual_value)
    assert values == ("50人", "50人", "合格", "合格")
    assert (one.level2, two.level2) == ("11-数量指标", "12-质量指标")
    assert ((one.weight, one.score), (two.weight, two.score), list(one.flags)) == expected


