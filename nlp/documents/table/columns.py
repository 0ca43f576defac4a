"""Header cell text → the column role it heads (data: nlp/data/table_headers.tsv).

Shared by every table reader (text, and the grid readers of Excel/Word/HTML/PDF), so that one
vocabulary decides what a column holds.
"""

from __future__ import annotations

import re
from functools import lru_cache

from nlp import vocab
from nlp.levels import level_key

ROLES = (
    "level1", "level2", "name", "value", "period", "op", "unit", "actual", "weight", "score",
    "direction", "desc", "standard", "other", "unit_name", "project", "budget", "goal",
)  # fmt: skip
_ENDS = ("stop", "total")
_BY_CONTENT = "content"  # a bare title (指标) whose column is told by the cells under it (table/header.py)
_QUALIFIED = re.compile(r"^(.+?)\(([^()]{1,6})\)$")  # 指标值(长期), 三级指标(年度): a title and its tag


@lru_cache(maxsize=1)
def title_table() -> tuple[dict[str, str], tuple[str, ...], tuple[str, ...]]:
    """Title key → role; the keys that end a table; those of them that state a total."""
    roles: dict[str, str] = {}
    stops: list[str] = []
    totals: list[str] = []
    for title, role in vocab.rows("table_headers.tsv"):
        if role not in (*ROLES, *_ENDS, _BY_CONTENT):
            raise vocab.VocabError(f"nlp/data/table_headers.tsv: unknown role {role!r} of {title!r}")
        key = level_key(title)
        if role in _ENDS:
            stops.append(key)
            totals += [key] if role == "total" else []
        elif role != _BY_CONTENT:
            roles[key] = role
    return roles, tuple(stops), tuple(totals)


@lru_cache(maxsize=1)
def _qualifiers() -> dict[str, str]:
    """Tag of a qualified title → the role a target title so tagged takes (nlp/data/title_qualifiers.tsv)."""
    return {level_key(tag): role for tag, role in vocab.rows("title_qualifiers.tsv")}


@lru_cache(maxsize=1)
def by_content() -> frozenset[str]:
    """Keys of the bare titles (指标) whose column role is told by the cells under them."""
    return frozenset(level_key(t) for t, role in vocab.rows("table_headers.tsv") if role == _BY_CONTENT)


def column_role(text: str | None) -> str | None:
    """The role of the column a header cell titles (`三级指标` → `name`), None if not a title; a title
    with a bracketed tag of title_qualifiers.tsv is its title (`三级指标(年度)` → `name`), a target
    title so tagged the target the tag names (`指标值(长期)` → `period`). Other tags are no title
    (`分值(权重)`, where a self-evaluation's summary holds it, is not a header of indicator rows).

    >>> column_role("三級指標"), column_role("*指标值"), column_role("培训人数")
    ('name', 'value', None)
    >>> column_role("二级指标(长期)"), column_role("指标值(长期)"), column_role("指标值(年度)")
    ('level2', 'period', 'value')
    >>> column_role("分值(权重)") is None
    True
    """
    key = level_key(text)
    roles = title_table()[0]
    role = roles.get(key)
    m = None if role else _QUALIFIED.match(key)
    tagged = _qualifiers().get(m.group(2)) if m else None
    if m and tagged and m.group(1) in roles:
        role = roles[m.group(1)]
        return tagged if role in ("value", "period") else role
    return role


def title_keys() -> tuple[str, ...]:
    """All header title keys, longest first (to find titles in run-together text)."""
    return tuple(sorted(title_table()[0], key=len, reverse=True))


def ends_table(text: str | None) -> bool:
    """A cell that ends an indicator table (`评价结论`, `总分`, sign-off lines); not a column title."""
    return bool(text) and level_key(text).startswith(title_table()[1]) and column_role(text) is None


def states_total(text: str | None) -> bool:
    """A cell that ends a table and states the sum of its 分值 column (`总分`, `合计`)."""
    return level_key(text).startswith(title_table()[2]) if text else False
