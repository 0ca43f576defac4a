"""OCR slips in text tables without separators: `IO` read for 10, `二` for `=` before a number, `顼` for
`项` in a cell that then is a column title, level name or project label.

The slips are data (nlp/data/ocr_slips.tsv); each is one character for one, so a cell's matching
text changes while its raw text (what the reader outputs) stays as the document wrote it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from nlp.documents import cells as _cells
from nlp.documents.grid.vocab import info_label
from nlp.documents.table.levels import title_or_level
from nlp.numerals import cn_chars
from nlp.segment import tokenize
from nlp.vocab import VocabError, rows

_LATIN = re.compile(r"[A-Za-z]")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


@lru_cache(maxsize=1)
def _slips() -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    """(slips inside numbers, before a digit, as a dash, in words): slip character → the character meant."""
    kinds: dict[str, dict[str, str]] = {"number": {}, "before_digit": {}, "dash": {}, "word": {}}
    for slip, meant, where in rows("ocr_slips.tsv"):
        if where.strip() not in kinds:
            raise VocabError(f"nlp/data/ocr_slips.tsv: {slip!r} has an unknown place {where!r}")
        kinds[where.strip()][slip] = meant
    return kinds["number"], kinds["before_digit"], kinds["dash"], kinds["word"]


@lru_cache(maxsize=1)
def _number_run() -> re.Pattern[str]:
    chars = re.escape("".join(_slips()[0]))
    return re.compile(rf"[0-9{chars}]+")


def _numbers(text: str) -> str:
    """Slips inside runs of digits that touch no Latin letter (`2O21年`, a whole cell `IO`)."""
    slips = _slips()[0]
    out = list(text)
    for m in _number_run().finditer(text):
        run, a, b = m.group(), m.start(), m.end()
        if run.isdigit() or (a and _LATIN.match(text[a - 1])) or (b < len(text) and _LATIN.match(text[b])):
            continue
        if any(ch.isdigit() for ch in run) or (len(run) >= 2 and len(run) == len(text)):
            out[a:b] = [slips.get(ch, ch) for ch in run]
    return "".join(out)


def _before_digit(text: str, next_text: str) -> str:
    """A slip right before a digit (`二100`), or ending the cell before a cell starting with one."""
    slips = _slips()[1]
    out = list(text)
    numerals = cn_chars()
    for i, ch in enumerate(text):
        if ch not in slips or (i and text[i - 1] in numerals):
            continue
        following = text[i + 1 : i + 2] or next_text[:1]
        if following.isdigit() and (i + 1 < len(text) or i > 0):
            out[i] = slips[ch]
    return "".join(out)


def _dash(text: str, previous: str) -> str:
    """A slip starting a cell after a bare number, a word of its own (`一目标明确` → `—目标明确`)."""
    slips = _slips()[2]
    first = text[:1]
    if first in slips and len(text) > 1 and _NUMBER.match(previous) and tokenize(text)[:1] == (first,):
        return slips[first] + text[1:]
    return text


def _word(text: str) -> str:
    """Slips in a cell that, read, is a column title, a level name or a project label as a whole."""
    slips = _slips()[3]
    read = "".join(slips.get(ch, ch) for ch in text)
    if read == text or not (title_or_level(read) or info_label(read) is not None):
        return text
    return read


def read_slips(found: list[_cells.Cell]) -> list[_cells.Cell]:
    """The cells with their OCR slips read (text only; raw kept as written)."""
    out: list[_cells.Cell] = []
    for k, c in enumerate(found):
        following = found[k + 1].text if k + 1 < len(found) and found[k + 1].line == c.line else ""
        previous = found[k - 1].text if k and found[k - 1].line == c.line else ""
        text = _dash(_before_digit(_numbers(c.text), following), previous)
        out.append(replace(c, text=text) if text != c.text else c)
    return out


def read_words(found: list[_cells.Cell]) -> list[_cells.Cell]:
    """The cells with the slips in their words read where the cell then is a column title, a level
    name or a project label (after the recut, on whole cells: `顼目产出(30分)`); raw kept."""
    out: list[_cells.Cell] = []
    for c in found:
        text = _word(c.text)
        out.append(replace(c, text=text) if text != c.text else c)
    return out
