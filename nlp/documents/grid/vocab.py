"""What a cell title means: column roles (nlp/data/table_headers.tsv) and project-info labels
(nlp/data/project_labels.tsv). The one place the grid reader looks words up."""

from __future__ import annotations

import re
from functools import lru_cache

from nlp.levels import level_key
from nlp.vocab import rows

_BRACKET_TAIL = re.compile(r"\([^()]*\)$")  # 年度指标值(A), 分值(100分)
_LABEL_TRIM = re.compile(r"^其中[:：]?|[:：]$|\(万元\)$")


@lru_cache(maxsize=1)
def _headers() -> dict[str, str]:
    return {level_key(title): role for title, role in rows("table_headers.tsv")}


@lru_cache(maxsize=1)
def _longest() -> int:
    return max(len(k) for k in _headers()) + 8  # room for spaces, * and a bracketed tail


@lru_cache(maxsize=4096)
def column_role(text: str) -> str | None:
    """The role of a header cell (name, value, actual, weight, … ; stop/total for sign-off cells).

    This is the single lookup of column titles for the grid reader; the text reader's function of
    the same job can replace it.

    >>> column_role("三级指标"), column_role("年度指标值(A)"), column_role("总分")
    ('name', 'value', 'total')
    """
    if len(text) > _longest():
        return None  # an indicator name or a value, not a title (and no need to fold it)
    key = level_key(text).lstrip("*")
    roles = _headers()
    return roles.get(key) or roles.get(_BRACKET_TAIL.sub("", key))


@lru_cache(maxsize=1)
def _stops() -> tuple[str, ...]:
    return tuple(k for k, role in _headers().items() if role in ("stop", "total"))


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
