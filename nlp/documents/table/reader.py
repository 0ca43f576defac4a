"""Read a text table with the learned cell-role model: tokenize, tag each cell, decode the rows."""

from __future__ import annotations

from nlp.documents.table.decode import build_document
from nlp.documents.table.roles import RoleTagger, default_tagger
from nlp.documents.table.tokens import tokenize
from nlp.schema import Document


def read_table(path: str, text: str, tagger: RoleTagger | None = None) -> Document | None:
    """A Document of the indicator rows of a text table; None when it holds no indicator row."""
    tokens = tokenize(text)
    roles = (tagger or default_tagger()).tag(tokens.cells)
    return build_document(path, tokens, roles)
