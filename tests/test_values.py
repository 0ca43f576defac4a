"""Value normalizer (nlp.values): every value spelling of TAXONOMY.md §3, the seeds and the realdata files.

Each case: (text, hints, expected) with expected = (kind, op, number, number_max, unit, unit_source, flags).
Cases are grouped by where the spelling was found; ids are readable.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from nlp.schema import KINDS, OPS
from nlp.values import add_value_columns, normalize_values, parse_value

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "examples" / "documents").glob("*"))
N = None  # readability: "no value" in the expected tuples

# -- values as they occur in the five Guangzhou seeds (examples/documents) ----------------------------
SEED_VALUES = [
    ("100%", {}, ("rate", "=", 100.0, N, "%", "value", "")),
    ("100", {"name": "验收合格率（%）"}, ("rate", "=", 100.0, N, "%", "name", "")),
    ("100", {"name": "支出及时率（%）"}, ("rate", "=", 100.0, N, "%", "name", "")),
    ("大于95", {"name": "目标群体满意率（%）"}, ("threshold", ">", 95.0, N, "%", "name", "")),
    ("1", {"name": "报废小车数量"}, ("count", "=", 1.0, N, N, N, "")),
    ("39", {"name": "维护账号个数"}, ("count", "=", 39.0, N, "个", "name", "")),  # 个数 → 个 (issue 15)
    ("≥20", {"name": "聘用专家人次"}, ("threshold", ">=", 20.0, N, "人次", "name", "")),
    ("≥50", {"name": "慰问人次"}, ("threshold", ">=", 50.0, N, "人次", "name", "")),
    ("≥300", {"name": "培训人数"}, ("threshold", ">=", 300.0, N, "人", "name", "")),
    ("≥1", {"name": "完成培训次数"}, ("threshold", ">=", 1.0, N, "次", "name", "")),
    ("≥95%", {}, ("threshold", ">=", 95.0, N, "%", "value", "")),
    ("大于等于95%", {}, ("threshold", ">=", 95.0, N, "%", "value", "")),
    ("不低于97%", {}, ("threshold", ">=", 97.0, N, "%", "value", "")),
    ("95%以上", {}, ("threshold", ">=", 95.0, N, "%", "value", "")),
    ("满意度95%以上", {}, ("threshold", ">=", 95.0, N, "%", "value", "")),
    ("大于99%", {}, ("threshold", ">", 99.0, N, "%", "value", "")),
    ("≤0%", {}, ("threshold", "<=", 0.0, N, "%", "value", "")),
    ("0%及以下", {}, ("threshold", "<=", 0.0, N, "%", "value", "")),
    ("小于等于1%", {}, ("threshold", "<=", 1.0, N, "%", "value", "")),
    ("<5%", {}, ("threshold", "<", 5.0, N, "%", "value", "")),
    ("<30分钟", {}, ("threshold", "<", 30.0, N, "分钟", "value", "")),
    ("&lt;30分钟", {}, ("threshold", "<", 30.0, N, "分钟", "value", "")),
    ("小于2小时", {}, ("threshold", "<", 2.0, N, "小时", "value", "")),
    ("0.5小时以内", {}, ("threshold", "<=", 0.5, N, "小时", "value", "")),
    ("4小时内到场处置故障", {}, ("threshold", "<=", 4.0, N, "小时", "value", "")),
    ("18个月内", {}, ("threshold", "<=", 18.0, N, "月", "value", "")),
    ("大于等于150小时", {}, ("threshold", ">=", 150.0, N, "小时", "value", "")),
    ("不少于190万印", {}, ("threshold", ">=", 1900000.0, N, "印", "value", "")),
    ("至少2次", {}, ("threshold", ">=", 2.0, N, "次", "value", "")),
    ("不少于6年", {}, ("threshold", ">=", 6.0, N, "年", "value", "")),
    ("不少于3个", {}, ("threshold", ">=", 3.0, N, "个", "value", "")),
    ("每天不少于2次清洁打扫", {}, ("threshold", ">=", 2.0, N, "次", "value", "")),
    ("相关专题参事建议各不少于1篇", {}, ("threshold", ">=", 1.0, N, "篇", "value", "")),
    ("开展调研50次以上", {}, ("threshold", ">=", 50.0, N, "次", "value", "")),
    ("退文率5%以下", {}, ("threshold", "<=", 5.0, N, "%", "value", "")),
    ("预算经费支付率≤100%", {}, ("threshold", "<=", 100.0, N, "%", "value", "")),
    ("不高于去年购买价格10%", {}, ("threshold", "<=", 10.0, N, "%", "value", "")),
    ("≥10间", {}, ("threshold", ">=", 10.0, N, "间", "value", "")),
    ("≥10000页", {}, ("threshold", ">=", 10000.0, N, "页", "value", "")),
    ("20-35次", {}, ("threshold", "between", 20.0, 35.0, "次", "value", "")),
    ("60-120次", {}, ("threshold", "between", 60.0, 120.0, "次", "value", "")),
    ("36人", {}, ("count", "=", 36.0, N, "人", "value", "")),
    ("12次", {}, ("count", "=", 12.0, N, "次", "value", "")),
    ("11项", {"name": "听取和审议“一府两院”专项工作报告（项）"}, ("count", "=", 11.0, N, "项", "value", "")),
    ("1季度", {}, ("count", "=", 1.0, N, "季度", "value", "")),
    ("3000元/人", {}, ("count", "=", 3000.0, N, "元/人", "value", "")),
    ("100G/每月", {}, ("count", "=", 100.0, N, "G/月", "value", "")),
    ("150令", {}, ("count", "=", 150.0, N, "令", "value", "")),
    ("700箱", {}, ("count", "=", 700.0, N, "箱", "value", "")),
    ("250张", {}, ("count", "=", 250.0, N, "张", "value", "")),
    ("25期", {}, ("count", "=", 25.0, N, "期", "value", "")),
    ("6篇", {}, ("count", "=", 6.0, N, "篇", "value", "")),
    ("3份", {}, ("count", "=", 3.0, N, "份", "value", "")),
    ("2套", {}, ("count", "=", 2.0, N, "套", "value", "")),
    ("1台", {}, ("count", "=", 1.0, N, "台", "value", "")),
    ("4.5万份", {}, ("count", "=", 45000.0, N, "份", "value", "")),
    ("20万份", {"name": "提供午餐数量（万份）"}, ("count", "=", 200000.0, N, "份", "value", "")),
    ("支付100%", {}, ("rate", "=", 100.0, N, "%", "value", "")),
    ("绿化率90%", {}, ("rate", "=", 90.0, N, "%", "value", "")),
    ("100%", {"name": "服务对象投诉次数"}, ("rate", "=", 100.0, N, "%", "value", "")),
    ("全年共发行不超过38期，每期3524份", {}, ("threshold", "<=", 38.0, N, "期", "value", "compound")),
    (
        "紧急公文在2小时内发出，非紧急公文在8小时内发出",
        {},
        ("threshold", "<=", 2.0, N, "小时", "value", "compound"),
    ),
    (
        "每隔2-3小时巡查一次，每年不少于1次消防演练",
        {},
        ("threshold", "between", 2.0, 3.0, "小时", "value", "compound"),
    ),
    ("实际完成的工作量/计划完成的工作量", {}, ("unspecified", N, N, N, N, N, "formula_not_value")),
    ("质量验收合格的项目数/验收项目的总数", {}, ("unspecified", N, N, N, N, N, "formula_not_value")),
    ("实际工期/计划工期", {}, ("unspecified", N, N, N, N, N, "formula_not_value")),
    ("一年内到用户单位回访的次数", {}, ("unspecified", N, N, N, N, N, "formula_not_value")),
    ("出现故障到维护人员响应的的时间", {}, ("unspecified", N, N, N, N, N, "formula_not_value")),
    ("考察故障恢复所需平均时间", {}, ("unspecified", N, N, N, N, N, "formula_not_value")),
    ("结算中心口所有核算单位数", {}, ("unspecified", N, N, N, N, N, "formula_not_value")),
    ("操作人员对微易E9管理软件使用的满意度", {}, ("unspecified", N, N, N, N, N, "formula_not_value")),
    ("待单位补充...", {}, ("unspecified", N, N, N, N, N, "placeholder")),
    ("待单\n位补充...", {}, ("unspecified", N, N, N, N, N, "placeholder")),
    ("", {}, ("unspecified", N, N, N, N, N, "missing_value")),
    (None, {}, ("unspecified", N, N, N, N, N, "missing_value")),
    ("1-12\n\n月及时维护", {}, ("qualitative", N, N, N, N, N, "")),
    ("有效保障", {}, ("qualitative", N, N, N, N, N, "")),
    ("是", {}, ("qualitative", N, N, N, N, N, "")),
    ("合法合规", {}, ("qualitative", N, N, N, N, N, "")),
    ("良好", {}, ("qualitative", N, N, N, N, N, "")),
    ("长期", {}, ("qualitative", N, N, N, N, N, "")),
    ("年底前完成", {}, ("qualitative", N, N, N, N, N, "")),
    ("有所提升", {}, ("qualitative", N, N, N, N, N, "")),
    ("及时完成", {"name": "支出及时率"}, ("qualitative", N, N, N, N, N, "")),
    ("小于等于预算批复金额", {}, ("qualitative", N, N, N, N, N, "")),
    ("总费用支出低于年初预算", {}, ("qualitative", N, N, N, N, N, "")),
    ("不高于市场价格", {}, ("qualitative", N, N, N, N, N, "")),
    ("基础养老金按时发放、缴费补贴应补尽补、养老待遇按统一部署调整", {}, ("qualitative", N, N, N, N, N, "")),
    # 002, the self-evaluation: targets and actuals written with a space before the unit
    ("600 人次", {}, ("count", "=", 600.0, N, "人次", "value", "")),
    ("784 人次", {}, ("count", "=", 784.0, N, "人次", "value", "")),
    ("100 件", {}, ("count", "=", 100.0, N, "件", "value", "")),
    ("30", {"name": "视察调研形成报告"}, ("count", "=", 30.0, N, N, N, "")),
    ("按计划完成", {}, ("qualitative", N, N, N, N, N, "")),
    # a bare 1 under a 满意率 name reads as 1 % by the rule (TAXONOMY: unit from the name), flagged
    # because it may be a fraction (100 %); see README
    ("1", {"name": "视察、调研成员满意率"}, ("rate", "=", 1.0, N, "%", "name", "fraction_or_percent")),
    ("0.95", {"unit": "%"}, ("rate", "=", 0.95, N, "%", "column", "fraction_or_percent")),
    ("1%", {"name": "事故发生率"}, ("rate", "=", 1.0, N, "%", "value", "")),
    ("≥1", {"name": "验收合格率（%）"}, ("threshold", ">=", 1.0, N, "%", "name", "fraction_or_percent")),
    ("≤1", {"name": "事故发生率（%）"}, ("threshold", "<=", 1.0, N, "%", "name", "")),  # an upper bound: 1 %
]

# -- spellings of the 27 excerpts from other places (examples/realdata) --------------------------------
REALDATA_VALUES = [
    ("≧90%", {}, ("threshold", ">=", 90.0, N, "%", "value", "")),
    ("≦0%", {}, ("threshold", "<=", 0.0, N, "%", "value", "")),
    ("采购装备出现不合格装备的比例≦0%。", {}, ("threshold", "<=", 0.0, N, "%", "value", "")),
    (">=98%", {}, ("threshold", ">=", 98.0, N, "%", "value", "")),
    ("<=475元/亩", {}, ("threshold", "<=", 475.0, N, "元/亩", "value", "")),
    ("<=3000元/平方米", {}, ("threshold", "<=", 3000.0, N, "元/平方米", "value", "")),
    (">=2.61万元", {}, ("threshold", ">=", 26100.0, N, "元", "value", "")),
    ("=8个", {}, ("count", "=", 8.0, N, "个", "value", "")),
    ("≥100百分比", {}, ("threshold", ">=", 100.0, N, "%", "value", "")),
    ("100百分比", {}, ("rate", "=", 100.0, N, "%", "value", "")),
    ("≥0.97比例", {}, ("threshold", ">=", 97.0, N, "%", "value", "")),
    ("≤7工作日", {}, ("threshold", "<=", 7.0, N, "工作日", "value", "")),
    ("375万平方米", {}, ("count", "=", 3750000.0, N, "平方米", "value", "")),
    ("≥1290.3平方米", {}, ("threshold", ">=", 1290.3, N, "平方米", "value", "")),
    ("≥400平方米", {}, ("threshold", ">=", 400.0, N, "平方米", "value", "")),
    ("≥2倍", {}, ("threshold", ">=", 2.0, N, "倍", "value", "")),
    ("≥70村", {}, ("threshold", ">=", 70.0, N, "村", "value", "")),
    ("≥100组", {}, ("threshold", ">=", 100.0, N, "组", "value", "")),
    ("<24小时", {}, ("threshold", "<", 24.0, N, "小时", "value", "")),
    ("<1681680元", {}, ("threshold", "<", 1681680.0, N, "元", "value", "")),
    ("辖区企业满意率达95%以上。", {}, ("threshold", ">=", 95.0, N, "%", "value", "")),
    ("资助对象满意度达到目标值95%以上", {}, ("threshold", ">=", 95.0, N, "%", "value", "")),
    ("至少全年完成2次宣传", {}, ("threshold", ">=", 2.0, N, "次", "value", "")),
    ("100%(历史标准)", {}, ("rate", "=", 100.0, N, "%", "value", "")),
    ("115.25%", {}, ("rate", "=", 115.25, N, "%", "value", "rate_out_of_range")),
    ("已完成100%", {}, ("rate", "=", 100.0, N, "%", "value", "")),
    ("15万元。", {}, ("count", "=", 150000.0, N, "元", "value", "")),
    ("按合同10.5万元。", {}, ("count", "=", 105000.0, N, "元", "value", "")),
    ("100万", {}, ("count", "=", 1000000.0, N, N, N, "")),
    ("5.5亩", {}, ("count", "=", 5.5, N, "亩", "value", "")),
    ("2批次/千人", {}, ("count", "=", 2.0, N, "批次/千人", "value", "")),
    ("1250KVA", {}, ("count", "=", 1250.0, N, "KVA", "value", "")),
    ("2100", {"name": "享受资助人数"}, ("count", "=", 2100.0, N, "人", "name", "")),
    ("1", {"name": "开展小型水利工程建设(个)"}, ("count", "=", 1.0, N, "个", "name", "")),
    (">=4个", {"name": "贫困地区旅游景点开发数量( ≥**个 )"}, ("threshold", ">=", 4.0, N, "个", "value", "")),
    ("4", {"name": "贫困地区旅游景点开发数量( ≥**个 )"}, ("count", "=", 4.0, N, "个", "name", "")),
    ("≥**%", {}, ("unspecified", N, N, N, N, N, "placeholder")),
    ("**", {}, ("unspecified", N, N, N, N, N, "placeholder")),
    ("—", {}, ("unspecified", N, N, N, N, N, "placeholder")),
    ("/", {}, ("unspecified", N, N, N, N, N, "placeholder")),
    ("2021年12月31日", {}, ("qualitative", N, N, N, N, N, "")),
    ("11月底之前", {}, ("qualitative", N, N, N, N, N, "")),
    ("2025年12月", {}, ("qualitative", N, N, N, N, N, "")),
    ("2020年全年。", {}, ("qualitative", N, N, N, N, N, "")),
    ("1-12月", {}, ("qualitative", N, N, N, N, N, "")),
    ("44561", {"name": "项目完成时间"}, ("qualitative", N, N, N, N, N, "excel_date")),
    ("优良", {}, ("qualitative", N, N, N, N, N, "")),
    ("合格", {}, ("qualitative", N, N, N, N, N, "")),
    ("高中低", {}, ("qualitative", N, N, N, N, N, "")),
    ("效果明显", {}, ("qualitative", N, N, N, N, N, "")),
    ("应保尽保", {}, ("qualitative", N, N, N, N, N, "")),
    ("影响程度明显", {}, ("qualitative", N, N, N, N, N, "")),
    ("正面支撑", {}, ("qualitative", N, N, N, N, N, "")),
    ("貧困人口數≥100人", {}, ("threshold", ">=", 100.0, N, "人", "value", "")),
    ("驗收合格率≥９８％", {}, ("threshold", ">=", 98.0, N, "%", "value", "")),
]

# -- separate 指标性质 / 计量单位 / 指标方向性 columns (realdata 05, 18, 19, 28, 32) -------------------
REALDATA_COLUMNS = [
    ("100", {"op": "=", "unit": "%"}, ("rate", "=", 100.0, N, "%", "column", "")),
    ("100", {"op": "＝", "unit": "%"}, ("rate", "=", 100.0, N, "%", "column", "")),
    (
        "95",
        {"op": "≥", "unit": "%", "direction": "正向指标"},
        ("threshold", ">=", 95.0, N, "%", "column", ""),
    ),
    ("30", {"op": "≤", "unit": "万元"}, ("threshold", "<=", 300000.0, N, "元", "column", "")),
    ("1", {"op": "≥", "unit": "人/年"}, ("threshold", ">=", 1.0, N, "人/年", "column", "")),
    ("230", {"op": "≥", "unit": "个"}, ("threshold", ">=", 230.0, N, "个", "column", "")),
    ("470", {"unit": "人/天"}, ("count", "=", 470.0, N, "人/天", "column", "")),
    ("28.8万元", {"unit": "%"}, ("count", "=", 288000.0, N, "元", "value", "unit_conflict")),
    ("高中低", {"op": "定性"}, ("qualitative", N, N, N, N, N, "")),
    ("≥95%", {"op": "≤"}, ("threshold", ">=", 95.0, N, "%", "value", "op_conflict")),
    ("10", {"op": "大于等于", "unit": "次"}, ("threshold", ">=", 10.0, N, "次", "column", "")),
    ("5", {"op": "≤", "unit": "%", "direction": "反向指标"}, ("threshold", "<=", 5.0, N, "%", "column", "")),
]

# -- forms listed in TAXONOMY.md §3 and issues 3 and 6 that the files above do not show -----------------
TAXONOMY_VALUES = [
    ("=100%", {}, ("rate", "=", 100.0, N, "%", "value", "")),
    ("等于100%", {}, ("rate", "=", 100.0, N, "%", "value", "")),
    ("＞95%", {}, ("threshold", ">", 95.0, N, "%", "value", "")),
    ("高于90%", {}, ("threshold", ">", 90.0, N, "%", "value", "")),
    ("超过3次", {}, ("threshold", ">", 3.0, N, "次", "value", "")),
    ("低于5%", {}, ("threshold", "<", 5.0, N, "%", "value", "")),
    ("少于3天", {}, ("threshold", "<", 3.0, N, "天", "value", "")),
    ("不超过38期", {}, ("threshold", "<=", 38.0, N, "期", "value", "")),
    ("不高于5%", {}, ("threshold", "<=", 5.0, N, "%", "value", "")),
    ("小于等于1%", {}, ("threshold", "<=", 1.0, N, "%", "value", "")),
    ("50次及以上", {}, ("threshold", ">=", 50.0, N, "次", "value", "")),
    ("5天以内", {}, ("threshold", "<=", 5.0, N, "天", "value", "")),
    ("20～35", {}, ("threshold", "between", 20.0, 35.0, N, N, "")),
    ("20至35次", {}, ("threshold", "between", 20.0, 35.0, "次", "value", "")),
    ("90%-95%", {}, ("threshold", "between", 90.0, 95.0, "%", "value", "")),
    ("±3%以内", {}, ("threshold", "between", -3.0, 3.0, "%", "value", "")),
    ("三次", {}, ("count", "=", 3.0, N, "次", "value", "")),
    ("十二项", {}, ("count", "=", 12.0, N, "项", "value", "")),
    ("至少两次", {}, ("threshold", ">=", 2.0, N, "次", "value", "")),
    ("一百二十人", {}, ("count", "=", 120.0, N, "人", "value", "")),
    ("百分之九十五以上", {}, ("threshold", ">=", 95.0, N, "%", "value", "")),
    ("１２次", {}, ("count", "=", 12.0, N, "次", "value", "")),
    ("1,200人", {}, ("count", "=", 1200.0, N, "人", "value", "")),
    ("2万元/人", {}, ("count", "=", 20000.0, N, "元/人", "value", "")),
    ("500元/生/年", {}, ("count", "=", 500.0, N, "元/生/年", "value", "")),
    ("2人/次", {}, ("count", "=", 2.0, N, "人/次", "value", "")),
    ("1.5亿元", {}, ("count", "=", 150000000.0, N, "元", "value", "")),
    ("3千份", {}, ("count", "=", 3000.0, N, "份", "value", "")),
    ("100M", {}, ("count", "=", 100.0, N, "米", "value", "")),
    ("120%", {}, ("rate", "=", 120.0, N, "%", "value", "rate_out_of_range")),
    ("-5%", {}, ("rate", "=", -5.0, N, "%", "value", "rate_out_of_range")),
    ("≥-5%", {}, ("threshold", ">=", -5.0, N, "%", "value", "rate_out_of_range")),
    ("20", {"name": "提供午餐数量（万份）"}, ("count", "=", 200000.0, N, "份", "name", "name_multiplier")),
    ("统一部署", {}, ("qualitative", N, N, N, N, N, "")),
    ("亿元", {}, ("qualitative", N, N, N, N, N, "")),
    ("一致", {}, ("qualitative", N, N, N, N, N, "")),
    ("两委", {}, ("qualitative", N, N, N, N, N, "")),
    ("基本一致", {}, ("qualitative", N, N, N, N, N, "")),
]


def _case_id(case: tuple) -> str:
    text, hints, _ = case
    shown = "None" if text is None else (text.replace("\n", "⏎")[:24] or "empty")
    return shown + ("|" + ",".join(f"{k}={v}" for k, v in hints.items()) if hints else "")


def _cases(group: str, cases: list[tuple]) -> list:
    return [pytest.param(*c, id=f"{group}:{_case_id(c)}") for c in cases]


ALL_CASES = (
    _cases("SEED", SEED_VALUES)
    + _cases("REALDATA", REALDATA_VALUES)
    + _cases("REALDATA_COLUMNS", REALDATA_COLUMNS)
    + _cases("TAXONOMY", TAXONOMY_VALUES)
)


@pytest.mark.parametrize(("text", "hints", "expected"), ALL_CASES)
def test_parse_value(text, hints, expected):
    value = parse_value(text, **hints)
    got = (
        value.kind,
        value.op,
        value.number,
        value.number_max,
        value.unit,
        value.unit_source,
        ";".join(value.flags),
    )
    assert got == expected
    assert value.raw == ("" if text is None else text)


@pytest.mark.parametrize(
    ("direction", "expected"),
    [("正向指标", "正向"), ("反向", "反向"), ("反向指标", "反向"), (None, None)],
    ids=["正向指标", "反向", "反向指标", "none"],
)
def test_direction_is_its_own_field_and_keeps_op(direction, expected):
    value = parse_value("5", op="≤", unit="%", direction=direction)
    assert (value.direction, value.op) == (expected, "<=")


def test_unreadable_op_column_is_flagged_not_guessed():
    value = parse_value("95", op="看情况", unit="%")
    assert (value.kind, value.op, value.flags) == ("rate", "=", ("op_unreadable",))


def test_traditional_text_keeps_raw_and_parses_folded():
    value = parse_value("貧困人口數≥100人")
    assert value.raw == "貧困人口數≥100人"
    assert value.text == "贫困人口数≥100人"


def _seed_pairs(path: Path) -> list[tuple[str, str]]:
    """(name, value) pairs of a seed, by a plain regex (the reader proper lives in nlp.documents)."""
    pattern = re.compile(r"([^；;：:。\t、，]+?)[；;：:，,]\s*(?:实施周期|年度)指标值[:：]([^；。\t]*)")
    text = path.read_text(encoding="utf-8")
    return [(m.group(1).strip(), m.group(2).strip()) for m in pattern.finditer(text)]


SEEDS_WITH_LISTS = [p for p in SEEDS if _seed_pairs(p)]


def test_the_indicator_list_seeds_are_found():
    assert [p.stem[:3] for p in SEEDS_WITH_LISTS] == ["000", "001", "003", "004"]


@pytest.mark.parametrize("seed", SEEDS_WITH_LISTS, ids=[p.stem[:3] for p in SEEDS_WITH_LISTS])
def test_every_seed_value_gets_consistent_taxonomy_fields(seed):
    pairs = _seed_pairs(seed)
    assert pairs, f"no indicator values found in {seed.name}"
    for name, text in pairs:
        value = parse_value(text, name=name)
        assert value.kind in KINDS
        if value.kind in ("qualitative", "unspecified"):
            assert (value.op, value.number, value.unit) == (None, None, None), (name, text)
        else:
            assert value.op in OPS and value.number is not None, (name, text)
            assert (value.op == "=") == (value.kind in ("rate", "count")), (name, text)
            assert (value.number_max is not None) == (value.op == "between"), (name, text)
            assert (value.unit == "%") or value.kind != "rate", (name, text)


def test_add_value_columns_adds_fields_per_value_column():
    table = pd.DataFrame(
        {
            "name": ["验收合格率（%）", "培训人数", "支出及时率", "x"],
            "period_value": ["100", "≥300", None, "待单位补充..."],
            "annual_value": ["100", "≥300", "及时完成", "全年共发行不超过38期，每期3524份"],
            "actual_value": ["98%", None, "是", "30期"],
        }
    )
    out = add_value_columns(table)
    assert list(out["period_kind"]) == ["rate", "threshold", "unspecified", "unspecified"]
    assert list(out["period_flags"]) == ["", "", "missing_value", "placeholder"]
    assert list(out["annual_op"].fillna("null")) == ["=", ">=", "null", "<="]
    assert list(out["annual_number"].fillna(-1)) == [100.0, 300.0, -1, 38.0]
    assert list(out["annual_unit_source"].fillna("null")) == ["name", "name", "null", "value"]
    assert list(out["annual_flags"]) == ["", "", "", "compound"]
    assert list(out["actual_number"].fillna(-1)) == [98.0, -1, -1, 30.0]
    assert list(out.columns[:4]) == ["name", "period_value", "annual_value", "actual_value"]


def test_add_value_columns_skips_an_empty_actual_column_and_keeps_the_index():
    table = pd.DataFrame(
        {
            "name": ["a", "b"],
            "period_value": ["1次", "2次"],
            "annual_value": ["1次", "2次"],
            "actual_value": [None] * 2,
        },
        index=[10, 20],
    )
    out = add_value_columns(table)
    assert "actual_kind" not in out.columns
    assert list(out.index) == [10, 20]
    assert list(out["period_number"]) == [1.0, 2.0]


def test_add_value_columns_reads_separate_op_and_unit_columns():
    table = pd.DataFrame(
        {
            "name": ["维护社会稳定", "成本控制数", "业务工作支出安排金额"],
            "period_value": [None, None, None],
            "annual_value": ["95", "30", "28.8万元"],
            "actual_value": ["98", "29", None],
            "op": ["≥", "≤", None],
            "unit": ["%", "万元", "%"],
        }
    )
    out = add_value_columns(table)
    annual = out[["annual_kind", "annual_op", "annual_number", "annual_unit", "annual_flags"]]
    assert annual.values.tolist() == [
        ["threshold", ">=", 95.0, "%", ""],
        ["threshold", "<=", 300000.0, "元", ""],
        ["count", "=", 288000.0, "元", "unit_conflict"],
    ]
    assert out["actual_kind"].tolist()[:2] == ["rate", "count"]  # an actual takes the unit, not the 指标性质
    assert out["actual_number"].tolist()[:2] == [98.0, 290000.0]


def test_add_value_columns_on_an_empty_table():
    table = pd.DataFrame({"name": [], "period_value": [], "annual_value": []})
    out = add_value_columns(table)
    assert "annual_flags" in out.columns and len(out) == 0


def test_normalize_values_renames_input_op_and_unit():
    rows = normalize_values([{"id": "7", "value": "30", "op": "≤", "unit": "万元", "direction": "反向"}])
    assert rows == [
        {
            "id": "7",
            "value": "30",
            "op_raw": "≤",
            "unit_raw": "万元",
            "direction": "反向",
            "kind": "threshold",
            "op": "<=",
            "number": 300000.0,
            "number_max": None,
            "unit": "元",
            "unit_source": "column",
            "flags": "",
        }
    ]
