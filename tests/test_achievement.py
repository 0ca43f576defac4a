"""Self-evaluations (nlp/achievement.py): was each target met, and does the stated score add up?

SEED and REALDATA cases give, for every indicator of the seed self-evaluation 002 and of every realdata
self-evaluation, the `achieved` an analyst decides by reading the document (provenance file:line: the
line with the target and actual cells). The table-driven cases cover each operator, unit conversion,
direction and qualitative pair on `judge` itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from nlp.achievement import (
    SCORE_TOLERANCE,
    Achievement,
    judge,
    recompute_score,
    score_band,
    total_check,
    word_verdict,
)
from nlp.achievement_tables import add_achievement, missed_and_mismatched
from nlp.pipeline import run
from nlp.values import add_value_columns, parse_value

ROOT = Path(__file__).resolve().parents[1]
SEED_002 = ROOT / "examples/documents/002_392f80d8c612f394.txt"
REALDATA = ROOT / "examples/realdata"

# (file, line, indicator name as read, expected achieved) — decided by reading the document
SEED = [
    ("002", 289, "组织区和镇三级人大代表参加视察、调研、执法检查人次", "exceeded"),  # 600 人次 → 784 人次
    ("002", 298, "视察调研形成报告", "met"),  # 30 → 30
    ("002", 308, "按计划完成", "met"),  # 按计划完成 → 按计划完成
    ("002", 317, "财政预算利用率", "met"),  # 100% → 100% (but 得分 15 of 分值 10)
    ("002", 337, "协调推动大会及闭会期间建议办理落实", "exceeded"),  # 100 件 → 129 件
    ("002", 351, "保障区人代会审议事项顺利开展", "met"),  # 有效保障 → 有效保障 (but 得分 10 of 15)
    ("002", 370, "视察、调研成员满意率", "met"),  # 1 → 1 (a fraction on both sides)
]
XFAIL = "xfail"
REALDATA_CASES = [
    ("02", 4, "基建工程委托业务项目数量", "met"),  # ≥50个 → 50
    ("02", 4, "委托业务报告合格率", "met"),  # ≥100百分比 → 100
    ("02", 4, "经费支出合规性", "met"),  # 严格执行相关制度规定 → 达成预期指标
    ("02", 4, "提交报告及时性", "met"),  # 在项目计划完成时间内完成 → 达成预期指标
    ("02", 4, "项目总成本", "met"),  # ≤90万元 → 90 (万元, the target's unit)
    ("02", 4, "单项业务成本", "met"),  # 符合相关规定 → 达成预期指标
    ("02", 4, "对维护基建市场公平的影响程度", "met"),  # 效果明显 → 达成预期指标
    ("02", 4, "对控制基建项目成本影响程度", "met"),
    ("02", 4, "对推动基建项目“四项制度”健全和落实的持续性影响", "met"),
    ("02", 4, "公众满", "not_comparable"),  # the excerpt is cut off in the 满意度 row
    ("02", 4, "公众满", "not_comparable"),
    ("03", 4, "补助村(社区)数量", "met"),  # =8个 → 8
    ("03", 4, "保障村干部人数", "met"),  # =42个 → 42
    ("03", 4, "补助资格合规性", "met"),  # 合规 → 达成预期指标
    ("03", 4, "经费审批流程规范性", "met"),
    ("03", 4, "补助经费到位及时性", "met"),  # 及时 → 达成预期指标
    ("03", 4, "项目总成本", "met"),  # ≤202.6万元 → 132.9 (万元)
    ("03", 4, "对保障村(社区)两委机构正常运行的影响程度", "met"),
    ("03", 4, "提高村(社区)干部工作积极性的影响程度", "met"),
    ("09", 4, "足额保障率", XFAIL),  # =100%, no 完成值 in the fragment: not_comparable
    ("09", 4, "科目调整次数", XFAIL),  # ≤10次
    ("09", 4, "按时发放率", XFAIL),  # =100%
    ("09", 4, "结余率(计算方法为:结余数/预算数)", XFAIL),  # ≤5%
    ("10", 8, "做好经开区辖区内河道保洁服务费。", "met"),  # target and actual cells say the same
    ("10", 18, "2020年全年。", "met"),
    # 10:28 (`15万元。`) and 34:30 (`100万`): a target in the 三级 column names no indicator (issue 10);
    # the table reader keeps those rows unparsed with their raw text (tests/test_table_reader.py)
    ("10", 38, "美化环境。", "met"),
    ("10", 48, "做好经开区辖区内河道保洁服务费,美化环境。", "met"),
    ("10", 58, "辖区企业满意率达95%以上。", "met"),  # the actual repeats ≥95 %
    ("16", 14, "1290.3平方米冷库仓储建设及配套生产设备、配套电力设施购置安装", "met"),  # ≥1290.3 → 1290.3
    ("16", 15, "配套烘干杀菌设备及包装设备购置及安装", "not_met"),  # 550 → 20 as written
    ("16", 16, "配套电力设施1250KVA变压器3台", "not_comparable"),  # 3, no actual cell
    ("16", 17, "奖补资金兑付率(%)", "met"),  # ≥100% → ≥100%
    ("16", 18, "任务完成时限(月)", "met"),  # 10 → 10
    ("18", 85, "发放(缴纳)覆盖率", XFAIL),  # = 100 %, 完成值 cell empty: not_comparable
    ("18", 95, "足额保障率(参保率)", XFAIL),
    ("19", 5, "成本控制数", "met"),  # ≤ 30 万元 → 完成
    ("19", 24, "完成安可产品购买并按要求支付资金", "not_comparable"),  # = 100, cut off before 完成值
    ("21", 4, "创业担保贷款发放额增长率", "met"),  # ≥10% → 115.25%
    ("21", 4, "创业担保贷款回收率", "met"),  # ≥90% → 98.70%
    ("21", 4, "资金足额拨付率", "met"),  # 100% → 100%
    ("21", 4, "地方配套到位率", "met"),
    ("21", 4, "创业担保基金放大倍数", "met"),  # ≥2倍 → 10倍
    ("21", 4, "金融机构网点覆盖率", "met"),  # ≥60% → 85%
    ("21", 4, "申请定向费用补贴金融机构满意度", "met"),  # ≥80% → ≥80%
    ("21", 4, "申报创业担保贷款贴息个人满意度", "met"),  # ≥80% → 100%
    ("21", 4, "申报创业担保贷款贴息小微企业的满意度", "met"),
    # 23:32, 34, 39 (★补助各类粮食作物种植面积 10 10 …) are group headings with their 分值 | 得分 only:
    # no indicators since issue 10's third round (report.json lists them as problems)
    ("23", 33, "红薯种植面积", "met"),  # 5.5亩 → 5.5亩
    ("23", 35, "梨树种植面积", "met"),
    ("23", 36, "桃种植面积", "met"),
    ("23", 37, "葡萄种植面积", "met"),
    ("23", 38, "苹果种植面积", "met"),
    ("23", 40, "猪养殖数量", "met"),
    ("23", 41, "牛养殖数量", "met"),
    ("23", 42, "鸡养殖数量", "met"),
    ("23", 43, "羊养殖数量", "met"),
    ("23", 44, "★种植作物成活率", "not_comparable"),  # cut off after 10 9
    ("34", 10, "改善养老服务基础条件", "met"),  # 改善条件 → 明显改善
    ("34", 19, "2020年", "met"),
    ("34", 43, "老年人日益增加的养老服务需求", "met"),  # 有所提升 → 养老服务提升
    ("34", 56, "养老服务对象对养老机构服务质量满意度", "met"),  # ≥90% → 98%
    ("36", 5, "更新剧团老化、损坏的音", "met"),  # 50件 → 50件
    ("36", 5, "望新点胸艮必具", "met"),  # 100件 → 100件
    ("36", 6, "音响、灯光、道具、服装质量等", "met"),  # 合格 → 合格
    ("36", 6, "演出设备成本件/件", "met"),  # 2万元 → 2万元 (but 得分 18 of 20)
    ("36", 6, "演出人员满意度", "met"),  # 100% → 100%
    ("47", 24, "办理法律援助案件", "not_comparable"),  # prose gives the actual only
    ("47", 24, "调解各类纠纷数量", "not_comparable"),
    ("47", 24, "开展普法宣传活动场次", "not_comparable"),
    ("47", 24, "参与信访接待和处理案件数量", "not_comparable"),
    ("47", 26, "采购装备出现不合格装备的比例", "not_comparable"),
    ("51", 15, "宣传次数", "met"),  # 至少全年完成2次宣传 → 已完成100%
    ("51", 20, "创建质量", "met"),  # 按质按量完成 → 已完成100%
    ("51", 25, "全年", "met"),  # 1-12月 → 已完成100%
    ("51", 30, "成本", "met"),  # 10万元 → 已完成100%
    ("51", 37, "提升全县消费者维权意识", "met"),  # 不断提升 → 已完成100%
    ("51", 43, "群众满意度", XFAIL),  # 90% → 已完成100% in a 实施进度 column: met
]
XFAIL_REASONS = {
    "09": "a fragment with 指标值 and 分值 only: nothing in the rows as read shows the table is a "
    "self-evaluation, so no verdict (expected not_comparable: no actual)",
    "18": "the 完成值 and 得分 cells are all empty: nothing in the rows as read shows the table is a "
    "self-evaluation, so no verdict (expected not_comparable: no actual)",
    "51": "已完成100% in a 实施进度 column is the share done (met), but under a % target the two "
    "percentages are compared as measurements (exceeded)",
}
# rows the shipped table reader does not read as the analyst does yet (the rule-based reader, now the
# evaluation baseline, read them: README, "Table reader", what its retirement costs)
PENDING = {
    ("16", "配套电力设施1250KVA变压器3台"): "the learned reading of 16 misses this row",
}
SCORE_MISMATCHES = {  # indicators whose stated 得分 the rule does not give, by reading the tables
    ("002", "财政预算利用率"),  # 100 % of 100 %, 分值 10, 得分 15
    ("002", "保障区人代会审议事项顺利开展"),  # 有效保障 met, 分值 15, 得分 10
    ("16", "配套烘干杀菌设备及包装设备购置及安装"),  # 20 of 550, full marks 9.3
    ("36", "演出设备成本件/件"),  # 2万元 of 2万元, 分值 20, 得分 18
    ("115", "木材销售收入"),  # 1100万元 → 1093万元, 分值 6, 得分 5 (read since the learned table reader)
    ("115", "林产品收入"),  # 2.6亿元 → 2.45亿元, 分值 6, 得分 5
    ("107", "扶贫临时救助标准(<**元/户·年)——一户年最高5300元"),  # 107:135 ≤5300 missed by 5830, full 10
    ("131", "预算执行率"),  # 131:79 83.5 % of 100 %, 分值 20, 得分 18 (the rule gives 16.7)
}


@pytest.fixture(scope="module")
def selfevals() -> pd.DataFrame:
    files = [SEED_002, *sorted(REALDATA.glob("*.txt"))]
    files = [f for f in files if f.name != "README.md"]
    result = run(files, options=None)
    return result.indicators.assign(short=result.indicators["doc"].str.split("_").str[0])


def _case_id(case: tuple) -> str:
    return f"{case[0]}:{case[1]}:{case[2][:12]}"


def _params(cases: list[tuple]) -> list:
    out = []
    for case in cases:
        doc, _line, name, expected = case
        if expected == XFAIL:
            mark = pytest.mark.xfail(strict=True, reason=XFAIL_REASONS[doc])
            out.append(pytest.param(doc, name, "not_comparable" if doc != "51" else "met", marks=mark))
        elif (doc, name) in PENDING:
            mark = pytest.mark.xfail(strict=True, reason=PENDING[doc, name])
            out.append(pytest.param(doc, name, expected, id=_case_id(case), marks=mark))
        else:
            out.append(pytest.param(doc, name, expected, id=_case_id(case)))
    return out


def _row(table: pd.DataFrame, doc: str, name: str) -> pd.Series:
    rows = table[(table["short"] == doc) & (table["name"] == name)]
    assert len(rows) == 1, f"{doc}: {name!r} read {len(rows)} times"
    return rows.iloc[0]


@pytest.mark.parametrize(("doc", "name", "expected"), _params(SEED + REALDATA_CASES))
def test_achieved_as_read_by_an_analyst(selfevals, doc, name, expected):
    assert _row(selfevals, doc, name)["achieved"] == expected


@pytest.mark.parametrize(("doc", "name"), sorted(SCORE_MISMATCHES), ids=lambda x: str(x)[:12])
def test_score_mismatch_where_the_stated_score_is_not_the_rule(selfevals, doc, name):
    assert "score_mismatch" in str(_row(selfevals, doc, name)["flags"]).split(";")


def test_no_other_score_mismatch(selfevals):
    flagged = selfevals[selfevals["flags"].fillna("").str.contains("score_mismatch")]
    assert set(zip(flagged["short"], flagged["name"], strict=True)) == SCORE_MISMATCHES


def test_every_case_names_a_row_that_was_read(selfevals):
    read = set(zip(selfevals["short"], selfevals["name"], strict=True))
    cases = {(doc, name) for doc, _, name, _ in SEED + REALDATA_CASES} - set(PENDING)
    assert cases <= read


def test_provenance_lines_hold_the_case(selfevals):
    """Every case's file:line holds the start of the indicator's name or its value cells."""
    for doc, line, name, _ in SEED + REALDATA_CASES:
        if (doc, name) in PENDING:
            continue
        path = SEED_002 if doc == "002" else next(REALDATA.glob(f"{doc}_*.txt"))
        text = path.read_text(encoding="utf-8").splitlines()[line - 1]
        row = _row(selfevals, doc, name)
        cells = [str(row[c]) for c in ("name", "annual_value", "actual_value") if isinstance(row[c], str)]
        assert any(c[:4] in text or c.replace(" ", "")[:3] in text.replace(" ", "") for c in cells), (
            f"{doc}:{line} {name}"
        )


def test_non_self_evaluations_get_empty_columns(selfevals):
    targets_only = selfevals[selfevals["short"].isin(["05", "25", "45"])]
    assert len(targets_only) and targets_only["achieved"].isna().all()
    assert targets_only["score_recomputed"].isna().all()


# ---------------------------------------------------------------- judge: table-driven


def _judge(
    target: str, actual: str, direction: str | None = None, cost: bool = False, name: str | None = None
):
    return judge(parse_value(target, name=name), parse_value(actual, name=name), direction, cost)


OPERATORS = [  # target, actual, achieved, ratio
    ("≥95%", "96%", "met", 1.0105),
    ("≥95%", "94%", "not_met", 0.9895),
    ("大于99%", "99%", "not_met", 1.0),
    ("不低于97%", "97%", "met", 1.0),
    ("≤90万元", "85万元", "met", 1.0588),
    ("≤5%", "6%", "not_met", 0.8333),
    ("<30分钟", "30分钟", "not_met", 1.0),
    ("4小时内", "3小时", "met", 1.3333),
    ("=100%", "100%", "met", 1.0),
    ("36人", "40人", "exceeded", 1.1111),
    ("36人", "30人", "not_met", 0.8333),
    ("20-35次", "25次", "met", 1.0),
    ("20-35次", "40次", "not_met", 0.875),
    ("20-35次", "10次", "not_met", 0.5),
    ("≤0%", "0%", "met", None),
    ("≤0起", "2起", "not_met", 0.0),
]


@pytest.mark.parametrize(("target", "actual", "achieved", "ratio"), OPERATORS, ids=lambda x: str(x))
def test_operators(target, actual, achieved, ratio):
    result = _judge(target, actual)
    assert (result.achieved, result.ratio) == (achieved, ratio)


UNITS = [  # target, actual, name, achieved, ratio
    ("≤90万元", "900000元", None, "met", 1.0),
    ("≤90万元", "90", None, "met", 1.0),  # a bare actual in the target's unit and multiplier
    ("≤90万元", "850000", None, "met", 1.0588),  # … but a number written in full stays as written
    ("5万", "4.8", None, "not_met", 0.96),  # a multiplier without a unit
    ("5万", "48000", None, "not_met", 0.96),
    ("90", "85万元", None, "not_met", 0.9444),  # a bare target in the actual's unit and multiplier
    ("2万元", "20000元", None, "met", 1.0),
    ("1.5万份", "15000份", None, "met", 1.0),
    ("≥95%", "0.96", None, "met", 1.0105),  # a fraction against a percentage
    ("0.95", "96%", "验收合格率", "exceeded", 1.0105),  # 0.95 under a rate name: a point target of 95 %
    ("1", "1", "满意率", "met", 1.0),  # both fractions (002)
    ("≤1%", "0.5", "事故发生率", "met", 2.0),  # an upper bound: 0.5 stays 0.5 %
    ("=42个", "42", "保障村干部人数", "met", 1.0),  # 人 guessed from the name yields to 个
    ("≥10个", "3元", None, "not_comparable", None),
    ("≥10天", "2月", None, "not_comparable", None),
]


@pytest.mark.parametrize(("target", "actual", "name", "achieved", "ratio"), UNITS, ids=lambda x: str(x))
def test_unit_conversions(target, actual, name, achieved, ratio):
    result = _judge(target, actual, name=name)
    assert (result.achieved, result.ratio) == (achieved, ratio)
    if achieved == "not_comparable":
        assert result.note.startswith("units differ")


DIRECTIONS = [  # target, actual, direction, cost, achieved, ratio
    ("100", "50", "反向", False, "exceeded", 2.0),
    ("100", "120", "反向指标", False, "not_met", 0.8333),
    ("100", "120", "正向", False, "exceeded", 1.2),
    ("100", "80", None, False, "not_met", 0.8),  # no direction: 正向
    ("100", "80", "中性", False, "not_met", 0.8),  # a direction that is neither: as if none
    ("15万元", "10万元", "正向", True, "not_met", 0.6667),  # a stated 正向 beats the cost default
    ("15万元", "按合同10.5万元", None, True, "exceeded", 1.4286),  # money under a cost level: 反向
    ("15万元", "16万元", None, True, "not_met", 0.9375),
    ("100%", "95%", None, True, "not_met", 0.95),  # a rate under a cost level stays 正向 (利用率)
    ("≥95%", "96%", "反向", False, "met", 1.0105),  # the operator decides a bound
]


@pytest.mark.parametrize(
    ("target", "actual", "direction", "cost", "achieved", "ratio"), DIRECTIONS, ids=lambda x: str(x)
)
def test_directions(target, actual, direction, cost, achieved, ratio):
    result = _judge(target, actual, direction, cost)
    assert (result.achieved, result.ratio) == (achieved, ratio)


QUALITATIVE = [  # target, actual, achieved, word verdict
    ("优良", "优良", "met", "met"),
    ("按计划完成", "已完成", "met", "met"),
    ("有效保障", "有效保障", "met", "met"),
    ("严格执行相关制度规定", "达成预期指标", "met", "met"),
    ("效果明显", "部分达成预期指标", "not_met", "partial"),
    ("效果明显", "未达成预期指标", "not_met", "not_met"),
    ("合格", "不合格", "not_met", "not_met"),
    ("按计划完成", "未完成", "not_met", "not_met"),
    ("改善条件", "明显改善", "met", "met"),
    ("合规", "资金使用合规", "met", "met"),  # the actual repeats the target
    ("良好", "一般", "not_comparable", None),
    ("≥95%", "达成预期指标", "met", "met"),  # a number confirmed in words
    ("≥95%", "未达到", "not_met", "not_met"),
    ("按质按量完成", "已完成100%", "met", None),  # a share of the target done
    ("≥2次", "已完成80%", "not_met", None),
]


@pytest.mark.parametrize(("target", "actual", "achieved", "verdict"), QUALITATIVE, ids=lambda x: str(x))
def test_qualitative_pairs(target, actual, achieved, verdict):
    result = _judge(target, actual)
    assert (result.achieved, result.qualitative) == (achieved, verdict)


NOT_COMPARABLE = [  # target, actual, the reason given
    ("待单位补充", "1", "target is placeholder"),
    ("实际完成的工作量/计划完成的工作量", "100%", "target is formula_not_value"),
    ("", "100%", "no target"),
    ("≥95%", "", "no actual"),
    ("≥95%", "待单位补充", "actual is placeholder"),
    ("及时", "100%", "target in words, actual a number"),
    ("≥95%", "基建项目", "target a number, actual in words"),
    ("良好", "一般", "words differ"),
]


@pytest.mark.parametrize(("target", "actual", "reason"), NOT_COMPARABLE, ids=lambda x: str(x))
def test_not_comparable_says_why(target, actual, reason):
    assert _judge(target, actual) == Achievement("not_comparable", None, reason)


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("达成预期指标", "met"),
        ("部分达成预期指标", "partial"),
        ("未达成预期指标", "not_met"),
        ("基本完成", "partial"),
        ("是", "met"),
        ("否", "not_met"),
        ("基建项目", None),
    ],
    ids=lambda x: str(x),
)
def test_word_verdicts(text, verdict):
    found = word_verdict(text)
    assert (found[0] if found else None) == verdict


# ---------------------------------------------------------------- scores

SCORES = [  # achievement, weight, recomputed, band
    (Achievement("not_met", 0.9), 10.0, 9.0, (9.0, 9.0)),
    (Achievement("met", 1.0105), 10.0, 10.0, (10.0, 10.0)),
    (Achievement("exceeded", 1.3), 15.0, 15.0, (15.0, 15.0)),  # capped at the weight
    (Achievement("not_met", 0.8333), 12.0, 10.0, (10.0, 10.0)),  # 反向: target / actual × weight
    (Achievement("met", None, "", "met"), 15.0, 15.0, (15.0, 15.0)),  # words: the full weight
    (Achievement("not_met", None, "", "partial"), 10.0, 8.0, (6.0, 8.0)),  # 80–60 %
    (Achievement("not_met", None, "", "not_met"), 10.0, 6.0, (0.0, 6.0)),  # 60–0 %
    (Achievement("met", None), 10.0, 10.0, (10.0, 10.0)),  # a zero target reached
    (Achievement("not_comparable", None, "no actual"), 10.0, None, None),
    (Achievement("met", 1.0), None, None, None),  # no weight
]


@pytest.mark.parametrize(("achievement", "weight", "recomputed", "band"), SCORES, ids=lambda x: str(x)[:40])
def test_recomputed_score(achievement, weight, recomputed, band):
    assert recompute_score(achievement, weight) == recomputed
    assert score_band(achievement, weight) == band


TOTALS = [  # stated total, scores, weights, mismatch
    (99, [15, 15, 10, 15, 15, 10, 10], [15, 15, 10, 10, 15, 15, 10], False),  # 002: 9 left for 预算执行率
    (100, [15, 15, 10, 15, 15, 10, 10], [15, 15, 10, 10, 15, 15, 10], False),  # 10 fits the 10 left
    (101, [15, 15, 10, 15, 15, 10, 10], [15, 15, 10, 10, 15, 15, 10], True),  # 11 does not
    (80, [15, 15, 10, 15, 15, 10, 10], [15, 15, 10, 10, 15, 15, 10], True),  # less than the scores
    (100, [50, 50], [50, 50], False),
    (98, [50, 50], [50, 50], True),
    (100, [50, None], [50, 50], False),  # a score missing: cannot tell
    (None, [50, 50], [50, 50], False),
]


@pytest.mark.parametrize(("total", "scores", "weights", "mismatch"), TOTALS, ids=lambda x: str(x)[:30])
def test_total_check(total, scores, weights, mismatch):
    assert total_check(total, scores, weights) is mismatch


# ---------------------------------------------------------------- the table function


def _table(rows: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    base = {"doc": "t", "project_id": "t-001", "name": "指标", "period_value": None, "flags": ""}
    indicators = add_value_columns(pd.DataFrame([{**base, **r} for r in rows]))
    projects = pd.DataFrame([{"project_id": "t-001", "project": "p", "department": "d", "flags": ""}])
    return projects, indicators


def test_full_marks_on_a_missed_target_is_a_score_mismatch():
    projects, indicators = _table(
        [
            {"annual_value": "≥95%", "actual_value": "90%", "weight": 10.0, "score": 10.0},
            {"annual_value": "≥95%", "actual_value": "90%", "weight": 10.0, "score": 9.5},
        ]
    )
    _, out = add_achievement(projects, indicators)
    assert list(out["achieved"]) == ["not_met", "not_met"]
    assert list(out["score_recomputed"]) == [9.47, 9.47]
    assert list(out["flags"]) == ["score_mismatch", ""]  # 0.53 > SCORE_TOLERANCE, 0.03 is not
    assert SCORE_TOLERANCE < 10.0 - 9.47


def test_add_achievement_is_idempotent():
    projects, indicators = _table(
        [{"annual_value": "100%", "actual_value": "100%", "weight": 10.0, "score": 15.0}]
    )
    projects = projects.assign(total_score=10.0)
    once = add_achievement(projects, indicators)
    twice = add_achievement(*once)
    assert twice[1]["flags"].tolist() == ["score_mismatch"]
    assert twice[0]["flags"].tolist() == ["total_mismatch"]  # a 总分 below the scores (15)
    pd.testing.assert_frame_equal(once[1], twice[1])


def test_report_json_has_the_achievement_section(tmp_path):
    result = run([SEED_002])
    result.write(tmp_path)
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["achievement"]
    assert report["achieved"] == {"met": 5, "exceeded": 2}
    assert report["score_mismatch"] == 2 and report["total_mismatch"] == 0
    (project,) = report["projects"]
    assert (project["targets_met"], project["targets_missed"], project["share_met"]) == (7, 0, 1.0)
    assert (project["total_stated"], project["total_recomputed"]) == (99.0, 99.91)
    quality = pd.read_parquet(tmp_path / "quality.parquet")
    dept = quality[quality["scope"] == "department"].iloc[0]
    assert (dept["targets_compared"], dept["score_mismatches"]) == (7, 2)


@pytest.mark.parametrize(("total", "scores", "weights", "mismatch"), TOTALS, ids=lambda x: str(x)[:30])
def test_table_total_mismatch_follows_total_check(total, scores, weights, mismatch):
    rows = [
        {"annual_value": "100%", "actual_value": "100%", "weight": w, "score": s}
        for s, w in zip(scores, weights, strict=True)
    ]
    projects, indicators = _table(rows)
    out, _ = add_achievement(projects.assign(total_score=total), indicators)
    assert (out["flags"].iloc[0] == "total_mismatch") is mismatch


KNOWN_GAPS = {  # stated 得分 minus the rule's score, read off the tables (see SCORE_MISMATCHES)
    "配套烘干杀菌设备及包装设备购置及安装": 8.96,  # 9.3 of 9.3 for 20 of 550
    "财政预算利用率": 5.0,  # 15 of 10
    "演出设备成本件/件": -2.0,  # 18 of 20
    "保障区人代会审议事项顺利开展": -5.0,  # 10 of 15
}


def test_missed_and_mismatched_ranks_generous_scores_first(selfevals):
    projects = pd.DataFrame({"project_id": selfevals["project_id"].unique(), "department": ""})
    ranked = missed_and_mismatched(projects, selfevals)
    gaps = ranked["score_gap"].fillna(0).tolist()  # a missed target without a stated score ranks as 0
    assert gaps == sorted(gaps, reverse=True)  # most generous self-scores first
    known = ranked[ranked["name"].isin(KNOWN_GAPS)]
    assert list(zip(known["name"], known["score_gap"], strict=True)) == list(KNOWN_GAPS.items())
    assert {"annual_value", "actual_value", "weight", "score"} <= set(ranked.columns)  # the raw cells


def _word_rows() -> list[tuple[int, list[str]]]:
    text = (ROOT / "nlp/data/achievement_words.tsv").read_text(encoding="utf-8").splitlines()
    return [
        (i, line.split("\t")) for i, line in enumerate(text, 1) if line.strip() and not line.startswith("#")
    ]


@pytest.mark.parametrize(("lineno", "row"), _word_rows(), ids=lambda x: str(x)[:20])
def test_achievement_words_rows_are_well_formed(lineno, row):
    word, verdict, match, share = row
    assert word and verdict in {"met", "partial", "not_met"}, f"achievement_words.tsv:{lineno}"
    assert match in {"exact", "contains"} and share in {"yes", "no"}, f"achievement_words.tsv:{lineno}"
    assert word_verdict(word) is not None, f"achievement_words.tsv:{lineno}: {word} never matches itself"
