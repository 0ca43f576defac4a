"""Run-together and OCR text: the tokenizer's recut of glued fields (nlp/documents/table/glued.py, ocr.py)."""

from __future__ import annotations

from nlp.documents.table.reader import read_table
from nlp.documents.table.tokens import tokenize

SELFEVAL = "一级指标二级指标三级指标分值年度指标值全年实际值得分\n"


def _texts(text: str) -> list[str]:
    return [c.text for c in tokenize(text).cells]


def test_a_weight_glued_before_a_target_the_row_states_again_is_cut_off() -> None:
    cells = _texts(SELFEVAL + "产出指标(60分)数量指标培训人数102370人2370人10\n")
    assert cells[-5:] == ["培训人数", "10", "2370人", "2370人", "10"]
    assert "产出指标(60分)" in cells  # the level's (60分) is not cut into `(` `60` `分)`


def test_a_glued_number_is_left_whole_when_the_row_does_not_settle_it() -> None:
    cells = _texts(SELFEVAL + "产出指标数量指标培训人数415万元16万元4\n")
    assert "415万元" in cells  # 4 + 15万元 or 41 + 5万元: not guessed


def test_a_doubled_cell_is_the_target_and_the_actual() -> None:
    cells = _texts(SELFEVAL + "效益指标社会效益指标群众生活条件改善状况10显著提升显著提升10\n")
    assert cells[-4:] == ["10", "显著提升", "显著提升", "10"]


def test_ocr_slips_are_read_on_the_matching_text_and_kept_raw() -> None:
    row = "成本指标经济成本指标资金使用效率二100百分比质量指标合格率100%100%IO\n"
    tokens = tokenize("一级指标二级指标三级指标指标值\n" + row)
    by_raw = {c.raw: c.text for c in tokens.cells}
    assert by_raw["二100百分比"] == "=100百分比"
    assert "资金使用效率" in by_raw
    assert by_raw["IO"] == "10"
    latin = " ".join(_texts("一级指标二级指标三级指标指标值\n质量指标通过ISO9001认证\n"))
    assert "ISO" in latin and "IS0" not in latin  # a slip touching a Latin letter is left alone


def test_a_unit_apart_from_its_number_and_glued_to_the_next_name_goes_back() -> None:
    text = "指标  指标内容  指标值\n产出指标  报告次数  2 次会商次数  4 次培训人次 200 人次\n"
    cells = _texts(text)
    # the last unit stands alone (a unit column): it stays
    assert cells[-7:] == ["报告次数", "2次", "会商次数", "4次", "培训人次", "200", "人次"]


def test_a_unit_is_not_taken_from_the_word_it_begins() -> None:
    cells = _texts(SELFEVAL + "项目管理(20分)3项目立项规范性2合规合规2\n")
    assert "项目立项规范性" in cells


def test_a_title_glued_to_the_level_after_it_is_cut() -> None:
    cells = _texts("指标  指标内容  指标值产出指标  报告次数  2次\n")
    assert cells[:4] == ["指标", "指标内容", "指标值", "产出指标"]


def test_a_dash_glued_to_the_actual_is_the_empty_target() -> None:
    row = "项目决策(10分)目标完整性4一目标明确、内容细化4立项规范性2-按规定程序申请2\n"
    tokens = tokenize(SELFEVAL + row)
    cells = [(c.text, c.raw) for c in tokens.cells]
    at = cells.index(("—", "一"))  # the slip read as a dash on the matching text, raw kept
    actual = "目标明确、内容细化"
    assert cells[at - 1 : at + 3] == [("4", "4"), ("—", "一"), (actual, actual), ("4", "4")]
    assert ("-", "-") in cells and ("按规定程序申请", "按规定程序申请") in cells


def test_a_level_and_a_name_starting_with_the_same_words_are_cut_apart() -> None:
    cells = _texts(SELFEVAL + "项目管理(20分)财务管理财务管理制度健全性5健全健全5\n")
    assert cells[-6:-4] == ["财务管理", "财务管理制度健全性"]


def test_the_unit_of_a_name_before_a_target_with_its_operator_stands_apart() -> None:
    cells = _texts("一级指标二级指标三级指标指标值\n产出指标时效指标工作完成及时率%=99百分比\n")
    assert cells[-3:] == ["工作完成及时率", "%", "=99百分比"]


def test_the_shipped_reader_reads_the_recut_cells() -> None:
    rows = "产出指标数量指标免费开放天数=300天成本指标经济成本指标资金使用效率二100百分比\n"
    doc = read_table("t.txt", "一级指标二级指标三级指标指标值\n" + rows)
    assert doc is not None
    got = [(i.name, i.annual_value) for p in doc.projects for i in p.indicators]
    assert got == [("免费开放天数", "=300天"), ("资金使用效率", "二100百分比")]  # the slip read, raw kept


def test_a_one_word_target_glued_to_a_name_between_levels_is_cut_off() -> None:
    head = "一级指标二级指标三级指标指标值\n"
    cells = _texts(head + "成本指标生态环境成本指标提升博物馆绿化水平提升效益指标经济效益指标\n")
    assert cells[-4:-1] == ["提升博物馆绿化水平", "提升", "效益指标"]
    followed = _texts(head + "效益指标社会效益指标群众生活水平提升≥90%\n")
    assert "提升" not in followed  # the row states a target of its own: the name keeps its words
    inside = _texts(head + "效益指标社会效益指标群众提升满意度\n满意度指标\n")
    assert "提升" not in inside  # not at the end of the name


def test_a_slip_in_a_word_is_read_only_where_the_cell_then_is_a_known_title_or_level() -> None:
    tokens = tokenize("一级指标二级指标三级指标指标值\n顼目产出(30分)数量指标顼目数≥2个\n")
    by_raw = {c.raw: c.text for c in tokens.cells}
    assert by_raw["顼目产出(30分)"] == "项目产出(30分)"  # a level name once read
    assert "顼目数" in by_raw.values()  # a name: no known word once read, left as written
