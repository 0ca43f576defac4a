"""The one reader of the vocabulary files in nlp/data: every row checked, errors name file and line.

Each file is declared in `COLUMNS` with how many tab-separated columns a data row may have, so a
malformed row fails at load time with ``nlp/data/FILE:LINE`` and what was expected, instead of a
bare unpacking error deep in a reader. Comment lines start with ``#``; blank lines are skipped.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

__all__ = ["COLUMNS", "HEADERS", "VocabError", "parse_rows", "records", "rows", "words"]

# file -> (fewest, most) tab-separated columns of a data row; tests/test_vocab.py loads every file here
COLUMNS: dict[str, tuple[int, int]] = {
    "abbreviations.tsv": (2, 2),
    "achievement_words.tsv": (4, 4),
    "boilerplate.txt": (2, 2),
    "cell_words.tsv": (2, 2),
    "flags.tsv": (5, 5),
    "flat_descriptions.txt": (1, 1),
    "flat_grades.txt": (1, 1),
    "flat_templates.txt": (1, 1),
    "level_synonyms.tsv": (3, 3),
    "name_keywords.tsv": (3, 3),
    "name_placeholders.txt": (1, 1),
    "name_suffixes.txt": (1, 1),
    "numerals.tsv": (3, 3),
    "ocr_slips.tsv": (3, 3),
    "places.txt": (2, 2),
    "project_labels.tsv": (2, 2),
    "prose_words.tsv": (2, 2),
    "quality_words.tsv": (2, 3),
    "table_headers.tsv": (2, 2),
    "target_words.txt": (1, 1),
    "title_qualifiers.tsv": (2, 2),
    "userdict.txt": (1, 1),  # jieba's own format: `word freq pos` separated by spaces
    "value_markers.tsv": (3, 3),
    "value_operators.tsv": (3, 3),
    "value_placeholders.tsv": (3, 3),
    "value_units.tsv": (2, 3),
}
HEADERS = frozenset({"flags.tsv", "quality_words.tsv"})  # files whose first data row names the columns


class VocabError(ValueError):
    """A vocabulary file of nlp/data has a row the code cannot use; the message names file:line."""


def parse_rows(text: str, name: str, fewest: int, most: int) -> tuple[tuple[tuple[str, ...], int], ...]:
    """(fields, line number) of each data row of `text`; short rows are padded with "" up to `most`.

    >>> parse_rows("# c\\na\\tb\\n\\nc\\n", "x.tsv", 1, 2)
    ((('a', 'b'), 2), (('c', ''), 4))
    >>> parse_rows("a\\tb\\tc\\n", "x.tsv", 2, 2)
    Traceback (most recent call last):
    nlp.vocab.VocabError: nlp/data/x.tsv:1: expected 2 tab-separated columns, got 3: 'a\\tb\\tc'
    """
    out = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = tuple(line.split("\t"))
        if not fewest <= len(fields) <= most:
            want = f"{fewest}" if fewest == most else f"{fewest} to {most}"
            got = f"got {len(fields)}: {line!r}"
            raise VocabError(f"nlp/data/{name}:{lineno}: expected {want} tab-separated columns, {got}")
        if any(not f.strip() for f in fields[:fewest]):
            raise VocabError(f"nlp/data/{name}:{lineno}: a required column is empty: {line!r}")
        out.append((fields + ("",) * (most - len(fields)), lineno))
    return tuple(out)


@cache
def _numbered(name: str) -> tuple[tuple[tuple[str, ...], int], ...]:
    if name not in COLUMNS:
        raise VocabError(f"nlp/data/{name}: not declared in nlp.vocab.COLUMNS")
    text = resources.files("nlp").joinpath("data", name).read_text(encoding="utf-8")
    return parse_rows(text, name, *COLUMNS[name])


def rows(name: str) -> tuple[tuple[str, ...], ...]:
    """The data rows of nlp/data/`name` (a header row, where the file has one, included)."""
    return tuple(fields for fields, _ in _numbered(name))


def records(name: str) -> tuple[dict[str, str], ...]:
    """The rows of a file with a header row, as dicts keyed by the header."""
    numbered = _numbered(name)
    if name not in HEADERS or not numbered:
        raise VocabError(f"nlp/data/{name}: has no header row")
    header = numbered[0][0]
    return tuple(dict(zip(header, fields, strict=True)) for fields, _ in numbered[1:])


def words(name: str) -> tuple[str, ...]:
    """The first column of each row of nlp/data/`name`, stripped (one-word-a-line files)."""
    return tuple(fields[0].strip() for fields in rows(name))
