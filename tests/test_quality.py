"""Quality flags on the real seed documents, the flag vocabulary, and the score formula."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from nlp.achievement import ACHIEVEMENT_FLAGS
from nlp.corrections import REVIEWED
from nlp.pipeline import run
from nlp.quality import INDICATOR_CHECKS, PROJECT_CHECKS, VALUE_FLAGS, assess, flag_table
from nlp.scores import quality_score
from nlp.textnorm import fold

DOCUMENTS = Path(__file__).resolve().parent.parent / "examples" / "documents"


@pytest.fixture(scope="module")
def seed():
    """The five Guangzhou seeds through the real pipeline, then the quality stage."""
    result = run(sorted(DOCUMENTS.glob("*.txt")))
    return assess(result.projects, result.indicators)


def _indicators(seed, doc: str, name: str, annual: str | None = None) -> pd.DataFrame:
    ind = seed.indicators
    hit = ind["doc"].astype(str).str.startswith(doc) & ind["name"].map(fold).str.contains(name, regex=False)
    if annual is not None:
        hit &= ind["annual_value"].fillna("").map(fold).str.contains(annual, regex=False)
    return ind[hit]


def _flags(frame: pd.DataFrame) -> list[set[str]]:
    return [set(filter(None, str(f).split(";"))) for f in frame["flags"]]


# (doc, name contains, annual value contains, flag): every matching indicator must carry the flag.
SEED_FLAGGED = [
    pytest.param("000", "待单位补充", None, "placeholder", id="000-placeholder-name"),
    pytest.param("000", "服务对象投诉次数", "100%", "kind_mismatch", id="000-complaints-count-is-100%"),
    pytest.param("000", "支出及时率", "及时完成", "vague", id="000-支出及时率=及时完成"),
    pytest.param("000", "支出及时率", None, "formula_not_value", id="000-period-制定预算时的计划数"),
    pytest.param("003", "使用单位满意度", None, "level_mismatch", id="003-31-under-2-效益指标"),
    pytest.param("003", "工作量完成率", None, "formula_not_value", id="003-period-is-a-formula"),
    pytest.param("001", "日常巡查覆盖率", None, "boilerplate", id="001-it-projects-indicator"),
]

# (doc, name contains, annual value contains, flag): no matching indicator may carry the flag.
SEED_CLEAN = [
    pytest.param("001", "聘用专家人次", None, "vague", id="001-≥20-is-not-vague"),
    pytest.param("001", "费用支付及时率", None, "kind_mismatch", id="001-rate-100%-is-not-mismatch"),
    pytest.param("000", "服务对象满意度", None, "level_mismatch", id="000-31-under-3-is-fine"),
    pytest.param("001", "聘用专家人次", None, "boilerplate", id="001-专家咨询-is-not-boilerplate"),
]

# (doc, project name contains, flag, expected)
SEED_PROJECTS = [
    pytest.param("001", "会议室会议系统维保技术服务", "boilerplate", True, id="001-会议系统维保"),
    pytest.param("001", "预算联网监督系统运维服务", "boilerplate", True, id="001-预算联网监督"),
    pytest.param("001", "公众号升级项目", "boilerplate", True, id="001-公众号升级"),
    pytest.param("001", "议案建议系统维保服务", "boilerplate", True, id="001-议案建议系统"),
    pytest.param("001", "智慧云平台服务", "boilerplate", True, id="001-智慧云平台"),
    pytest.param("001", "政务云资源租赁", "boilerplate", True, id="001-政务云"),
    pytest.param("001", "专家咨询、聘任活动费用", "boilerplate", False, id="001-专家咨询-own-set"),
    pytest.param("001", "人大会议经费", "no_cost_indicator", True, id="001-no-cost-indicator"),
    pytest.param("003", "文书档案规范化处理入馆项目", "no_cost_indicator", False, id="003-has-14-成本指标"),
]


@pytest.mark.parametrize(("doc", "name", "annual", "flag"), SEED_FLAGGED)
def test_seed_indicator_flagged(seed, doc, name, annual, flag):
    rows = _indicators(seed, doc, name, annual)
    assert len(rows), f"no indicator {name!r} in {doc}"
    assert all(flag in flags for flags in _flags(rows)), rows[["name", "annual_value", "flags"]].to_string()


@pytest.mark.parametrize(("doc", "name", "annual", "flag"), SEED_CLEAN)
def test_seed_indicator_not_flagged(seed, doc, name, annual, flag):
    rows = _indicators(seed, doc, name, annual)
    assert len(rows), f"no indicator {name!r} in {doc}"
    assert not any(flag in flags for flags in _flags(rows)), rows[
        ["name", "annual_value", "flags"]
    ].to_string()


@pytest.mark.parametrize(("doc", "project", "flag", "expected"), SEED_PROJECTS)
def test_seed_project_flag(seed, doc, project, flag, expected):
    p = seed.projects
    rows = p[p["doc"].astype(str).str.startswith(doc) & p["project"].str.contains(project, regex=False)]
    assert len(rows) == 1, f"expected one project {project!r} in {doc}, got {len(rows)}"
    assert (flag in _flags(rows)[0]) is expected, rows[["project", "flags"]].to_string()


def test_quality_table_has_every_department(seed):
    departments = set(seed.projects["department"].fillna(""))
    table = seed.quality[seed.quality["scope"] == "department"]
    assert set(table["key"]) == departments


def test_scores_are_between_0_and_100(seed):
    assert seed.quality["quality_score"].between(0, 100).all()


@pytest.mark.parametrize("table", ["projects", "indicators", "quality"])
def test_assess_is_idempotent(seed, table):
    again = assess(seed.projects, seed.indicators)
    pd.testing.assert_frame_equal(getattr(again, table), getattr(seed, table))


# ---------------------------------------------------------------- the flag vocabulary (data integrity)


def _emitted() -> set[tuple[str, str]]:
    passed_on = {(f, "indicator") for f in (*VALUE_FLAGS, REVIEWED)}  # values stage, reviewers' corrections
    indicator = {(f, "indicator") for f in INDICATOR_CHECKS} | {("boilerplate", "indicator")} | passed_on
    achievement = set(ACHIEVEMENT_FLAGS.items())  # raised by nlp.achievement before the quality stage
    return indicator | {(f, "project") for f in PROJECT_CHECKS} | achievement


def _documented() -> set[tuple[str, str]]:
    table = flag_table()
    return set(zip(table["flag"], table["applies_to"], strict=True))


@pytest.mark.parametrize(("flag", "applies_to"), sorted(_emitted()), ids=lambda x: str(x))
def test_every_emitted_flag_is_documented(flag, applies_to):
    assert (flag, applies_to) in _documented()


@pytest.mark.parametrize(("flag", "applies_to"), sorted(_documented()), ids=lambda x: str(x))
def test_every_documented_flag_is_emitted(flag, applies_to):
    assert (flag, applies_to) in _emitted()


@pytest.mark.parametrize(
    "column", ["flag", "applies_to", "penalty", "explanation_zh", "explanation_en"], ids=lambda c: c
)
def test_flag_table_has_no_empty_cells(column):
    assert (flag_table()[column].str.strip() != "").all()


# ---------------------------------------------------------------- the score formula on a known case

SMALL_PROJECTS = pd.DataFrame(
    [{"doc": "x", "project_id": "x-001", "project": "编外人员聘用经费", "department": "天河", "flags": ""}]
)
SMALL_INDICATORS = pd.DataFrame(
    [  # two quantitative with a unit, one qualitative, one placeholder; levels 1 and 2; no cost
        {"project_id": "x-001", "level1": "1-产出指标", "name": "费用支付及时率", "annual_value": "100%"},
        {"project_id": "x-001", "level1": "1-产出指标", "name": "培训人数", "annual_value": "300人"},
        {"project_id": "x-001", "level1": "2-效益指标", "name": "保障工作开展", "annual_value": "有效保障"},
        {
            "project_id": "x-001",
            "level1": "2-效益指标",
            "name": "待单位补充...",
            "annual_value": "待单位补充...",
        },
    ]
).assign(flags="", period_value="")


def test_quality_score_on_a_known_case():
    quality = assess(SMALL_PROJECTS, SMALL_INDICATORS).quality
    row = quality[quality["scope"] == "project"].iloc[0]
    # q = 2/4, u = 2/4, L = 2 (产出, 效益), f = 1/4 (the placeholder) → 20 + 10 + 10 + 15
    assert (row["share_quantitative"], row["share_with_unit"], row["n_levels"], row["share_flagged"]) == (
        0.5,
        0.5,
        2,
        0.25,
    )
    assert row["quality_score"] == pytest.approx(55.0)


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        pytest.param((1.0, 1.0, 4, 0.0), 100.0, id="perfect"),
        pytest.param((0.0, 0.0, 0, 1.0), 0.0, id="worst"),
        pytest.param((0.5, 0.5, 2, 0.5), 50.0, id="half"),
    ],
)
def test_quality_score_formula(parts, expected):
    assert quality_score(*parts) == pytest.approx(expected)


# ---------------------------------------------------------------- bad or partial input never crashes

PARTIAL_INPUTS = [
    pytest.param(SMALL_PROJECTS, SMALL_INDICATORS.iloc[0:0], id="no-indicators"),
    pytest.param(SMALL_PROJECTS, SMALL_INDICATORS[["project_id", "name"]], id="names-only"),
    pytest.param(SMALL_PROJECTS[["project_id"]], SMALL_INDICATORS, id="projects-without-names-or-flags"),
    pytest.param(
        SMALL_PROJECTS,
        SMALL_INDICATORS.assign(name=None, level1=None, annual_value=float("nan"), flags=None),
        id="null-cells",
    ),
]


@pytest.mark.parametrize(("projects", "indicators"), PARTIAL_INPUTS)
def test_partial_tables_do_not_crash(projects, indicators):
    result = assess(projects, indicators)
    assert len(result.projects) == len(projects)
    assert len(result.indicators) == len(indicators)
    assert set(result.quality["scope"]) == {"project", "department"}
