"""Read a text table: the learned reader (tokenize, tag each cell with the CRF, decode the rows), with
the rule-based reader of nlp/documents/indicator_table.py kept as a fallback chosen by confidence.

Confidence of a reading = rows with a name and a target or actual, minus rows flagged `unparsed`.
The learned reading is taken when it is strictly more confident than the rule-based one; the choice is
in the Document's layout (`table:<separator>` or `indicator_table:<layout>`). Leave-one-file-out
figures for both readers and for this choice: `jixiao evaluate --reader` (README, "Table reader").
"""

from __future__ import annotations

import logging

from nlp.documents.indicator_table import read_indicator_table
from nlp.documents.table.decode import build_document, drop_fake_names, drop_group_headings
from nlp.documents.table.roles import RoleModelError, RoleTagger, default_tagger
from nlp.documents.table.tokens import tokenize
from nlp.schema import Document

log = logging.getLogger(__name__)


def read_learned(path: str, text: str, tagger: RoleTagger | None = None) -> Document | None:
    """The learned reader alone; None when the text holds no indicator row."""
    tokens = tokenize(text)
    roles = (tagger or default_tagger()).tag(tokens.cells)
    doc = build_document(path, tokens, roles)
    return drop_group_headings(doc) if doc is not None else None


def confidence(doc: Document | None) -> int:
    """Rows with a name and a target or actual, minus rows flagged unparsed (see module docstring)."""
    if doc is None:
        return -1
    inds = [i for p in doc.projects for i in p.indicators]
    good = sum(1 for i in inds if i.name and (i.annual_value or i.period_value or i.actual_value))
    return good - sum(1 for i in inds if "unparsed" in i.flags) - sum(1 for i in inds if not i.name)


def read_table(path: str, text: str, tagger: RoleTagger | None = None) -> Document | None:
    """Read an indicator table of any text layout: the more confident of the two readers."""
    rules = read_indicator_table(path, text)
    if rules is not None:
        rules = drop_group_headings(drop_fake_names(rules))  # before the comparison: no confident rows
    try:
        learned = read_learned(path, text, tagger)
    except RoleModelError as err:
        log.warning("%s: %s; using the rule-based reader", path, err)
        return rules
    doc = learned if confidence(learned) > confidence(rules) else rules
    return drop_fake_names(doc) if doc is not None else None
