"""Read a text table: the learned reader (tokenize, tag each cell with the CRF, decode the rows), with
the rule-based reader of nlp/documents/indicator_table.py kept as a fallback chosen by confidence, and,
where the text holds no table header, the prose reader (nlp/documents/prose_reader.py).

Confidence of a reading, compared in this order: rows read (a name and a target or actual) minus rows
flagged `unparsed`, rows without a name and junk rows (a name without a Chinese character, or a level
name / column title with no value: a heading); then fewer such rows; then the fields filled on the rows
read (一级, 二级, 分值, 得分, actual, stated operator, unit, direction) minus the named rows without any
value that the excerpt did not cut (a heading or a text line read as a row). So of two readings with as
many rows, the one with fewer fake rows and then the fuller one is taken. The learned reading is taken
when it is strictly more confident than the rule-based one; the choice is in the Document's layout
(`table:<separator>` or `indicator_table:<layout>`). Leave-one-file-out figures for both readers and
for this choice: `jixiao evaluate --reader` (README, "Table reader").
"""

from __future__ import annotations

import logging
import re

from nlp.documents.indicator_table import read_indicator_table
from nlp.documents.prose_reader import read_prose
from nlp.documents.table.decode import build_document, drop_fake_names, drop_group_headings
from nlp.documents.table.features import header_runs
from nlp.documents.table.levels import title_or_level
from nlp.documents.table.roles import RoleModelError, RoleTagger, default_tagger
from nlp.documents.table.tokens import Tokens, tokenize
from nlp.schema import Document, Indicator

log = logging.getLogger(__name__)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_FIELDS = ("level1", "level2", "weight", "score", "actual_value", "op", "unit", "direction")


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


def read_table(path: str, text: str, tagger: RoleTagger | None = None) -> Document | None:
    """Read an indicator table of any text layout: the more confident of the readers."""
    rules = read_indicator_table(path, text)
    if rules is not None:
        rules = drop_group_headings(drop_fake_names(rules))  # before the comparison: no confident rows
    tokens = tokenize(text)
    prose = read_prose(path, text) if not header_runs(tokens.cells) else None
    try:
        learned = _read_cells(path, tokens, tagger)
    except RoleModelError as err:
        log.warning("%s: %s; using the rule-based and prose readers", path, err)
        learned = None
    doc = learned  # the rule-based reading is kept on a tie, the learned one against prose
    if rules is not None and (doc is None or confidence(rules) >= confidence(doc)):
        doc = rules
    if prose is not None and (doc is None or confidence(prose) > confidence(doc)):
        doc = prose
    return drop_fake_names(doc) if doc is not None else None
