"""Where two stages gave different answers for one concept (REVIEW.md §2 P2), the one answer now.

Each case names where the disagreement was seen; the owner is named in the test.
"""

from __future__ import annotations

import pytest

from nlp.indicators import parse_indicator_list
from nlp.values import name_asks, parse_value

# (value text, name, kind, flag) — decided by the value stage, which the quality stage reads
VALUE_CASES = [
    # REVIEW.md §2 P2: parse_value read a rate = 100 %, quality flagged formula_not_value.
    # TAXONOMY §3: a formula in place of a value is `unspecified`; the ×100% does not make it a target.
    ("实际完成数/计划数×100%", None, "unspecified", "formula_not_value"),
    ("实际完成的工作量/计划完成的工作量", None, "unspecified", "formula_not_value"),
    # REVIEW.md §2 P2: parse_value read `无` as a qualitative target, quality as an empty value.
    # 无 in a required value cell is the form's "not applicable", like / and —: no target given.
    ("无", None, "unspecified", "placeholder"),
    # issue 15, second round: 空 was a qualitative target for parse_value, an empty value for quality.
    ("空", None, "unspecified", "placeholder"),
    # REVIEW.md §2 P2: 年度资金支出进度 — spending progress is stated in percent (a bare 100 = 100 %).
    ("100", "年度资金支出进度", "rate", None),
    # REVIEW.md §2 P2: 维修天数 — the name states its unit 天; a bound on it is a threshold in 天.
    ("≥30", "维修天数", "threshold", None),
    # issue 15, third round: RATE_UNITS names ‰ a share, but a point target in ‰ came out as a count.
    # TAXONOMY §3: a rate is a proportion stated as a point target, per cent or per mille alike.
    ("5‰", None, "rate", None),
    ("≤5‰", None, "threshold", None),
    # issue 15, third round: 达 was an operator of the prose reader's own word list (prose_words.tsv)
    # while parse_value read 达70% as = 70 %; 达 means 达到 (>=), in value_operators.tsv only.
    ("达70%", None, "threshold", None),
]


@pytest.mark.parametrize(("text", "name", "kind", "flag"), VALUE_CASES, ids=[c[0] for c in VALUE_CASES])
def test_value_stage_decides(text: str, name: str | None, kind: str, flag: str | None) -> None:
    value = parse_value(text, name=name)
    assert value.kind == kind
    assert (flag in value.flags) if flag else not value.flags


NAME_CASES = [
    ("年度资金支出进度", "rate"),  # REVIEW.md §2 P2: values said nothing, quality said rate
    ("维修天数", "count"),  # REVIEW.md §2 P2: values said 天, quality was undecided
    ("验收合格率（%）", "rate"),
    ("服务对象投诉次数", "count"),
    ("完成时间", "date"),
    ("安全保障", None),
    # the quality stage's own suffix lists (quality_words.tsv) moved into value_markers.tsv:
    ("提高工作效率", None),  # 效率 is not a …率 (an exception row before 率)
    ("采购设备数量", "count"),  # …数量 asks for a count without a unit
    ("维护账号个数", "count"),  # …个数 → 个 (003: `维护账号个数` = 39)
    ("财政资金占比重", "rate"),
    ("养殖动物成活率(目标)", "rate"),  # realdata 14: a bracketed note is not a unit
]


@pytest.mark.parametrize(("name", "asks"), NAME_CASES, ids=[c[0] for c in NAME_CASES])
def test_what_a_name_asks_for_has_one_owner(name: str, asks: str | None) -> None:
    assert name_asks(name) == asks
    if asks in ("rate", "count"):  # and the bare number under it is read the same way
        assert parse_value("12", name=name).kind == asks


def test_quality_asks_the_value_stage() -> None:
    """The quality stage's name rule is the value stage's (no second list of name endings)."""
    from nlp.quality.rules import name_kind_by_rule

    for name, asks in NAME_CASES:
        assert name_kind_by_rule(name) == (asks if asks in ("rate", "count") else None), name


def test_local_level_names_parse_in_the_indicator_list() -> None:
    """REVIEW.md §2 P2: indicators.py knew only the schema's level names, so this came out unparsed."""
    rows = parse_indicator_list("项目完成指标：1、培训人数，年度指标值：≥20")
    assert [(r.name, r.level1, r.annual_value, r.level1_raw, list(r.flags)) for r in rows] == [
        ("培训人数", "1-产出指标", "≥20", "项目完成指标", [])
    ]


# (run-together value, whole match) — the table reader ends a glued value at a unit of value_units.tsv
GLUED_CASES = [
    ("≥10%", "≥10%"),
    # realdata 115: `1.2万亩` was cut into `1.2万` | `亩`; the flat list had 万元, not 万 before any unit
    ("1.2万亩", "1.2万亩"),
    ("6万人", "6万人"),
    ("95%以上", "95%以上"),
    ("20部门", "20"),  # 部 is a unit of values, not one a glued value may end with: 部门 is the next cell
]


@pytest.mark.parametrize(("text", "match"), GLUED_CASES, ids=[c[0] for c in GLUED_CASES])
def test_glued_values_end_at_a_unit_of_the_value_stage(text: str, match: str) -> None:
    """REVIEW.md §2 P2: flat_units.txt was a second unit list; the reader now asks nlp.values."""
    from nlp.documents.cells import flat_value_re

    found = flat_value_re().match(text)
    assert found is not None and found.group() == match



@pytest.mark.parametrize("name", ["XXX完成率", "xxx完成率", "请填写指标名称"])
def test_placeholder_names_have_one_rule(name: str) -> None:
    """The list parser matched name_placeholders.txt case-sensitively (xxx but not XXX), the quality stage
    in any case; both now ask nlp.indicators.is_placeholder_name."""
    from nlp.quality.rules import is_placeholder

    rows = parse_indicator_list(f"1、1-产出指标；11-数量指标；{name}；年度指标值:100%。")
    assert ("placeholder" in rows[0].flags, is_placeholder(name)) == (True, True)


def test_local_level_names_head_a_self_evaluation_row() -> None:
    """REVIEW.md §2 P2: the self-evaluation reader knew only the schema's level names (selfeval.py)."""
    from pathlib import Path

    from nlp.documents.selfeval import read_selfeval

    seed = next((Path(__file__).resolve().parents[1] / "examples" / "documents").glob("002_*.txt"))
    text = seed.read_text(encoding="utf-8")
    local = text.replace("产出指\n\n标\n\n（50%）", "项目完\n\n成指标\n\n（50%）")
    assert local != text
    docs = [read_selfeval("002.txt", t) for t in (text, local)]
    first = [doc.projects[0].indicators[0] for doc in docs if doc is not None]
    assert [(i.name, i.level1, i.level2) for i in first] == [(first[0].name, "1-产出指标", "11-数量指标")] * 2
    assert first[1].level1_raw.startswith("项目完成指标")


def test_every_empty_value_of_quality_states_no_target_for_the_value_stage() -> None:
    """quality_words.tsv `empty_value` (what counts as missing) may not hold a word parse_value reads as a
    target: 空 did (a qualitative target) until issue 15's second round."""
    from nlp.quality.rules import words

    assert [w for w in words()["empty_value"] if "placeholder" not in parse_value(w).flags] == []
