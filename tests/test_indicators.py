"""parse_indicator_list: the three spellings of TAXONOMY.md §1 and the edge cases, one case per test."""

from __future__ import annotations

import pytest

from nlp.indicators import parse_indicator_list, starts_indicator_list

# (id, cell text, index of the indicator checked, expected (level1, level2, name, period, annual, flags))
SPELLINGS = [
    (
        "coded-semicolons",
        "1、1-产出指标；11-数量指标；编外人员到位率；实施周期指标值:100%；年度指标值:100%。",
        0,
        ("1-产出指标", "11-数量指标", "编外人员到位率", "100%", "100%", []),
    ),
    (
        "coded-colons",
        "1、1-产出指标：11-数量指标：报废小车数量；实施周期指标值：1；年度指标值：1。",
        0,
        ("1-产出指标", "11-数量指标", "报废小车数量", "1", "1", []),
    ),
    (
        "coded-second-item",
        "1、1-产出指标；11-数量指标；A；实施周期指标值:1；年度指标值:1。2、3-满意度指标；31-服务对象满意度；B；"
        "实施周期指标值:≥95%；年度指标值:≥95%。",
        1,
        ("3-满意度指标", "31-服务对象满意度", "B", "≥95%", "≥95%", []),
    ),
    (
        "coded-html-and-entities",
        "<p>1、2-效益指标；22-社会效益；平均故障恢复时间；实施周期指标值:&lt;30分钟；年度指标值:&lt;30分钟。</p>",
        0,
        ("2-效益指标", "22-社会效益", "平均故障恢复时间", "<30分钟", "<30分钟", []),
    ),
    (
        "coded-value-with-semicolons",
        "1、2-效益指标：31-服务对象满意度：使用单位满意度</p> <p>：实施周期指标值：满意度；"
        "年度指标值：满意，得满分；基本满意，部分得分。",
        0,
        (
            "2-效益指标",
            "31-服务对象满意度",
            "使用单位满意度",
            "满意度",
            "满意，得满分；基本满意，部分得分",
            [],
        ),
    ),
    (
        "prose-numbered",
        "产出指标：1、聘用专家人次，年度指标值：≥20；2、费用支付及时率，年度指标值：100%。 效益指标：…",
        1,
        ("1-产出指标", "", "费用支付及时率", None, "100%", []),
    ),
    (
        "prose-name-colon-value",
        "产出指标：项目资金支付率，年度指标值：100%。 效益指标：保障人大监督工作顺利开展：有效保障。",
        1,
        ("2-效益指标", "", "保障人大监督工作顺利开展", None, "有效保障", []),
    ),
    (
        "prose-comma-after-label",
        "产出指标：接待人次，年度指标值，≥20。 效益指标：费用支付合规率（%），年度指标值：100%。",
        0,
        ("1-产出指标", "", "接待人次", None, "≥20", []),
    ),
    (
        "prose-level2-heading",
        "产出指标：费用支付及时率，年度指标值：100%。 时效指标：年度资金支出进度（%），年度指标值，100%。",
        1,
        ("1-产出指标", "13-时效指标", "年度资金支出进度（%）", None, "100%", []),
    ),
    (
        "prose-first-item-unnumbered",
        "产出指标：专项调研成本超支率（%），年度指标值：0%及以下；2、专项调研开展及时率（%），年度指标值：100%。",
        0,
        ("1-产出指标", "", "专项调研成本超支率（%）", None, "0%及以下", []),
    ),
]

EDGE_CASES = [
    (
        "missing-annual-value",
        "3、1-产出指标：12-质量指标：维保按时完成质量；实施周期指标值:保障机关大院办公场所公共设备安全运行正常。"
        "4、1-产出指标：13-时效指标：故障设备维修及时率；实施周期指标值:≥95%；年度指标值:≥95%。",
        0,
        (
            "1-产出指标",
            "12-质量指标",
            "维保按时完成质量",
            "保障机关大院办公场所公共设备安全运行正常",
            None,
            ["missing_value"],
        ),
    ),
    (
        "placeholder-name",
        "1、1-产出指标；11-数量指标；待单位补充...；实施周期指标值:1-12月及时维护；年度指标值:年度按时维护。",
        0,
        ("1-产出指标", "11-数量指标", "待单位补充...", "1-12月及时维护", "年度按时维护", ["placeholder"]),
    ),
    (
        "placeholder-everywhere",
        "1、1-产出指标；11-数量指标；待单位补充...；实施周期指标值:待单位补充...；年度指标值:待单位补充...。",
        0,
        ("1-产出指标", "11-数量指标", "待单位补充...", "待单位补充...", "待单位补充...", ["placeholder"]),
    ),
    (
        "full-width-digits-and-traditional",
        "１、１-產出指標；１１-數量指標；驗收合格率（％）；實施周期指標值:１００；年度指標值:１００。",
        0,
        ("1-产出指标", "11-数量指标", "驗收合格率（％）", "１００", "１００", []),
    ),
    (
        "prose-name-without-value",
        "效益指标：保障工作顺利开展。",
        0,
        ("2-效益指标", "", "保障工作顺利开展", None, None, ["missing_value"]),
    ),
    (
        "unparsed-free-text",
        "本项目无量化指标，详见附件",
        0,
        ("", "", "本项目无量化指标，详见附件", None, None, ["unparsed"]),
    ),
    (
        "unparsed-lead-before-list",
        "见下表：1、1-产出指标；11-数量指标；A；年度指标值:1。",
        0,
        ("", "", "见下表", None, None, ["unparsed"]),
    ),
    (
        "coded-item-without-level2",
        "1、1-产出指标；培训人次；年度指标值:≥300。",
        0,
        ("1-产出指标", "", "培训人次", None, "≥300", []),
    ),
]


def _fields(text: str, index: int) -> tuple:
    i = parse_indicator_list(text)[index]
    return (i.level1, i.level2, i.name, i.period_value, i.annual_value, list(i.flags))


@pytest.mark.parametrize(
    ("text", "index", "expected"), [c[1:] for c in SPELLINGS], ids=[c[0] for c in SPELLINGS]
)
def test_spellings(text, index, expected):
    assert _fields(text, index) == expected


@pytest.mark.parametrize(
    ("text", "index", "expected"), [c[1:] for c in EDGE_CASES], ids=[c[0] for c in EDGE_CASES]
)
def test_edge_cases(text, index, expected):
    assert _fields(text, index) == expected


COUNTS = [
    ("empty", "", 0),
    ("html-only", "<p></p>", 0),
    (
        "coded-three",
        "1、1-产出指标；11-数量指标；A；年度指标值:1。2、1-产出指标；11-数量指标；B；年度指标值:2。"
        "3、1-产出指标；11-数量指标；C；年度指标值:3。",
        3,
    ),
    ("prose-three", "产出指标：1、A，年度指标值：1；2、B，年度指标值：2。 效益指标：C：有效保障。", 3),
    ("lead-kept", "见下表：1、1-产出指标；11-数量指标；A；年度指标值:1。", 2),
]


@pytest.mark.parametrize(("text", "n"), [c[1:] for c in COUNTS], ids=[c[0] for c in COUNTS])
def test_nothing_dropped(text, n):
    assert len(parse_indicator_list(text)) == n


def test_seq_and_ids_are_filled():
    got = parse_indicator_list(
        "产出指标：1、A，年度指标值：1；2、B，年度指标值：2。", doc="d", project_id="d-001", line=7
    )
    assert [(i.doc, i.project_id, i.seq, i.line) for i in got] == [("d", "d-001", 1, 7), ("d", "d-001", 2, 7)]


def test_raw_keeps_the_item_text():
    got = parse_indicator_list("1、1-产出指标；11-数量指标；A；实施周期指标值:1；年度指标值:1。")
    assert got[0].raw == "1、1-产出指标；11-数量指标；A；实施周期指标值:1；年度指标值:1"


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("目标。 1、1-产出指标；11-数量指标；A；年度指标值:1。", 4),
        ("保障运行。产出指标：A，年度指标值：1。", 5),
        ("只有目标", None),
    ],
    ids=["coded", "prose", "none"],
)
def test_starts_indicator_list(text, start):
    assert starts_indicator_list(text) == start


LEVEL_RAW = [
    ("coded", "1、1-产出指标；11-数量指标；A；年度指标值:1。", ("1-产出指标", "11-数量指标")),
    ("prose-level1", "产出指标：A，年度指标值：1。", ("产出指标", "")),
    ("prose-level2", "时效指标：A，年度指标值：1。", ("", "时效指标")),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in LEVEL_RAW], ids=[c[0] for c in LEVEL_RAW])
def test_level_words_as_written(text, expected):
    i = parse_indicator_list(text)[0]
    assert (i.level1_raw, i.level2_raw) == expected


def test_indicators_built_without_the_constructor_equal_the_constructors() -> None:
    """parse_indicator_list fills each Indicator's dict at once (nlp.indicators._new)."""
    from dataclasses import astuple

    from nlp.schema import Indicator

    cell = "1、1-产出指标；11-数量指标；编外人员到位率；实施周期指标值:100%；年度指标值:100%。2、x"
    for ind in parse_indicator_list(cell, doc="d", project_id="d-001", line=7):
        made = Indicator(**{k: v for k, v in vars(ind).items()})
        assert ind == made and list(vars(ind)) == list(vars(made)) and astuple(ind) == astuple(made)
        assert hash(ind) == hash(made)
