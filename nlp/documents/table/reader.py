"""Read a text table: the learned reader (tokenize, tag each cell with the CRF, decode the rows), and,
where the text holds no table header, the prose reader (nlp/documents/prose_reader.py); the more
confident reading is kept.

Confidence of a reading, compared in this order: rows read (a name and a target or actual) minus rows
flagged `unparsed`, rows without a name and junk rows (a name without a Chinese character, or a level
name / column title with no value: a heading); then fewer such rows; then the fields filled on the rows
read (一级, 二级, 分值, 得分, actual, stated operator, unit, direction) minus the named rows without any
value that the excerpt did not cut (a heading or a text line read as a row). So of two readings with as
many rows, the one with fewer fake rows and then the fuller one is taken. The prose reading (tried
only where the text holds no table header) is taken unless the learned one is more confident; the
choice is in the Document's layout (`table:<separator>`, `prose` or `prose:bracketed`). Nothing is
lost: text with an indicator header (a name column) that neither reader can cut into rows gives one
row with its raw text, flagged `unparsed` (layout `table:unreadable`). Leave-one-file-out figures:
`jixiao evaluate --reader` (README, "Table reader").
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from nlp.documents.cells import row_indicator
from nlp.documents.common import Parts, draft_for, row_problem
from nlp.documents.prose_reader import read_prose
from nlp.documents.table.cleanup import drop_fake_names, drop_group_headings
from nlp.documents.table.columns import column_role
from nlp.documents.table.decode import build_document
from nlp.documents.table.features import header_runs
from nlp.documents.table.levels import title_or_level
from nlp.documents.table.roles import RoleModelError, RoleTagger, default_tagger
from nlp.documents.table.tokens import Tokens, tokenize
from nlp.schema import Document, Indicator

log = logging.getLogger(__name__)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_FIELDS = ("level1", "level2", "weight", "score", "actual_value", "op", "unit", "direction")
_UNREAD_CELLS = 60  # cells after the name title kept as the raw text of an unreadable table


def read_learned(path: str, text: str, tagger: RoleTagger | None = None) -> Document | None:
    """The learned reader alone; None when the text holds no indicator row."""
    return _read_cells(path, tokenize(text), tagger)


def _read_cells(path: str, tokens: Tokens, tagger: RoleTagger | None) -> Document | None:
    roles = (tagger or default_tagger()).tag(tokens.cells)
    doc = build_document(path, tokens, roles)
    return drop_group_headings(doc) if doc is not None else None


def _valued(ind: Indicator) -> bool:
    return bool(ind.annual_value or ind.period_value or ind.actual_value)


def _junk(ind: Indicator) -> bool:
    """A named row that is no indicator: a name without Chinese, or a heading (level name, column title)
    without value."""
    return bool(ind.name) and (not _CJK.search(ind.name) or (not _valued(ind) and title_or_level(ind.name)))


def confidence(doc: Document) -> tuple[int, int, int]:
    """How confident a reading is (see the module docstring); tuples compare in order."""
    inds = [i for p in doc.projects for i in p.indicators]
    read = [i for i in inds if i.name and _valued(i) and not _junk(i)]
    fake = sum(1 for i in inds if "unparsed" in i.flags) + sum(1 for i in inds if not i.name or _junk(i))
    hollow = sum(1 for i in inds if i.name and not _valued(i) and not _junk(i) and "truncated" not in i.flags)
    fields = sum(1 for i in read for f in _FIELDS if getattr(i, f) not in (None, ""))
    return (len(read) - fake, -fake, fields - hollow)


def unreadable(path: str, tokens: Tokens) -> Document | None:
    """An indicator header whose rows cannot be cut (OCR run-together): the text after its name title
    kept as one row, flagged `unparsed`; None when the text has no name column."""
    i = next((k for k, c in enumerate(tokens.cells) if column_role(c.text) == "name"), None)
    rest = tokens.cells[i + 1 : i + 1 + _UNREAD_CELLS] if i is not None else ()
    if not rest:
        return None
    document = Document(path=path, doc=Path(path).stem, layout="table:unreadable", source=tokens.source)
    project = draft_for([], document, "", rest[0].line)
    raws = [c.raw for c in rest]
    ind = row_indicator(
        {},
        doc=document.doc,
        project_id=project.head.project_id,
        seq=1,
        name="",
        levels=("", "", "", ""),
        raws=raws,
        line=rest[0].line,
        cut=False,
        extra=True,
    )
    project.indicators.append(ind)
    problems = [p for p in [row_problem(path, ind)] if p is not None]
    return Parts(projects=[project.build()], problems=problems).build(document)


def read_table(path: str, text: str, tagger: RoleTagger | None = None) -> Document | None:
    """Read the indicators of a text table (or of text without a table): the more confident reading."""
    tokens = tokenize(text)
    prose = read_prose(path, text) if not header_runs(tokens.cells) else None
    try:
        doc = _read_cells(path, tokens, tagger)
    except RoleModelError as err:
        log.warning("%s: %s; tables are not read without it", path, err)
        doc = None
    if prose is not None and (doc is None or confidence(prose) >= confidence(doc)):
        doc = prose
    doc = doc or unreadable(path, tokens)
    return drop_fake_names(doc) if doc is not None else None
