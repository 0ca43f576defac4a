"""Header cell text → the column role it heads (data: nlp/data/table_headers.tsv).

Shared by every table reader (text, and the grid readers of Excel/Word/HTML/PDF), so that one
vocabulary decides what a column holds.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from nlp.levels import level_key

ROLES = (
    "level1", "level2", "name", "value", "period", "op", "unit", "actual", "weight", "score",
    "direction", "desc", "standard", "other", "unit_name", "project", "budget", "goal",
)  # fmt: skip
_ENDS = ("stop", "total")


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, str], tuple[str, ...], tuple[str, ...]]:
    """Title key → role; the keys that end a table; those of them that state a total."""
    roles: dict[str, str] = {}
    stops: list[str] = []
    totals: list[str] = []
    text = resources.files("nlp").joinpath("data/table_headers.tsv").read_text(encoding="utf-8")
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2 or parts[1] not in (*ROLES, *_ENDS):
            raise ValueError(f"nlp/data/table_headers.tsv:{n}: expected 'title<TAB>role', got {line!r}")
        key, role = level_key(parts[0]), parts[1]
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
    return _table()[0].get(level_key(text))


def title_keys() -> tuple[str, ...]:
    """All header title keys, longest first (to find titles in run-together text)."""
    return tuple(sorted(_table()[0], key=len, reverse=True))


def ends_table(text: str | None) -> bool:
    """A cell that ends an indicator table (`评价结论`, `总分`, sign-off lines); not a column title."""
    return bool(text) and level_key(text).startswith(_table()[1]) and column_role(text) is None


def states_total(text: str | None) -> bool:
    """A cell that ends a table and states the sum of its 分值 column (`总分`, `合计`)."""
    return level_key(text).startswith(_table()[2]) if text else False
