"""Indicators written as text: bracketed headings (`【产出指标-数量指标】`) and prose clauses."""

from __future__ import annotations

import re
from collections.abc import Iterator

from nlp.documents.cells import Body
from nlp.levels import canonical_level1, canonical_level2
from nlp.textnorm import clean, fold

# (project, line, level1, level2, name, value, raw)
ProseRow = tuple[str, int, str, str, str, str, str]

_BRACKET = re.compile(r"^【(.+?)[-－—](.+?)】$")
_ITEM = re.compile(r"^指标\d+[:：](.+?)[(（]([^()（）]*)[)）]\s*$")
_OVERVIEW = re.compile(r"^【项目概况】")
_AMOUNT = re.compile(r"^\d+(?:\.\d+)?$")
_CODE = re.compile(r"^\d{6}$")
_HEADING = re.compile(r"^(?:[(（]\d+[)）]|\d+[、.])?\s*(.+?指标)\s*[。.:：]?\s*(.*)$")
_CLAUSE = re.compile(r"[;；。]")
_VALUE_TAIL = re.compile(r"^(.*?[^\d≥≤=<>≧≦.])((?:>=|<=|[≥≤=<>≧≦])?\d+(?:\.\d+)?\S*)$")


def bracketed_rows(body: Body) -> Iterator[ProseRow]:
    """`【一级-二级】` headings followed by `指标1:name(value)` lines; the project is named above."""
    project = ""
    recent: list[str] = []
    level1 = level2 = ""
    for k, line in enumerate(body.lines):
        text = clean(line)
        if not text:
            continue
        if _OVERVIEW.match(text):
            project = next(
                (r for r in reversed(recent) if not _AMOUNT.match(r) and not _CODE.match(r)), project
            )
            recent = []
            continue
        recent.append(text)
        m = _BRACKET.match(fold(text))
        if m:
            level1, level2 = m.group(1), m.group(2)
            continue
        item = _ITEM.match(text)
        if item and level2:
            yield (
                project,
                body.line_no(k),
                level1,
                level2,
                item.group(1).strip(),
                item.group(2).strip(),
                text,
            )


def prose_rows(body: Body) -> Iterator[ProseRow]:
    """`(1)数量指标。` then `name 94件;…` clauses, or inline `数量指标:name>=17600株;…`."""
    level1 = level2 = ""
    for k, line in enumerate(body.lines):
        text = clean(line)
        m = _HEADING.match(fold(text))
        if m and (canonical_level1(m.group(1)) or canonical_level2(m.group(1))):
            if canonical_level2(m.group(1)):
                level2 = m.group(1)
            else:
                level1, level2 = m.group(1), ""
            text = m.group(2)
            if not text:
                continue
        if not level2:
            continue
        for clause in _CLAUSE.split(text):
            v = _VALUE_TAIL.match(clause.strip())
            if v:
                yield "", body.line_no(k), level1, level2, v.group(1).strip(), v.group(2), clause.strip()
        if not text.strip():
            level2 = ""
