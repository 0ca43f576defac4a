"""tables.xlsx for reviewers (`jixiao normalize --xlsx`): the four tables as sheets, header row frozen,
autofilter, column widths that fit Chinese text, the `flags` cell of flagged rows highlighted."""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path

import pandas as pd

_MAX_WIDTH = 60  # characters: longer text wraps in the cell instead of widening the column
_SAMPLE = 2000  # rows looked at to size a column
_HIGHLIGHT = "#FFEB9C"  # Excel's "neutral" yellow


def text_width(text: str) -> int:
    """Display width: wide (CJK) characters count 2, others 1.

    >>> text_width("年度指标值"), text_width("95%")
    (10, 3)
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def write_xlsx(tables: dict[str, pd.DataFrame], path: str | Path) -> Path:
    """Write each table as a sheet of `path`; returns the path."""
    import xlsxwriter

    path = Path(path)
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    book = xlsxwriter.Workbook(str(path), options)
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    flagged = book.add_format({"bg_color": _HIGHLIGHT})
    for name, frame in tables.items():
        sheet = book.add_worksheet(name[:31])
        columns = [str(c) for c in frame.columns]
        flags = columns.index("flags") if "flags" in columns else None
        for k, title in enumerate(columns):
            sample = frame.iloc[:_SAMPLE, k].map(lambda v: "" if _cell(v) is None else str(v))
            width = max([text_width(title), *(text_width(v) for v in sample)], default=8)
            sheet.set_column(k, k, min(_MAX_WIDTH, width + 2))
        sheet.write_row(0, 0, columns, header)
        for r, row in enumerate(frame.itertuples(index=False, name=None), start=1):
            for k, value in enumerate(row):
                value = _cell(value)
                if value is None:
                    continue
                highlight = flagged if k == flags and str(value) else None
                sheet.write(r, k, value, highlight)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(frame), 1), max(len(columns) - 1, 0))
    book.close()
    return path
