"""Web pages (.html .htm) → grids with lxml: every innermost <table> with rowspan/colspan, the text
blocks outside tables as one-cell rows; scripts, styles, navigation, headers and footers ignored."""

from __future__ import annotations

import re
from pathlib import Path

from nlp.documents.formats.errors import FormatError
from nlp.documents.grid.model import Grid, GridCell, Source

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w]+)""", re.I)
_CHROME = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe")
_BLOCKS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article", "pre")
_INNER_BLOCK = "|".join(f".//{tag}" for tag in (*_BLOCKS, "table"))  # a leaf block holds none of these
_MAX_COLSPAN = 100  # HTML's own limit is 1000; no budget table is wider than this
_GBK = {"gb2312", "gbk", "gb_2312-80", "x-gbk"}  # mainland pages: read as the superset GB18030


def _text_of(data: bytes) -> str:
    """Decode with the declared charset (meta), else sniffed like a text file."""
    from nlp.documents import decode

    declared = _CHARSET.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii").lower()
        name = "gb18030" if name in _GBK else name
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
    text, _ = decode(data)
    if text is None:
        raise FormatError("binary file, not a web page")
    return text


def _int(value: str | None, most: int) -> int:
    """A span attribute: 1 when missing or not a number, at most `most` (as browsers clip them)."""
    try:
        return max(1, min(int(value or 1), most))
    except ValueError:
        return 1


def _table_grid(table, name: str) -> Grid:
    """Place each cell at the first free column of its row, skipping slots taken by rowspans above."""
    grid = Grid(sheet=name)
    taken: set[tuple[int, int]] = set()
    rows = [tr for tr in table.iter("tr") if tr.getparent() is not None]
    for r, tr in enumerate(rows):
        col = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag.lower() not in ("td", "th"):
                continue
            while (r, col) in taken:
                col += 1
            rowspan, colspan = _int(td.get("rowspan"), len(rows) - r), _int(td.get("colspan"), _MAX_COLSPAN)
            for rr in range(r, r + rowspan):
                for cc in range(col, col + colspan):
                    taken.add((rr, cc))
            text = "\n".join(s.strip() for s in td.itertext() if s.strip())
            grid.cells.append(GridCell(text, r, col, rowspan, colspan))
            col += colspan
    return grid


def read_html(path: str) -> Source:
    """Innermost tables and the text around them, in page order."""
    import lxml.html
    from lxml import etree

    text = _text_of(Path(path).read_bytes())
    try:
        root = lxml.html.document_fromstring(
            text.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8")
        )
    except (etree.ParserError, ValueError) as err:
        raise FormatError(f"not a readable web page: {err}") from err
    for bad in root.xpath("|".join(f"//{tag}" for tag in _CHROME)):
        bad.drop_tree()
    source = Source(path=path, fmt="html")
    lines = Grid(sheet="text")
    n_tables = 0
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        inside = bool(element.xpath("ancestor::table[not(.//table)]"))  # inside a data table
        if tag == "table" and not element.xpath(".//table"):
            n_tables += 1
            if lines.cells:
                source.grids.append(lines)
                lines = Grid(sheet="text")
            source.grids.append(_table_grid(element, f"table{n_tables}"))
        elif tag in _BLOCKS and not inside and not element.xpath(_INNER_BLOCK):
            own = " ".join(s.strip() for s in element.itertext() if s.strip())
            if own:
                lines.cells.append(GridCell(own, len(lines.cells), 0))
    if lines.cells:
        source.grids.append(lines)
    return source
