"""Header titles the vocabulary does not settle (nlp/documents/table/header.py, columns.column_role)."""

from __future__ import annotations

from nlp.documents.table.columns import column_role
from nlp.documents.table.decode import rows_from_roles
from nlp.documents.table.features import header_runs
from nlp.documents.table.header import title_roles
from nlp.documents.table.tokens import Cell, tokenize


def _cells(*texts: str) -> list[Cell]:
    return [Cell(t, t, 1, k, k == 0) for k, t in enumerate(texts)]


def test_a_bare_title_takes_the_role_of_the_cell_under_it() -> None:
    cells = _cells("指标", "指标内容", "指标值", "产出指标", "培训人数", "≥20人")
    assert title_roles(cells)[:3] == ("level1", "name", "value")
    assert header_runs(cells) == [(0, 2)]
    under_a_name = _cells("一级指标", "指标", "指标值", "产出指标", "培训人数", "≥20人")
    assert title_roles(under_a_name)[1] == "name"


def test_a_bare_title_alone_makes_no_header() -> None:
    cells = _cells("指标", "说明", "指标", "产出指标", "培训人数")
    assert header_runs(cells) == []  # two known titles at least
    assert column_role("指标") is None  # the vocabulary alone does not say what it heads


def test_a_garbled_title_among_titles_takes_the_nearest_title_where_its_column_agrees() -> None:
    cells = _cells(
        "一级指标", "三级指标", "年度指标値", "实际完成值", "产出指标", "培训人数", "≥20人", "20人"
    )
    assert title_roles(cells)[2] == "value"
    wrong_column = _cells(
        "一级指标", "三级指标", "年度指标値", "实际完成值", "产出指标", "培训人数", "培训人员", "20人"
    )
    assert title_roles(wrong_column)[2] is None  # the cell under it is no value: not taken
    assert [c.raw for c in cells][2] == "年度指标値"  # the raw title is kept


def test_a_title_with_a_bracketed_tag_is_its_title_and_the_long_term_target_is_the_period() -> None:
    assert column_role("三级指标(年度)") == "name"
    assert column_role("指标值(长期)") == "period"
    assert column_role("指标值(年度)") == "value"
    assert column_role("培训人数(年度)") is None
    assert column_role("分值(权重)") is None  # a tag not in title_qualifiers.tsv: no title


def test_the_cell_before_the_next_rows_level_is_the_target_of_a_row_without_one() -> None:
    cells = tokenize(
        "一级指标\n二级指标\n三级指标\n指标值\n产出指标\n数量指标\n工程安排数量\n2\n产出指标\n质量指标\n"
        "验收合格率\n100%\n"
    ).cells
    roles = ["header"] * 4 + ["level1", "level2", "name", "other", "level1", "level2", "name", "value"]
    rows = rows_from_roles(cells, roles, header=frozenset({"level1", "level2", "name", "value"}))
    assert [(r.name, r.fields.get("value")) for r in rows] == [("工程安排数量", "2"), ("验收合格率", "100%")]
    no_target_column = rows_from_roles(cells, roles, header=frozenset({"level1", "level2", "name"}))
    assert no_target_column[0].fields == {}


def test_a_weight_or_a_unit_between_a_name_and_its_target_does_not_lose_the_target() -> None:
    cells = tokenize(
        "三级指标 分值 年度指标值 全年实际值 得分\n"
        "受益人口数 ≥1000人 ≥1000人 10 群众生活条件改善状况 10 显著提升 显著提升 10 及时率 % =99%\n"
    ).cells
    roles = ["header"] * 5 + ["name", "value", "actual", "weight"] + ["other"] * (len(cells) - 9)
    rows = rows_from_roles(cells, roles, header=frozenset({"name", "weight", "value", "actual", "score"}))
    got = [(r.name, r.fields.get("value"), r.fields.get("weight")) for r in rows]
    assert got[1] == ("群众生活条件改善状况", "显著提升", "10")
    assert "显著提升" not in [r.name for r in rows]  # a one-word target never names a row
    unit = tokenize("及时率 % =99%\n").cells
    assert [(r.name, r.fields) for r in rows_from_roles(unit, ["name", "other", "other"])] == [
        ("及时率", {"value": "=99%"})
    ]


def test_a_piece_of_a_sentence_or_running_text_into_the_next_level_is_no_target() -> None:
    cells = tokenize(
        "一级指标\n三级指标\n指标值\n效益指标\n预算执行率\n10%、产出指标\n满意度指标\n的项目\n其\n效益指标\n"
    ).cells
    roles = ["header"] * 3 + ["level1", "name", "value", "level1", "name", "other", "level1"]
    rows = rows_from_roles(cells, roles, header=frozenset({"level1", "name", "value"}))
    assert [(r.name, r.fields) for r in rows] == [("预算执行率", {}), ("的项目", {})]
