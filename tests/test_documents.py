"""The document readers on the five Guangzhou seeds: counts, amounts, names, indicator fields."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from nlp.documents import iter_documents, read_document
from nlp.documents.common import amount_checks
from nlp.schema import Document, Indicator, Project

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "documents"
D000, D001, D002, D003, D004 = (
    "000_e4e529e5a252bb3b",
    "001_9bd8c889aec7234b",
    "002_392f80d8c612f394",
    "003_fa9ee3475f69190e",
    "004_23b8967a22161806",
)


@cache
def doc(stem: str) -> Document:
    return read_document(SEEDS / f"{stem}.txt")


def project(stem: str, name: str) -> Project:
    return next(p for p in doc(stem).projects if p.project == name)


def indicator(stem: str, project_name: str, name: str) -> Indicator:
    return next(i for i in project(stem, project_name).indicators if i.name == name)


# ---- per document ------------------------------------------------------------------------------

DOCUMENTS = [  # stem, layout, projects, funding units, department, district, 合计
    (D000, "wrapped", 14, 1, "广州市增城区人民代表大会常务委员会办公室", "增城区", 370.81),
    (D001, "tabbed", 16, 1, "广州市天河区人民代表大会常务委员会办公室", "天河区", 421.98),
    (D002, "selfeval", 1, 0, "广州市增城区人民代表大会常务委员会办公室", "增城区", None),
    (D003, "tabbed", 19, 3, "广州市白云区人民政府办公室（部门）", "白云区", 2476.54),
    (D004, "tabbed", 14, 3, "广州市人民政府办公厅", "广州市", 1497.06),
]
IDS = [d[0][:3] for d in DOCUMENTS]


@pytest.mark.parametrize(("stem", "layout", "n", "units", "dept", "district", "total"), DOCUMENTS, ids=IDS)
def test_layout(stem, layout, n, units, dept, district, total):
    assert doc(stem).layout == layout


@pytest.mark.parametrize(("stem", "layout", "n", "units", "dept", "district", "total"), DOCUMENTS, ids=IDS)
def test_project_count(stem, layout, n, units, dept, district, total):
    assert len(doc(stem).projects) == n


@pytest.mark.parametrize(("stem", "layout", "n", "units", "dept", "district", "total"), DOCUMENTS, ids=IDS)
def test_unit_count(stem, layout, n, units, dept, district, total):
    assert len({s.unit for s in doc(stem).subtotals if s.unit}) == units


@pytest.mark.parametrize(("stem", "layout", "n", "units", "dept", "district", "total"), DOCUMENTS, ids=IDS)
def test_department_and_district(stem, layout, n, units, dept, district, total):
    assert (doc(stem).department, doc(stem).district) == (dept, district)
    assert {(p.department, p.district) for p in doc(stem).projects} == {(dept, district)}


@pytest.mark.parametrize(("stem", "layout", "n", "units", "dept", "district", "total"), DOCUMENTS, ids=IDS)
def test_stated_total(stem, layout, n, units, dept, district, total):
    assert next((s.total for s in doc(stem).subtotals if not s.unit), None) == total


@pytest.mark.parametrize("stem", [D000, D001, D002, D003, D004], ids=IDS)
def test_every_project_has_indicators(stem):
    assert all(p.indicators for p in doc(stem).projects)


@pytest.mark.parametrize("stem", [D000, D001, D002, D003, D004], ids=IDS)
def test_project_ids_are_doc_and_order(stem):
    ids = [p.project_id for p in doc(stem).projects]
    assert ids == [f"{stem}-{i:03d}" for i in range(1, len(ids) + 1)]


# ---- amounts -------------------------------------------------------------------------------------

SUMS = [  # stem, unit ("" = 合计), stated, sum of its projects, adds up
    (D000, "", 370.81, 370.82, False),
    (D000, "广州市增城区人民代表大会常务委员会办公室", 370.81, 370.82, False),
    (D001, "", 421.98, 421.98, True),
    (D003, "", 2476.54, 2476.54, True),
    (D003, "广州市白云区人民政府办公室", 495.00, 495.00, True),
    (D003, "广州市白云区政府机关事务管理中心", 1963.53, 1963.53, True),
    (D003, "广州市白云区政府机关财务结算中心", 18.01, 18.01, True),
    (D004, "", 1497.06, 1497.06, True),
    (D004, "广州市人民政府办公厅", 1361.61, 1361.61, True),
    (D004, "广州市政府政务信息系统管理中心", 70.30, 70.30, True),
    (D004, "广州地区公文交换站（广州市人民政府公报编辑部）", 65.15, 65.15, True),
]


@pytest.mark.parametrize(
    ("stem", "unit", "stated", "summed", "ok"), SUMS, ids=[f"{s[0][:3]}-{s[1] or '合计'}" for s in SUMS]
)
def test_amounts_add_up(stem, unit, stated, summed, ok):
    check = next(c for c in amount_checks(doc(stem)) if c.unit == unit)
    assert (check.stated, check.summed, check.ok) == (stated, summed, ok)


def test_000_mismatch_is_reported_and_flagged():
    assert any("370.81" in p.what and "370.82" in p.what for p in doc(D000).problems)
    assert all("amount_mismatch" in p.flags for p in doc(D000).projects)


@pytest.mark.parametrize("stem", [D001, D003, D004], ids=["001", "003", "004"])
def test_no_mismatch_where_sums_agree(stem):
    assert not any("amount_mismatch" in p.flags for p in doc(stem).projects)


# ---- projects ------------------------------------------------------------------------------------

PROJECTS = [  # stem, name, unit (prefix), total, fiscal, year, number of indicators
    (D000, "编外人员聘用经费", "广州市增城区人民代表大会", 81.50, 81.50, None, 4),
    (
        D000,
        "广州市增城区人民代表大会常务委员会办公室2024年信息化设备运维项目",
        "广州市增城区",
        2.85,
        2.85,
        2024,
        3,
    ),
    (
        D000,
        "广州市增城区人民代表大会常务委员会办公室2025年智慧人大云平台运维项目",
        "广州市增城区",
        1.60,
        1.60,
        2025,
        4,
    ),
    (D001, "区人大常委会机关日常办公经费", "广州市天河区", 104.00, 104.00, None, 2),
    (D001, "离退休干部管理工作经费", "广州市天河区", 2.90, 2.90, None, 2),
    (
        D001,
        "广州市天河区人民代表大会常务委员会办公室政务云资源租赁项目（2023-2024）",
        "广州市天河区",
        4.94,
        4.94,
        2023,
        4,
    ),
    (D002, "机关后勤保障经费", "广州市增城区人民代表大会常务委员会办公室", 41.92, 41.92, 2023, 7),
    (D003, "公务用车购置费", "广州市白云区人民政府办公室", 18.00, 18.00, None, 7),
    (D003, "机关饭堂运行经费", "广州市白云区政府机关事务管理中心", 496.00, 496.00, None, 5),
    (D003, "财务软件运行维护费", "广州市白云区政府机关财务结算中心", 18.01, 18.01, None, 6),
    (
        D004,
        "广州市人民政府办公厅2025-2026年度信息化整体运维服务项目",
        "广州市人民政府办公厅",
        138.05,
        138.05,
        2025,
        13,
    ),
    (D004, "机构运行辅助经费", "广州市政府政务信息系统管理中心", 7.00, 7.00, None, 4),
]


@pytest.mark.parametrize(
    ("stem", "name", "unit", "total", "fiscal", "year", "n"),
    PROJECTS,
    ids=[f"{p[0][:3]}-{p[1][-12:]}" for p in PROJECTS],
)
def test_project_fields(stem, name, unit, total, fiscal, year, n):
    p = project(stem, name)
    assert p.unit.startswith(unit)
    assert (p.total, p.fiscal, p.year, len(p.indicators)) == (total, fiscal, year, n)


def test_003_goal_cell_holding_the_indicator_list_is_split():
    p = project(D003, "财务软件运行维护费")
    assert p.goal.startswith("通过广州微易软件公司") and "产出指标" not in p.goal
    assert p.indicators[0].name == "上门回访次数"


def test_000_goal_is_joined_prose():
    assert project(D000, "人代会会议经费").goal.startswith(
        "根据《中华人民共和国地方各级人民代表大会和地方各级人民政府组织法》"
    )


# ---- indicators ----------------------------------------------------------------------------------

INDICATORS = [  # stem, project, indicator name, level1, level2, period, annual, flags
    (
        D000,
        "编外人员聘用经费",
        "编外人员到位率",
        "1-产出指标",
        "11-数量指标",
        "按人社核定人数执行",
        "及时执行",
        [],
    ),
    (
        D000,
        "编外人员聘用经费",
        "预算控制",
        "4-成本指标",
        "41-经济成本指标",
        "预算实际支出不超过预算计划下达",
        "按预算批复支出",
        [],
    ),
    (
        D000,
        "广州市增城区人民代表大会常务委员会办公室2025年预算联网监督系统运维项目",
        "待单位补充...",
        "1-产出指标",
        "11-数量指标",
        "1-12月及时维护",
        "年度按时维护",
        ["placeholder"],
    ),
    (
        D001,
        "区人大常委会机关日常办公经费",
        "保障人大监督工作顺利开展",
        "2-效益指标",
        "",
        None,
        "有效保障",
        [],
    ),
    (D001, "全国各地人大来天河调研考察专项经费", "接待人次", "1-产出指标", "", None, "≥20", []),
    (D001, "编外人员聘用经费", "年度资金支出进度（%）", "1-产出指标", "13-时效指标", None, "100%", []),
    (
        D003,
        "大院办公场所公共设备购置维修及保险等支出",
        "维保按时完成质量",
        "1-产出指标",
        "12-质量指标",
        "保障机关大院办公场所公共设备安全运行正常",
        None,
        ["missing_value"],
    ),
    (D003, "机关饭堂运行经费", "提供午餐数量（万份）", "1-产出指标", "11-数量指标", "20万份", "20万份", []),
    (
        D004,
        "广州市人民政府办公厅2025-2026年度信息化整体运维服务项目",
        "运维主要内容平均故障恢复时间",
        "2-效益指标",
        "22-社会效益",
        "<30分钟",
        "<30分钟",
        [],
    ),
]


@pytest.mark.parametrize(
    ("stem", "proj", "name", "level1", "level2", "period", "annual", "flags"),
    INDICATORS,
    ids=[f"{i[0][:3]}-{i[2]}" for i in INDICATORS],
)
def test_indicator_fields(stem, proj, name, level1, level2, period, annual, flags):
    i = indicator(stem, proj, name)
    assert (i.level1, i.level2, i.period_value, i.annual_value, list(i.flags)) == (
        level1,
        level2,
        period,
        annual,
        flags,
    )


def test_wrapped_indicator_lines_point_into_the_file():
    ind = project(D000, "编外人员聘用经费").indicators
    assert [i.line for i in ind] == [20, 22, 25, 27]


# ---- 002 self-evaluation -------------------------------------------------------------------------

SELFEVAL = [  # level1, level2, name, target, actual, weight, score
    (
        "1-产出指标",
        "11-数量指标",
        "组织区和镇三级人大代表参加视察、调研、执法检查人次",
        "600 人次",
        "784 人次",
        15,
        15,
    ),
    ("1-产出指标", "12-质量指标", "视察调研形成报告", "30", "30", 15, 15),
    ("1-产出指标", "13-时效指标", "按计划完成", "按计划完成", "按计划完成", 10, 10),
    ("1-产出指标", "14-成本指标", "财政预算利用率", "100%", "100%", 10, 15),
    ("2-效益指标", "22-社会效益", "协调推动大会及闭会期间建议办理落实", "100 件", "129 件", 15, 15),
    ("2-效益指标", "24-可持续影响", "保障区人代会审议事项顺利开展", "有效保障", "有效保障", 15, 10),
    ("3-满意度指标", "31-服务对象满意度", "视察、调研成员满意率", "1", "1", 10, 10),
]


@pytest.mark.parametrize("seq", range(1, 8), ids=[s[2][:8] for s in SELFEVAL])
def test_selfeval_indicator(seq):
    i = doc(D002).projects[0].indicators[seq - 1]
    got = (i.level1, i.level2, i.name, i.annual_value, i.actual_value, i.weight, i.score)
    assert got == SELFEVAL[seq - 1]


@pytest.mark.parametrize(
    ("field", "expected"),
    [("total", 41.92), ("executed", 41.56), ("execution_rate", 99.14), ("total_score", 99.0), ("year", 2023)],
)
def test_selfeval_project(field, expected):
    assert getattr(doc(D002).projects[0], field) == expected


def test_selfeval_indicator_count():
    assert len(doc(D002).projects[0].indicators) == 7


def test_selfeval_scores_add_up_with_budget_execution_score():
    ind = doc(D002).projects[0].indicators
    assert sum(i.score for i in ind) + 9 == doc(D002).projects[0].total_score


# ---- folders -------------------------------------------------------------------------------------


def test_iter_documents_expands_a_folder_in_order():
    assert [Path(p).stem for p in iter_documents([SEEDS])] == [D000, D001, D002, D003, D004]


def test_iter_documents_skips_readme(tmp_path):
    (tmp_path / "README.md").write_text("# notes", encoding="utf-8")
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    assert [Path(p).name for p in iter_documents([tmp_path])] == ["a.txt"]


# ---- records filled at once (nlp.documents.common.record / changed) ------------------------------


def test_records_filled_at_once_equal_the_constructors_and_replace():
    from dataclasses import astuple, replace

    from nlp.documents.common import changed, record

    for project in doc(D000).projects + doc(D003).projects:
        given = {k: v for k, v in vars(project).items() if k != "unit"}  # one default left out
        made, built = record(Project, **given), Project(**given)
        assert made == built and list(vars(made)) == list(vars(built)) and astuple(made) == astuple(built)
        assert hash(made) == hash(built)
        edited = changed(project, flags=("x",), total=1.0)
        replaced = replace(project, flags=("x",), total=1.0)
        assert edited == replaced and list(vars(edited)) == list(vars(replaced))
    assert changed(doc(D001), doc="other") == replace(doc(D001), doc="other")
    with pytest.raises(TypeError):
        record(Project, doc="d", project_id="d-001")  # the required `project` missing
    with pytest.raises(TypeError):
        record(Project, doc="d", project_id="d-001", project="p", colour="red")
    with pytest.raises(TypeError):
        changed(doc(D001), colour="red")
