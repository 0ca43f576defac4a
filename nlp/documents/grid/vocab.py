"""What a cell title means: column roles (nlp/data/table_headers.tsv) and project-info labels
(nlp/data/project_labels.tsv). The one place the grid reader looks words up."""

from __future__ import annotations

import re
from functools import lru_cache

from nlp.documents.table.columns import column_role as title_role
from nlp.documents.table.columns import title_keys
from nlp.levels import level_key
from nlp.vocab import rows

_BRACKET_TAIL = re.compile(r"\([^()]*\)$")  # 年度指标值(A), 分值(100分)
_LABEL_TRIM = re.compile(r"^其中[:：]?|[:：]$|\(万元\)$")


@lru_cache(maxsize=1)
def _ends() -> dict[str, str]:
    """Title key → stop/total for the cells that end a table (the column roles: table.columns)."""
    return {level_key(t): role for t, role in rows("table_headers.tsv") if role in ("stop", "total")}


@lru_cache(maxsize=1)
def _longest() -> int:
    return max(len(k) for k in (*title_keys(), *_ends())) + 8  # room for spaces, * and a bracketed tail


@lru_cache(maxsize=4096)
def column_role(text: str) -> str | None:
    """The role of a header cell (name, value, actual, weight, … ; stop/total for sign-off cells).

    The column roles are the text reader's (nlp.documents.table.columns.column_role); a grid cell may
    also carry a bracketed tail (年度指标值(A)) and be a cell that ends the table.

    >>> column_role("三级指标"), column_role("年度指标值(A)"), column_role("总分")
    ('name', 'value', 'total')
    """
    if len(text) > _longest():
        return None  # an indicator name or a value, not a title (and no need to fold it)
    key = level_key(text).lstrip("*")
    for candidate in (key, _BRACKET_TAIL.sub("", key)):
        role = title_role(candidate) or _ends().get(candidate)
        if role:
            return role
    return None


@lru_cache(maxsize=1)
def _stops() -> tuple[str, ...]:
    return tuple(_ends())


def is_stop(text: str) -> bool:
    """A cell that ends an indicator table (合计, 总分, 评价结论, sign-off lines)."""
    return level_key(text).startswith(_stops()) if text else False


@lru_cache(maxsize=1)
def _labels() -> dict[str, str]:
    return {_label_key(label): fld for label, fld in rows("project_labels.tsv")}


def _label_key(text: str) -> str:
    return _LABEL_TRIM.sub("", level_key(text))


@lru_cache(maxsize=4096)
def info_label(text: str) -> tuple[str, str] | None:
    """(field, value in the same cell) of a project-info label cell, or None.

    >>> info_label("项目名称"), info_label("项目名称:安全隐患维修"), info_label("其中:财政拨款")
    (('project', ''), ('project', '安全隐患维修'), ('fiscal', ''))
    """
    labels = _labels()
    key = _label_key(text)
    if key in labels:
        return labels[key], ""
    for sep in (":", "："):
        head, found, rest = text.partition(sep)
        if found and _label_key(head) in labels:
            return labels[_label_key(head)], rest.strip()
    return None
