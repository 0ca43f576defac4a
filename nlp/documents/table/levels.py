"""Level cells of a table: the 一级/二级 code of a cell, with a trailing tag such as `(必填)` dropped."""

from __future__ import annotations

import re

from nlp.documents.table.columns import column_role
from nlp.levels import canonical_level1, canonical_level2

_TAG = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")  # 数量指标 (必填硬性指标), 产出指标(50分)


def _untagged(text: str | None) -> str:
    return _TAG.sub("", text or "")


def level1_code(text: str | None) -> str | None:
    """一级 code of a level cell (`产出指标 (必填)` → 1-产出指标), None if not a level name."""
    return canonical_level1(text) or canonical_level1(_untagged(text))


def level2_code(text: str | None, level1: str | None = None) -> str | None:
    """二级 code of a level cell (`数量指标 (必填硬性指标)` → 11-数量指标), None if not a level name.

    >>> level2_code("经济效益 指标 (选填)")
    '21-经济效益'
    """
    return canonical_level2(text, level1) or canonical_level2(_untagged(text), level1)


def title_or_level(text: str) -> bool:
    """A column title or a level name: a cell the cutters keep whole (`年度指标值`, `数量指标`)."""
    return bool(column_role(text) or level1_code(text) or level2_code(text))
