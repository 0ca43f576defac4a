"""Documents in traditional characters: read on their simplified form, the original spelling put back.

The readers match labels and vocabulary written in simplified characters. A file in traditional script
(Taiwan, Hong Kong, or converted by a mirror site) is therefore also read on its OpenCC t2s form; OpenCC
maps character for character, so each field the reader took from the simplified text is found again at
the same place of its source lines and given back its original spelling.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from typing import Any

from nlp.schema import Document, Indicator, Project
from nlp.textnorm import to_simplified

TRADITIONAL_SHARE = 0.02  # share of CJK characters that only traditional script uses, from which t2s is tried
NOTE = "traditional characters: read on the simplified form (OpenCC t2s)"
_PROJECT_FIELDS = ("project", "department", "unit", "goal", "raw")
_INDICATOR_FIELDS = (
    "name", "period_value", "annual_value", "actual_value", "raw", "level1_raw", "level2_raw",
)  # fmt: skip
_SPAN = 40  # lines searched from a record's line: PDF text wraps a field over many short lines


@lru_cache(maxsize=1)
def _traditional_only() -> frozenset[str]:
    """Characters OpenCC's t2s table changes (traditional-only forms: 標, 項, 資 …)."""
    table = resources.files("opencc") / "dictionary" / "TSCharacters.txt"
    pairs = (line.split("\t") for line in table.read_text(encoding="utf-8").splitlines() if "\t" in line)
    return frozenset(trad for trad, simple in pairs if trad not in simple.split(" "))


@lru_cache(maxsize=1)
def _traditional_pattern() -> re.Pattern[str]:
    """One character class of the traditional-only CJK characters (counted by the regex engine)."""
    chars = sorted(ch for ch in _traditional_only() if "\u4e00" <= ch <= "\u9fff")
    return re.compile("[" + "".join(map(re.escape, chars)) + "]")


_NOT_CJK = re.compile("[^\u4e00-\u9fff]+")


def simplified_text(text: str) -> str | None:
    """The text in simplified characters (OpenCC t2s) when it is written in traditional ones, else None."""
    head = text[:50_000]
    found = len(_traditional_pattern().findall(head))
    if not found:  # most texts: the CJK characters are not counted (a regex pass five times longer)
        return None
    if found < TRADITIONAL_SHARE * len(_NOT_CJK.sub("", head)):
        return None
    return to_simplified(text)


def restore_original(doc: Document, original: str, simplified: str) -> Document:
    """Give the fields read from `simplified` the spelling of `original` where they are found in place."""
    old_lines, new_lines = original.split("\n"), simplified.split("\n")
    if [len(x) for x in old_lines] != [len(x) for x in new_lines]:
        return doc  # OpenCC changed a length somewhere: positions do not carry over, keep the simplified

    def back(value: str | None, line: int | None) -> str | None:
        if not value or not line:
            return value
        start = max(0, line - 1)
        for sep in ("\n", ""):  # fields of PDF-wrapped rows are the lines joined without a separator
            new = sep.join(new_lines[start : start + _SPAN])
            at = new.find(value)
            if at >= 0:
                return sep.join(old_lines[start : start + _SPAN])[at : at + len(value)]
        return value

    def restored(record: Project | Indicator, names: tuple[str, ...]) -> dict[str, Any]:
        return {name: back(getattr(record, name), record.line) for name in names}

    projects = tuple(
        replace(
            project,
            **restored(project, _PROJECT_FIELDS),
            indicators=tuple(replace(ind, **restored(ind, _INDICATOR_FIELDS)) for ind in project.indicators),
        )
        for project in doc.projects
    )
    department = back(doc.department, _line_of(new_lines, doc.department)) or ""
    return replace(doc, department=department, projects=projects)


def _line_of(lines: list[str], value: str) -> int | None:
    """The first of the first 40 lines holding `value` (where a document states its department)."""
    return next((n for n, line in enumerate(lines[:40], 1) if value and value in line), None)
