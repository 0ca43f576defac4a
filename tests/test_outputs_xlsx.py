"""`jixiao normalize --xlsx`: tables.xlsx, four sheets, frozen header, autofilter, widths, highlights."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
from typer.testing import CliRunner

from nlp.cli import app
from nlp.outputs_xlsx import text_width, write_xlsx

REALDATA = Path(__file__).resolve().parents[1] / "examples" / "realdata"


def test_tables_xlsx_has_the_four_tables(tmp_path):
    source = REALDATA / "45_tianjin-hebei-fayuan-2023-xiangmu-mubiao.txt"
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["normalize", str(source), "--out", str(out), "-q", "--xlsx"])
    assert result.exit_code == 0, result.stderr
    book = openpyxl.load_workbook(out / "tables.xlsx")
    assert book.sheetnames == ["projects", "indicators", "quality", "links"]
    indicators = pd.read_csv(out / "indicators.csv", encoding="utf-8-sig", keep_default_na=False)
    sheet = book["indicators"]
    assert [c.value for c in sheet[1]] == list(indicators.columns)
    assert sheet.max_row == len(indicators) + 1
    names = [row[indicators.columns.get_loc("name")].value for row in sheet.iter_rows(min_row=2)]
    assert names == list(indicators["name"])
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")


def test_widths_fit_chinese_text_and_flags_are_highlighted(tmp_path):
    frame = pd.DataFrame(
        {"name": ["培训合格率", "=SUM(A1)"], "annual_value": ["≥95%", None], "flags": ["", "missing_value"]}
    )
    path = write_xlsx({"indicators": frame}, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(path)["indicators"]
    assert sheet.column_dimensions["A"].width >= text_width("培训合格率") + 2 == 12
    assert sheet["A3"].value == "=SUM(A1)" and sheet["A3"].data_type == "s"  # text stays text
    assert sheet["B3"].value is None
    assert sheet["C3"].fill.fgColor.rgb.endswith("FFEB9C") and sheet["C2"].value is None
