"""The prose reader: a Document from indicators written as text, not as a table of cells.

Bracketed headings (`【产出指标-数量指标】` then `指标1:name(value)`) are read first, else sentences
under level headings (nlp/documents/prose.py). Each row keeps its levels as written, its target, its
actual (in a self-evaluation report a bracketed value, or a value without a target word, is what was
done), and its raw text; a row the reader cannot name is kept with the flag `unparsed`. The project is
the one named above the rows (`【项目概况】` blocks). `nlp.documents.table.reader.read_table` tries this
reader beside the learned table reading and keeps the more confident of the two.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from nlp.documents.cells import row_indicator, split_body
from nlp.documents.common import Parts, document_of_rows, stated_year
from nlp.documents.prose import ProseRow, bracketed_rows, is_selfeval, prose_rows
from nlp.levels import canonical_level1, canonical_level2
from nlp.schema import Document, Indicator
from nlp.textnorm import fold_text


def _indicator(doc: str, project_id: str, seq: int, row: ProseRow, last: bool) -> Indicator:
    fields = {k: v for k, v in (("value", row.value), ("actual", row.actual)) if v}
    codes = (canonical_level1(row.level1) or "", canonical_level2(row.level2) or "")
    return row_indicator(
        fields,
        doc=doc,
        project_id=project_id,
        seq=seq,
        name=row.name,
        levels=(*codes, row.level1, row.level2),
        raws=[row.raw],
        line=row.line,
        cut=last,  # the text ends after the last row: a row there without a value may be cut
        extra=row.unparsed,
    )


def read_prose(path: str, text: str) -> Document | None:
    """The indicators written as text in `text`; None when it holds none."""
    body = split_body(text)
    rows = list(bracketed_rows(body))
    layout = "prose:bracketed"
    if rows and is_selfeval(body):  # a self-evaluation's bracketed value is what was done
        rows = [replace(r, value="", actual=r.value) for r in rows]
    if not rows:
        rows, layout = list(prose_rows(body)), "prose"
    if not rows:
        return None
    year = stated_year(fold_text("\n".join(body.lines)))
    document = Document(
        path=path,
        doc=Path(path).stem,
        layout=layout,
        year=year,
        source=body.source,
    )
    return document_of_rows(
        path,
        document,
        Parts(),
        rows,
        lambda n, row, pid, seq: _indicator(document.doc, pid, seq, row, n == len(rows) - 1),
    )
