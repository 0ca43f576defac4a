"""Workbooks (.xlsx .xlsm .xls .ods) → grids: values by python-calamine (cached formula results,
merged ranges, hidden sheets); percent formats of .xlsx/.xlsm by openpyxl (read-only, nothing executed)
of .xls by xlrd; the text .ods number cells show, by odfpy."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

from nlp.documents.formats.errors import FormatError
from nlp.documents.grid.model import Grid, GridCell, Source

_OLE = b"\xd0\xcf\x11\xe0"  # an encrypted .xlsx is an OLE container, not a zip
_PERCENT = re.compile(r'%(?=(?:[^"]*"[^"]*")*[^"]*$)')  # a % outside quoted literals
_LITERAL_PERCENT = re.compile(r'"%"|\\%')
_DECIMALS = re.compile(r"0\.(0+)")
_OPENXML = (".xlsx", ".xlsm")
_REPEAT_MAX = 10_000  # .ods: a cell repeated more often than this is read by value, not by its text
_MAX_CELLS = 20_000_000  # a sheet larger than this is reported, not read (100,000 rows × 200 columns)


def _percent_styles(path: str) -> bool:
    """Does any cell style of the workbook use a percent format? (Else no cell needs reading.)

    openpyxl's own stylesheet reader on the styles part, without building a workbook.
    """
    from openpyxl.styles.numbers import BUILTIN_FORMATS
    from openpyxl.styles.stylesheet import Stylesheet
    from openpyxl.xml.constants import ARC_STYLE
    from openpyxl.xml.functions import fromstring

    with zipfile.ZipFile(path) as archive:
        if ARC_STYLE not in archive.namelist():
            return False
        stylesheet = Stylesheet.from_tree(fromstring(archive.read(ARC_STYLE)))
    custom = list(stylesheet.number_formats)  # formats 164 onwards, as openpyxl numbers them
    for style in stylesheet.cell_styles:
        fmt = BUILTIN_FORMATS.get(style.numFmtId) or (
            custom[style.numFmtId - 164] if 0 <= style.numFmtId - 164 < len(custom) else ""
        )
        if "%" in fmt:
            return True
    return False


def _number_formats(path: str, sheets: set[str]) -> dict[str, dict[tuple[int, int], str]]:
    """Percent number format of each numeric cell that has one, by sheet (0-based row, col).

    openpyxl in read-only mode: formulas are not evaluated, macros and external links not loaded.
    The cells are only read when some cell style of the workbook is a percent format.
    """
    import openpyxl

    out: dict[str, dict[tuple[int, int], str]] = {}
    if not _percent_styles(path):
        return out
    book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False, keep_vba=False)
    try:
        for ws in book.worksheets:
            if ws.title not in sheets:
                continue
            found = out.setdefault(ws.title, {})
            ws.reset_dimensions()  # do not scan the sheet for its size first
            for row in ws.iter_rows():
                for cell in row:
                    fmt = getattr(cell, "number_format", None) or ""
                    if "%" in fmt and isinstance(cell.value, int | float):
                        found[(cell.row - 1, cell.column - 1)] = fmt
    finally:
        book.close()
    return out


def _xls_number_formats(path: str, sheets: set[str]) -> dict[str, dict[tuple[int, int], str]]:
    """Percent number format of each numeric cell of an .xls (xlrd reads the BIFF formats)."""
    import xlrd

    out: dict[str, dict[tuple[int, int], str]] = {}
    book = xlrd.open_workbook(path, formatting_info=True, on_demand=True)
    try:
        percent = {
            k: book.format_map[xf.format_key].format_str
            for k, xf in enumerate(book.xf_list)
            if xf.format_key in book.format_map and "%" in book.format_map[xf.format_key].format_str
        }
        if not percent:
            return out
        for name in sheets:
            sheet = book.sheet_by_name(name)
            found = out.setdefault(name, {})
            for r in range(sheet.nrows):
                for c, kind in enumerate(sheet.row_types(r)):
                    if kind == xlrd.XL_CELL_NUMBER and sheet.cell_xf_index(r, c) in percent:
                        found[(r, c)] = percent[sheet.cell_xf_index(r, c)]
    finally:
        book.release_resources()
    return out


def _ods_shown(path: str, sheets: set[str]) -> dict[str, dict[tuple[int, int], str]]:
    """The text each number cell of an .ods shows (odfpy): the file keeps it next to the value."""
    from odf.opendocument import load
    from odf.table import Table, TableRow

    out: dict[str, dict[tuple[int, int], str]] = {}
    for table in load(path).spreadsheet.getElementsByType(Table):
        name = str(table.getAttribute("name"))
        if name not in sheets:
            continue
        found = out.setdefault(name, {})
        r = 0
        for row in table.getElementsByType(TableRow):
            rows = int(row.getAttribute("numberrowsrepeated") or 1)
            c = 0
            for cell in row.childNodes:
                if cell.qname[1] not in ("table-cell", "covered-table-cell"):
                    continue
                cols = int(cell.getAttribute("numbercolumnsrepeated") or 1)
                kind = cell.getAttribute("valuetype") if cell.qname[1] == "table-cell" else None
                text = str(cell).strip()
                if kind in ("float", "percentage", "currency") and text and rows * cols <= _REPEAT_MAX:
                    found.update({(r + i, c + j): text for i in range(rows) for j in range(cols)})
                c += cols
            r += rows
    return out


def _plain(number: float) -> str:
    text = f"{number:.10g}"
    return text if "e" not in text else f"{number:f}".rstrip("0").rstrip(".")


def display(value: object, fmt: str = "") -> str:
    """A cell value as the sheet shows it: percent formats (0.95 → 95%, 95 with `0"%"` → 95%),
    dates as the date, whole numbers without `.0`.

    >>> display(0.95, "0%"), display(95.0, '0"%"'), display(dt.datetime(2024, 3, 1)), display(3.0)
    ('95%', '95%', '2024-03-01', '3')
    """
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, int | float):
        if fmt and _LITERAL_PERCENT.search(fmt):
            return f"{_plain(value)}%"
        if fmt and _PERCENT.search(fmt):
            places = _DECIMALS.search(fmt)
            shown = round(value * 100, len(places.group(1)) if places else 0)
            return f"{shown:.{len(places.group(1))}f}%" if places else f"{_plain(shown)}%"
        return _plain(float(value))
    return "" if value is None else str(value)


def _fail(path: str, err: Exception) -> FormatError:
    head = Path(path).read_bytes()[:4] if Path(path).is_file() else b""
    if Path(path).suffix.lower() in _OPENXML and head == _OLE:
        return FormatError("password-protected (encrypted) workbook: save it without a password first")
    message = str(err).splitlines()[0] if str(err) else type(err).__name__
    if "password" in message.lower() or "encrypt" in message.lower():
        return FormatError("password-protected workbook: save it without a password first")
    return FormatError(f"not a readable workbook (corrupt or not {Path(path).suffix}): {message[:120]}")


def _sprawling(path: str) -> set[str]:
    """Sheets of an .xlsx/.xlsm whose used range (its <dimension>) exceeds _MAX_CELLS, by name.

    calamine holds a sheet as a dense range, so a stray value in the last cell (XFD1048576) would
    ask for billions of cells; the ranges are looked up first: each sheet part's <dimension> element
    (lxml, reading stops at the cells), and only when one is too large, the sheet names through
    openpyxl (read-only).
    """
    from lxml import etree
    from openpyxl.utils.cell import range_boundaries

    def too_big(ref: str | None) -> bool:
        if not ref or ":" not in ref:
            return False
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        return (max_col - min_col + 1) * (max_row - min_row + 1) > _MAX_CELLS

    found = False
    with zipfile.ZipFile(path) as archive:
        for part in archive.namelist():
            if not (part.startswith("xl/worksheets/") and part.endswith(".xml")):
                continue
            with archive.open(part) as stream:
                for _, element in etree.iterparse(stream, events=("start",)):
                    tag = etree.QName(element).localname
                    if tag == "dimension":
                        found = found or too_big(element.get("ref"))
                    if tag in ("dimension", "sheetData"):
                        break
    if not found:
        return set()
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, keep_links=False, keep_vba=False)
    try:
        return {ws.title for ws in book.worksheets if too_big(ws.calculate_dimension())}
    finally:
        book.close()


def read_workbook(path: str) -> Source:
    """Every visible sheet as a grid; hidden sheets are named in the notes and skipped."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    source = Source(path=path, fmt=Path(path).suffix.lower().lstrip("."))
    try:
        book = CalamineWorkbook.from_path(path)
        metas = list(book.sheets_metadata)
    except Exception as err:  # calamine raises its own error types (zip, xls, ods, password)
        raise _fail(path, err) from err
    visible = []
    for meta in metas:
        if meta.visible != SheetVisibleEnum.Visible:
            source.notes.append(f"hidden sheet {meta.name!r} skipped")
        elif meta.typ != SheetTypeEnum.WorkSheet:
            source.notes.append(f"sheet {meta.name!r} is not a worksheet ({meta.typ}), skipped")
        else:
            visible.append(meta.name)
    formats: dict[str, dict[tuple[int, int], str]] = {}
    shown: dict[str, dict[tuple[int, int], str]] = {}
    try:
        sprawling = _sprawling(path) if source.fmt in ("xlsx", "xlsm") else set()
    except Exception as err:  # zip/XML errors of a damaged file
        raise _fail(path, err) from err
    try:
        if source.fmt in ("xlsx", "xlsm"):
            formats = _number_formats(path, set(visible) - sprawling)
        elif source.fmt == "xls":
            formats = _xls_number_formats(path, set(visible))
        elif source.fmt == "ods":
            shown = _ods_shown(path, set(visible))
    except Exception as err:  # the values are still there: read them without their formats
        source.notes.append(f"number formats not read ({type(err).__name__}): numbers shown as stored")
    for name in visible:
        try:
            if name in sprawling:
                source.notes.append(f"sheet {name!r} spans more than {_MAX_CELLS:,} cells: not read")
                continue
            sheet = book.get_sheet_by_name(name)
            if sheet.height * sheet.width > _MAX_CELLS:  # .xls/.ods: known once loaded
                source.notes.append(
                    f"sheet {name!r} spans {sheet.height:,} rows × {sheet.width:,} columns, "
                    f"more than {_MAX_CELLS:,} cells: not read"
                )
                continue
            rows = sheet.to_python(skip_empty_area=True)  # from the first cell that holds a value
            merged = sheet.merged_cell_ranges or []
        except Exception as err:
            raise _fail(path, err) from err
        if not any(any(v not in ("", None) for v in row) for row in rows):
            source.notes.append(f"sheet {name!r} is empty")
            continue
        grid = _grid(name, rows, sheet.start or (0, 0), merged, formats.get(name, {}), shown.get(name, {}))
        source.grids.append(grid)
    book.close()
    return source


def _grid(
    name: str,
    rows: list[list],
    start: tuple[int, int],
    merged: list,
    formats: dict[tuple[int, int], str],
    shown: dict[tuple[int, int], str],
) -> Grid:
    """The cells of a sheet at their places in the sheet (`rows` begin at `start`); a number is
    written as its `shown` text where the file keeps one (.ods), else by its format."""
    spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for (r0, c0), (r1, c1) in merged}
    covered = {
        (r, c)
        for (r0, c0), (r1, c1) in merged
        for r in range(r0, r1 + 1)
        for c in range(c0, c1 + 1)
        if (r, c) != (r0, c0)
    }
    grid = Grid(sheet=name)
    cells = grid.cells
    for r, row in enumerate(rows, start=start[0]):
        for c, value in enumerate(row, start=start[1]):
            if value == "" or value is None:
                continue
            if type(value) is not str:
                value = shown.get((r, c)) or display(value, formats.get((r, c), "") if formats else "")
            if (r, c) not in covered:  # a merged range's value sits in its top-left cell
                cells.append(GridCell(value, r, c, *spans.get((r, c), (1, 1))))
    return grid
