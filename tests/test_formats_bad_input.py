"""Bad structured files: one error line naming the file each, the other files still read, counts in
report.json; nothing in a workbook is executed or followed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fixtures.render_formats import render
from test_formats import _spec
from typer.testing import CliRunner

from nlp.cli import app
from nlp.documents import read_document

REALDATA = Path(__file__).resolve().parents[1] / "examples" / "realdata"


def _locked_xlsx(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = render(_spec(doc="plain"), "xlsx", tmp_path / "plain")
    path = tmp_path / "locked.xlsx"
    with plain.open("rb") as src, path.open("wb") as dst:
        OOXMLFile(src).encrypt("secret", dst)
    return path


def _locked_pdf(tmp_path):
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    path = tmp_path / "locked.pdf"
    page = canvas.Canvas(str(path), encrypt=pdfencrypt.StandardEncryption("secret"))
    page.drawString(100, 100, "2024")
    page.save()
    return path


def _scan_pdf(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    page = canvas.Canvas(str(path))
    page.rect(50, 50, 400, 600, fill=1)  # a page with a picture and no text, like a scan
    page.save()
    return path


def _empty_xlsx(tmp_path):
    import openpyxl

    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    return path


def _corrupt(suffix):
    def make(tmp_path):
        path = tmp_path / f"corrupt{suffix}"
        path.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 20)
        return path

    return make


def _sprawling_xlsx(tmp_path):
    import openpyxl

    path = tmp_path / "sprawling.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"], book.active["XFD1048576"] = "项目名称", "x"  # a stray value in the last cell
    book.save(path)
    return path


BAD = {  # maker, what the one error line says
    "password workbook": (_locked_xlsx, "password-protected (encrypted) workbook"),
    "password pdf": (_locked_pdf, "password-protected PDF"),
    "corrupt xlsx": (_corrupt(".xlsx"), "not a readable workbook (corrupt"),
    "corrupt docx": (_corrupt(".docx"), "not a readable .docx (corrupt zip"),
    "corrupt ods": (_corrupt(".ods"), "not a readable workbook (corrupt"),
    "image-only pdf": (_scan_pdf, "no_text_layer: the PDF has no text layer (a scan?); it needs OCR first"),
    "empty sheet": (_empty_xlsx, "empty: no cell in any visible sheet"),
    "a stray value in XFD1048576": (_sprawling_xlsx, "sheet 'Sheet' spans more than 20,000,000 cells"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_file_is_one_error_line(case, tmp_path):
    make, what = BAD[case]
    path = make(tmp_path)
    document = read_document(path)
    errors = [p for p in document.problems if p.severity == "error"]
    assert document.layout == "unknown" and not document.projects
    assert len(errors) == 1 and errors[0].file == str(path) and what in errors[0].what
    assert "\n" not in str(errors[0])


@pytest.mark.parametrize("workers", ["1", "2"], ids=["one-process", "chunks"])
def test_a_mixed_folder_reads_every_good_file_and_counts_the_bad(tmp_path, workers):
    """`jixiao normalize --xlsx` on every format at once, two files bad (one process, and in chunks)."""
    folder = tmp_path / "in"
    for fmt in ("xlsx", "xls", "ods", "docx", "html", "pdf"):
        render(_spec(doc=f"good_{fmt}"), fmt, folder)
    shutil.copy(_locked_xlsx(tmp_path), folder / "locked.xlsx")
    shutil.copy(_scan_pdf(tmp_path), folder / "scan.pdf")
    shutil.copy(REALDATA / "45_tianjin-hebei-fayuan-2023-xiangmu-mubiao.txt", folder / "good_text.txt")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["normalize", str(folder), "--out", str(out), "-q", "--no-link", "--xlsx", "--workers", workers]
    )
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2 and any("locked.xlsx: password" in e for e in errors)
    assert any("scan.pdf: no_text_layer" in e for e in errors)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["documents"] == {"given": 9, "read": 7, "failed": 2}
    assert report["formats"][".xlsx"] == {"given": 2, "read": 1, "failed": 1}
    assert report["formats"][".pdf"] == {"given": 2, "read": 1, "failed": 1}
    assert report["indicators"]["written"] == 6 * 4 + 11  # 4 rows in each rendering, 11 in the text
    book = openpyxl.load_workbook(out / "tables.xlsx")  # --xlsx: the four tables as sheets
    assert book.sheetnames == ["projects", "indicators", "quality", "links"]
    indicators = pd.read_csv(out / "indicators.csv", encoding="utf-8-sig", keep_default_na=False)
    sheet = book["indicators"]
    assert [c.value for c in sheet[1]] == list(indicators.columns) and sheet.max_row == len(indicators) + 1
    names = [row[indicators.columns.get_loc("name")].value for row in sheet.iter_rows(min_row=2)]
    assert names == list(indicators["name"])
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    cells = set(indicators["cell"])
    assert "good_xlsx" in set(indicators["doc"]) and "绩效目标表!C8" in cells and "" in cells  # text: no cell


def test_formulas_give_their_cached_value_and_external_links_are_not_followed(tmp_path):
    """A workbook whose cells are formulas: the values saved with it are read, nothing is computed."""
    import xlsxwriter

    path = tmp_path / "formulas.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("表1")
    sheet.write_row(0, 0, ["项目名称", "公式项目"])
    sheet.write_row(1, 0, ["一级指标", "二级指标", "三级指标", "年度指标值", "分值"])
    sheet.write_row(2, 0, ["产出指标", "数量指标", "培训人次"])
    sheet.write_formula(2, 3, '="≥"&300&"人次"', None, "≥300人次")
    sheet.write_formula(2, 4, "=[other.xlsx]Sheet1!A1", None, 20)  # an external link: its cached value
    book.close()
    (ind,) = read_document(path).projects[0].indicators
    assert (ind.annual_value, ind.weight) == ("≥300人次", 20.0)


def test_without_the_formats_extra_a_workbook_is_one_error_line(tmp_path, monkeypatch):
    """`pip install jixiao` without [formats]: the library is missing, the line says what to install."""
    import nlp.documents.formats as formats

    def missing(path):
        raise ModuleNotFoundError("No module named 'python_calamine'", name="python_calamine")

    monkeypatch.setattr(formats, "_adapter", lambda suffix: missing)
    path = render(_spec(), "xlsx", tmp_path)
    (error,) = read_document(path).problems
    assert error.severity == "error"
    install = "pip install 'jixiao[formats]'"
    assert error.what == f"needs the optional formats libraries: {install} (python_calamine)"
