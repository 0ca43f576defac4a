"""tables.xlsx: widths that fit Chinese text, flagged cells highlighted, text kept as text (the
`jixiao normalize --xlsx` run itself: tests/test_formats_bad_input.py, on a mixed folder)."""

from __future__ import annotations

import openpyxl
import pandas as pd

from nlp.outputs_xlsx import text_width, write_xlsx


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
