"""Local names of 一级/二级 indicators → TAXONOMY §2 codes (nlp/data/level_synonyms.tsv)."""

from __future__ import annotations

import pytest

from nlp.levels import canonical_level1, canonical_level2, level_key

# one expected code, many surface forms (as found in the seeds and examples/realdata/)
LEVEL1 = {
    "1-产出指标": [
        "产出指标",
        "1-产出指标",
        "项目完成指标",
        "预期产出指标",
        "产出指标(50分)",
        "產出指標",
        "产出 指标",
        "项目决策",
    ],
    "2-效益指标": ["效益指标", "2-效益指标", "效果指标", "项目效益", "效益指标(30分)", "效益"],
    "3-满意度指标": [
        "满意度指标",
        "3-满意度指标",
        "社会公众或服务对象满意度指标",
        "满意度指标(10分)",
        "滿意度指標",
    ],
    "4-成本指标": ["成本指标", "4-成本指标", "预算(或投资规模)控制指标", "预算（或投资规模）控制指标"],
}
LEVEL2 = {
    "11-数量指标": ["数量指标", "11-数量指标", "數量指標", "数量"],
    "12-质量指标": ["质量指标", "12-质量指标", "質量指標"],
    "13-时效指标": ["时效指标", "13-时效指标", "時效指標"],
    "14-成本指标": ["成本指标", "14-成本指标", "预算(或投资规模)控制指标"],
    "21-经济效益": ["经济效益指标", "21-经济效益", "经济效益", "经济效益 指标", "經濟效益指標"],
    "22-社会效益": ["社会效益指标", "22-社会效益", "社会效益\n指标", "社會效益指標"],
    "23-生态效益": ["生态效益指标", "23-生态效益", "生態效益指標"],
    "24-可持续影响": ["可持续影响指标", "24-可持续影响", "可持续性发展影响指标", "可持续影响"],
    "31-服务对象满意度": [
        "服务对象满意度指标",
        "31-服务对象满意度",
        "社会公众或服务对象满意度指标",
        "服务对象或受益者满意度指标",
        "服务对象 满意度指 标",
    ],
    "41-经济成本指标": ["经济成本指标", "41-经济成本指标"],
    "42-社会成本指标": ["社会成本指标", "社會成本指標"],
    "43-生态环境成本指标": ["生态环境成本指标", "43-生态环境成本指标"],
}
NOT_LEVELS = ["绩效指标", "一级指标", "三级指标", "维修面积", "", "合计"]


def _cases(table: dict[str, list[str]]) -> list:
    return [
        pytest.param(s, code, id=f"{code}-{n}") for code, forms in table.items() for n, s in enumerate(forms)
    ]


@pytest.mark.parametrize(("surface", "code"), _cases(LEVEL1))
def test_level1(surface: str, code: str) -> None:
    assert canonical_level1(surface) == code


@pytest.mark.parametrize(("surface", "code"), _cases(LEVEL2))
def test_level2(surface: str, code: str) -> None:
    assert canonical_level2(surface) == code


@pytest.mark.parametrize("surface", NOT_LEVELS, ids=[f"not-{n}" for n in range(len(NOT_LEVELS))])
def test_not_a_level(surface: str) -> None:
    assert (canonical_level1(surface), canonical_level2(surface)) == (None, None)


def test_satisfaction_repeated_in_level2_column() -> None:
    assert (canonical_level2("满意度"), canonical_level2("满意度", level1="3-满意度指标")) == (
        None,
        "31-服务对象满意度",
    )


def test_key_drops_score_star_and_spaces() -> None:
    assert level_key("★產出 指標（50分）") == "产出指标"
