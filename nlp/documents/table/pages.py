"""Rejoin the pages of a document-sharing site's text (淘文阁 …): each page flattened to one line."""

from __future__ import annotations

import re

from nlp.documents.cells import Body
from nlp.documents.table.runtogether import title_runs

_PAGE_MARK = re.compile(r"^\s*(\d+)、")  # page number a document-sharing site prints before a page
_PAGE_MIN = 100  # characters: a flattened page is a long line
_SPACE_IN_CJK = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")
_SECTION = re.compile(r"项目名称|专项名称")


def rejoin_pages(body: Body) -> Body:
    """The text of flattened pages rejoined and broken into lines where the template starts a section.

    Taken as such only when two or more lines start with consecutive page numbers (`N、`), all of
    them long but the last (the excerpt may end early on a page), and the text holds an
    indicator header (three column titles in a row). The page numbers are dropped and the
    pages joined (a page may end inside a word: `音响、` / `2、灯光`); spaces between Chinese
    characters are the extraction's, not cell separators (`绩 效 指 标`, `年度 指标值`,
    `分 值得 分`), and are removed; the text is then broken into lines where the template
    starts a section: before 项目名称 and before an indicator header. Each line keeps the
    number of the file line it starts on. Any other text is returned as it is.
    """
    marks = {k: m for k, ln in enumerate(body.lines) if (m := _PAGE_MARK.match(ln))}
    pages = list(marks)
    numbers = [int(m.group(1)) for m in marks.values()]
    if len(pages) < 2 or numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        return body
    if any(len(body.lines[k].strip()) < _PAGE_MIN for k in pages[:-1]):
        return body
    text = ""
    starts: list[tuple[int, int]] = []  # (offset in text, line number)
    for k in range(pages[0], len(body.lines)):
        line = body.lines[k].strip()
        line = _PAGE_MARK.sub("", line) if k in pages else line
        starts.append((len(text), body.line_no(k)))
        text += _SPACE_IN_CJK.sub("", line)
    runs = title_runs(text)
    if not runs:
        return body
    cuts = sorted({0, *(m.start() for m in _SECTION.finditer(text)), *(r[0].start() for r in runs)})
    lines = [text[a:b] for a, b in zip(cuts, [*cuts[1:], len(text)], strict=True)]
    line_of = [max(n for offset, n in starts if offset <= a) for a in cuts]
    head = list(range(pages[0]))
    return Body(
        lines=[body.lines[k] for k in head] + lines,
        first_line=body.first_line,
        source=body.source,
        note=body.note,
        numbers=tuple([body.line_no(k) for k in head] + line_of),
    )
