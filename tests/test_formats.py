"""Workbooks, Word, web pages and PDF through the grid reader: every seed and realdata table rendered
into each format (tests/fixtures/render_formats.py) reads back as the rows the text reader found."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from fixtures.render_formats import (
    FORMATS,
    ProjectSpec,
    TableSpec,
    expected_for,
    expected_rows,
    render,
    source_tables,
)

from nlp.documents import iter_documents, read_document
from nlp.schema import Document

SOURCES = source_tables()
REALDATA = Path(__file__).resolve().parents[1] / "examples" / "realdata"
SEEDS = Path(__file__).resolve().parents[1] / "examples" / "documents"


def rows_of(document: Document) -> list[tuple]:
    """The same fields as fixtures.render_formats.expected_rows."""
    return [
        (
            p.project,
            i.name,
            i.level1,
            i.level2,
            i.period_value,
            i.annual_value,
            i.actual_value,
            i.weight,
            i.score,
            i.op,
            i.unit,
            i.direction,
        )
        for p in document.projects
        for i in p.indicators
    ]


def test_every_seed_and_realdata_table_is_rendered():
    docs = {spec.doc for spec, _ in SOURCES}
    assert {p.stem for p in SEEDS.glob("*.txt")} <= docs  # all five seeds
    assert "45_tianjin-hebei-fayuan-2023-xiangmu-mubiao" in docs
    assert len(docs) == 52  # the 5 seeds, realdata 02-51 (the text reader's rows), 101-131 (hand labels)
    assert sum(len(rows) for _, rows in SOURCES) >= 550  # every named row the text reader reads (561)


@pytest.mark.parametrize("fmt", FORMATS)
def test_renderings_read_back_as_the_text_rows(fmt, tmp_path):
    """Each format, every table: same projects, names, levels, values, 分值 and 得分 as the text reader."""
    wrong = []
    for spec, expected in SOURCES:
        document = read_document(render(spec, fmt, tmp_path))
        assert document.layout == f"grid:{fmt}", (spec.doc, document.problems)
        if rows_of(document) != expected_for(fmt, expected):
            wrong.append(spec.doc)
    assert wrong == []


def _rows(n: int = 3) -> list[dict]:
    rows = [
        {"level1": "产出指标", "level2": "数量指标", "name": "培训人次", "value": "≥300人次", "weight": 20.0},
        {"level1": "产出指标", "level2": "质量指标", "name": "培训合格率", "value": "≥95%", "weight": 20.0},
        {
            "level1": "效益指标",
            "level2": "社会效益",
            "name": "群众知晓率提高",
            "value": "有效提高",
            "weight": 30.0,
        },
        {
            "level1": "满意度指标",
            "level2": "服务对象满意度",
            "name": "学员满意度",
            "value": "≥90%",
            "weight": 30.0,
        },
    ]
    return rows[:n]


def _spec(**kw) -> TableSpec:
    base = {
        "doc": "hand",
        "title": "项目支出绩效目标表",
        "columns": ["level1", "level2", "name", "value", "weight"],
        "projects": [
            ProjectSpec(
                "职业技能培训",
                "某区人力资源和社会保障局",
                "某区职业培训中心",
                50.0,
                50.0,
                "培训300人次",
                _rows(4),
            )
        ],
        "lines": ["(2024年)"],
    }
    return TableSpec(**{**base, **kw})


HAND = {
    "two_row_header": _spec(
        two_row_header=True, columns=["level1", "level2", "name", "value", "actual", "weight"]
    ),
    "starts_at_column_c_with_spacer": _spec(
        start_col=2, columns=["level1", "level2", "spacer", "name", "value", "weight"]
    ),
    "two_projects": _spec(
        projects=[
            ProjectSpec("职业技能培训", rows=_rows(2)),
            ProjectSpec("就业见习补贴", "某区人力资源和社会保障局", rows=_rows(4)[1:]),
        ]
    ),
    "cover_first": _spec(cover="2024年部门预算项目绩效目标申报材料 封面"),
    "project_column": _spec(
        columns=["project", "level1", "level2", "name", "value", "weight"],
        projects=[ProjectSpec("职业技能培训", rows=_rows(2)), ProjectSpec("就业见习补贴", rows=_rows(4)[1:])],
    ),
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", sorted(HAND))
def test_hand_shaped_tables(case, fmt, tmp_path):
    spec = HAND[case]
    document = read_document(render(spec, fmt, tmp_path))
    assert rows_of(document) == expected_rows(spec)
    assert [p.project for p in document.projects] == [p.name for p in spec.projects]
    assert document.year == 2024


def test_project_info_block_is_read(tmp_path):
    document = read_document(render(_spec(), "xlsx", tmp_path))
    (project,) = document.projects
    assert (project.department, project.unit, project.total, project.fiscal, project.goal) == (
        "某区人力资源和社会保障局",
        "某区职业培训中心",
        50.0,
        50.0,
        "培训300人次",
    )
    assert project.district == "" and project.sheet == "绩效目标表" and project.cell == "绩效目标表!A3"


def test_amounts_under_their_labels(tmp_path):
    """A row of labels with the amounts in the row below (资金 blocks of 目标申报表)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in (
        ["项目名称", "社区养老服务补贴"],
        ["主管部门", "", "实施单位", "某街道办事处"],
        ["项目资金(万元)", "年度资金总额", "其中:财政拨款", "其他资金"],
        ["", 120.5, 100, 20.5],
        ["一级指标", "二级指标", "三级指标", "年度指标值"],
        ["产出指标", "数量指标", "服务老人人数", "≥500人"],
    ):
        sheet.append(row)
    book.save(tmp_path / "funds.xlsx")
    (project,) = read_document(tmp_path / "funds.xlsx").projects
    assert (project.total, project.fiscal, project.other) == (120.5, 100.0, 20.5)
    assert (project.department, project.unit) == ("", "某街道办事处")


def test_the_total_score_row_of_a_self_evaluation(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    for row in (
        ["项目名称", "农村公路养护"],
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
        ["产出指标", "数量指标", "养护里程", "≥120公里", "126公里", 50, 50],
        ["满意度指标", "服务对象满意度", "群众满意度", "≥90%", "88%", 50, 45],
        ["总分", "", "", "", "", 100, 95],
        ["评价结论", "良"],
    ):
        book.active.append(row)
    book.save(tmp_path / "selfeval.xlsx")
    (project,) = read_document(tmp_path / "selfeval.xlsx").projects
    assert project.total_score == 95.0 and len(project.indicators) == 2
    assert [(i.actual_value, i.score) for i in project.indicators] == [("126公里", 50.0), ("88%", 45.0)]


def test_provenance_names_sheet_and_cell(tmp_path):
    xlsx = read_document(render(_spec(start_col=2), "xlsx", tmp_path))
    first = xlsx.projects[0].indicators[0]
    assert (first.sheet, first.cell, first.line) == ("绩效目标表", "绩效目标表!E8", 8)
    pdf = read_document(render(_spec(), "pdf", tmp_path))
    first = pdf.projects[0].indicators[0]
    assert first.sheet == "page 1" and first.cell.startswith("1:")


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_numbers_are_read_as_the_sheet_shows_them(fmt, tmp_path):
    """0.95 with a percent format is 95%, 95 with a literal % is 95%, a date is the date, 3.0 is 3."""
    rows = _rows(4)
    rows[0]["value"], rows[1]["value"], rows[2]["value"] = 0.95, 0.875, dt.date(2024, 6, 30)
    spec = _spec(projects=[ProjectSpec("职业技能培训", rows=rows)], number_formats={"value": "0.0%"})
    spec.projects[0].rows[2]["value"] = dt.date(2024, 6, 30)
    got = [i.annual_value for i in read_document(render(spec, fmt, tmp_path)).projects[0].indicators]
    assert got[:3] == ["95.0%", "87.5%", "2024-06-30"]
    literal = _spec(projects=[ProjectSpec("职业技能培训", rows=[{**rows[0], "value": 95}])])
    literal.number_formats = {"value": '0"%"'}
    (ind,) = read_document(render(literal, fmt, tmp_path)).projects[0].indicators
    assert (ind.annual_value, ind.weight) == ("95%", 20.0)


def test_a_wrapped_name_in_a_pdf_cell_is_one_name(tmp_path):
    long_name = "全区城乡居民基本医疗保险参保人员年度健康体检服务覆盖率达到目标"
    rows = [{**_rows(1)[0], "name": long_name}]
    spec = _spec(
        projects=[ProjectSpec("健康体检", rows=rows)], columns=["level1", "level2", "name", "value", "weight"]
    )
    (ind,) = read_document(render(spec, "pdf", tmp_path)).projects[0].indicators
    assert ind.name == long_name


def test_hidden_and_empty_sheets_are_reported_and_skipped(tmp_path):
    import openpyxl

    path = render(_spec(), "xlsx", tmp_path)
    book = openpyxl.load_workbook(path)
    hidden = book.copy_worksheet(book["绩效目标表"])
    hidden.title = "旧版"
    hidden.sheet_state = "hidden"
    book.create_sheet("空表")
    book.save(path)
    shutil.copy(path, tmp_path / "macro.xlsm")  # the same workbook saved macro-enabled
    for document in (read_document(path), read_document(tmp_path / "macro.xlsm")):
        assert rows_of(document) == expected_rows(_spec())
        assert [p.what for p in document.problems] == ["hidden sheet '旧版' skipped", "sheet '空表' is empty"]


def test_html_in_a_declared_gbk_encoding(tmp_path):
    from fixtures.render_formats import write_html

    path = write_html(_spec(), tmp_path / "gbk.html", charset="gb2312")
    assert "培训".encode("gb18030") in path.read_bytes()
    assert rows_of(read_document(path)) == expected_rows(_spec())


def test_folders_pick_up_every_format(tmp_path):
    for fmt in FORMATS:
        render(_spec(doc=f"hand_{fmt}"), fmt, tmp_path)
    (tmp_path / "notes.json").write_text("{}")
    (tmp_path / "~$hand_xlsx.xlsx").write_bytes(b"\x00" * 165)  # Excel's lock file of an open workbook
    found = sorted(Path(p).suffix for p in iter_documents([tmp_path]))
    assert found == sorted(f".{fmt}" for fmt in FORMATS)


def test_a_pdf_table_going_on_over_pages_without_its_header(tmp_path):
    """Rows on the next page belong to the same table; the 一级 written once above goes on."""
    first = {"level1": "产出指标", "level2": "数量指标", "weight": 1.0}
    rows = [{**first, "name": f"第{k}批设备到货数量", "value": f"≥{k}台"} for k in range(70)] + _rows(4)[2:]
    spec = _spec(projects=[ProjectSpec("设备购置", rows=rows)], repeat_header=False, merge_levels=False)
    document = read_document(render(spec, "pdf", tmp_path))
    assert {i.sheet for i in document.projects[0].indicators} == {"page 1", "page 2", "page 3", "page 4"}
    assert rows_of(document) == expected_rows(spec)


def test_a_pdf_without_ruled_tables_goes_to_the_text_readers(tmp_path):
    """The page text of a PDF without rules is read like the text file it was printed from."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    source = REALDATA / "45_tianjin-hebei-fayuan-2023-xiangmu-mubiao.txt"
    lines = source.read_text(encoding="utf-8").splitlines()[3:]  # the text, without source:/note:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "plain.pdf"
    page = canvas.Canvas(str(path), pagesize=landscape(A4))
    y = landscape(A4)[1] - 30
    for line in lines:
        if y < 30:
            page.showPage()
            y = landscape(A4)[1] - 30
        page.setFont("STSong-Light", 8)
        page.drawString(20, y, line)
        y -= 11
    page.save()
    document = read_document(path)
    text = read_document(source)
    assert document.layout == f"pdf:{text.layout}"
    assert [(i.name, i.annual_value) for p in document.projects for i in p.indicators] == [
        (i.name, i.annual_value) for p in text.projects for i in p.indicators
    ]


@pytest.mark.parametrize("seed", ["001_9bd8c889aec7234b", "004_23b8967a22161806"])
def test_a_multi_project_sheet_with_indicators_as_text_goes_to_the_text_readers(seed, tmp_path):
    """The seeds' own layout (one row per project, the indicators as text in one cell) as a workbook."""
    import openpyxl

    source = SEEDS / f"{seed}.txt"
    book = openpyxl.Workbook()
    for line in source.read_text(encoding="utf-8").splitlines():
        book.active.append(line.split("\t"))
    for row in book.active.iter_rows():
        for cell in row:
            cell.data_type = "s" if isinstance(cell.value, str) else cell.data_type  # text stays text
    book.save(tmp_path / f"{seed}.xlsx")
    sheet, text = read_document(tmp_path / f"{seed}.xlsx"), read_document(source)
    assert sheet.layout == "xlsx:tabbed"
    fields = ("project", "total", "fiscal")
    assert [[getattr(p, f) for f in fields] for p in sheet.projects] == [
        [getattr(p, f) for f in fields] for p in text.projects
    ]
    assert rows_of(sheet) == rows_of(text)


def test_a_web_page_with_a_layout_table_and_odd_spans(tmp_path):
    """The data table inside a layout table; a span past the table's end is clipped, a bad one is 1."""
    page = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk"></head><body>
    <table><tr><td><div class="menu">首页 三级指标 年度指标值</div></td><td>
      <p>项目名称：社区养老服务补贴</p>
      <table border="1">
        <tr><th>一级指标</th><th>二级指标</th><th>三级指标</th><th colspan="abc">年度指标值</th></tr>
        <tr><td rowspan="999">产出指标</td><td>数量指标</td><td>服务老人人数</td><td>≥500人</td></tr>
        <tr><td>质量指标</td><td>服务合格率</td><td>≥95%</td></tr>
      </table>
    </td></tr></table></body></html>"""
    path = tmp_path / "nested.htm"
    path.write_bytes(page.encode("gbk"))
    document = read_document(path)
    assert [p.project for p in document.projects] == ["社区养老服务补贴"]
    assert rows_of(document) == [
        ("社区养老服务补贴", "服务老人人数", "1-产出指标", "11-数量指标", None, "≥500人", *[None] * 6),
        ("社区养老服务补贴", "服务合格率", "1-产出指标", "12-质量指标", None, "≥95%", *[None] * 6),
    ]
