"""Header cell text → the column role it heads (data: nlp/data/table_headers.tsv).

Shared by every table reader (text, and the grid readers of Excel/Word/HTML/PDF), so that one
vocabulary decides what a column holds.
"""

from __future__ import annotations

from functools import lru_cache

from nlp import vocab
from nlp.levels import level_key

ROLES = (
    "level1", "level2", "name", "value", "period", "op", "unit", "actual", "weight", "score",
    "direction", "desc", "standard", "other", "unit_name", "project", "budget", "goal",
)  # fmt: skip
_ENDS = ("stop", "total")


@lru_cache(maxsize=1)
def title_table() -> tuple[dict[str, str], tuple[str, ...], tuple[str, ...]]:
    """Title key → role; the keys that end a table; those of them that state a total."""
    roles: dict[str, str] = {}
    stops: list[str] = []
    totals: list[str] = []
    for title, role in vocab.rows("table_headers.tsv"):
        if role not in (*ROLES, *_ENDS):
            raise vocab.VocabError(f"nlp/data/table_headers.tsv: unknown role {role!r} of {title!r}")
        key = level_key(title)
        if role in _ENDS:
            stops.append(key)
            totals += [key] if role == "total" else []
        else:
            roles[key] = role
    return roles, tuple(stops), tuple(totals)


def column_role(text: str | None) -> str | None:
    """The role of the column a header cell titles (`三级指标` → `name`), None if not a title.

    >>> column_role("三級指標"), column_role("*指标值"), column_role("培训人数")
    ('name', 'value', None)
    """
    return title_table()[0].get(level_key(text))


def title_keys() -> tuple[str, ...]:
    """All header title keys, longest first (to find titles in run-together text)."""
    return tuple(sorted(title_table()[0], key=len, reverse=True))


def ends_table(text: str | None) -> bool:
    """A cell that ends an indicator table (`评价结论`, `总分`, sign-off lines); not a column title."""
    return bool(text) and level_key(text).startswith(title_table()[1]) and column_role(text) is None


def states_total(text: str | None) -> bool:
    """A cell that ends a table and states the sum of its 分值 column (`总分`, `合计`)."""
    return level_key(text).startswith(title_table()[2]) if text else False
