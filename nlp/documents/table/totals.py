"""The 总分 a table states settles the numbers run together in its 分值 | 得分 columns.

In text without separators a row's 目标值 and 分值 (`210010` = 2100 | 10) or its 分值 and 得分 (`2018` =
20 | 18) come as one number. Each such number is read every way that gives a plausible 分值 (a positive
multiple of 5, at most the total, no leading 0); a reading is taken only when exactly one choice over
all the table's rows makes the 分值 column (and the 得分 column) add up to the 总分 the table states.
Otherwise nothing is split and the caller keeps the number raw, flagged: a split is never guessed.
Used by the learned decoder (table/decode.py) and by the rule-based baseline (nlp/baselines/rule_reader.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Protocol

from nlp.documents.cells import cell_number
from nlp.documents.table.columns import states_total
from nlp.documents.table.tokens import Cell

_DIGITS = re.compile(r"^\d+$")
_WEIGHT_MAX = 100  # no 分值 is above 100
_TARGETS = ("value", "period", "actual")


def stated_total(texts: Sequence[str], k: int) -> str | None:
    """The digits of the 总分/合计 cell texts[k] (`总分10098`), or of the cell after it (`总分` | `100`);
    None when texts[k] states no total."""
    if k >= len(texts) or not states_total(texts[k]):
        return None
    rest = re.sub(r"^\D*", "", texts[k])
    nxt = texts[k + 1] if k + 1 < len(texts) else ""
    number = rest or (nxt if _DIGITS.match(nxt) else "")
    return number if _DIGITS.match(number) else None


def plausible_weight(digits: str, total: int = _WEIGHT_MAX) -> bool:
    """A 分值 as written: a positive multiple of 5, no greater than the total, no leading 0."""
    return digits[0] != "0" and int(digits) % 5 == 0 and int(digits) <= total


def weight_options(digits: str, total: int) -> list[tuple[str, int]]:
    """Ways to read `210010` as 目标值 + 分值: (target or "", weight), weights plausible.

    Neither part starts with 0 (a target of exactly 0 aside): 2100|10 is a reading, 210|010 and
    21001|0 are not.

    >>> weight_options("210010", 100)
    [('2100', 10)]
    """
    out: list[tuple[str, int]] = []
    for cut in range(len(digits)):
        target, weight = digits[:cut], digits[cut:]
        if target.startswith("0") and target != "0":
            continue
        if plausible_weight(weight, total):
            out.append((target, int(weight)))
    return out


def total_pairs(digits: str) -> list[tuple[int, int]]:
    """Ways to read digits as 分值 + 得分 run together (`10098` = 100|98, `2018` = 20|18): neither
    part has a leading 0 (a score of 0 aside) and the score is no greater than the weight."""
    out: list[tuple[int, int]] = []
    for cut in range(1, len(digits)):
        weight, score = digits[:cut], digits[cut:]
        if weight[0] != "0" and (score[0] != "0" or score == "0") and int(score) <= int(weight):
            out.append((int(weight), int(score)))
    return out


def score_options(digits: str, total: int) -> list[tuple[int, int]]:
    """The readings of `total_pairs` whose weight is a plausible 分值 of a table of that total."""
    return [(w, s) for w, s in total_pairs(digits) if plausible_weight(str(w), total)]


def choices(options: list[list[tuple[int, ...]]], remaining: tuple[int, ...]) -> tuple[int, list[int]]:
    """How many picks of one option per row add up to `remaining` (0, 1 or 2 = more than one),
    and the indexes of the first such pick; options are vectors (weight,) or (weight, score)."""

    def minus(left: tuple[int, ...], option: tuple[int, ...]) -> tuple[int, ...] | None:
        rest = tuple(a - b for a, b in zip(left, option, strict=True))
        return None if min(rest) < 0 else rest

    @cache
    def ways(n: int, left: tuple[int, ...]) -> int:
        if n == len(options):
            return int(not any(left))
        rests = (minus(left, o) for o in options[n])
        return min(2, sum(ways(n + 1, r) for r in rests if r is not None))

    count = ways(0, remaining)
    picks: list[int] = []
    if count:
        for n, row in enumerate(options):
            rests = [minus(remaining, o) for o in row]
            picks.append(next(i for i, r in enumerate(rests) if r is not None and ways(n + 1, r)))
            remaining = rests[picks[-1]] or remaining  # not None: ways() found a way through it
    return count, picks


def split_weights(glued: Sequence[str], fixed: float, total: int | None) -> list[tuple[str, int]] | None:
    """For each number of `glued` (目标值 and 分值 run together), its (target or "", 分值): the one
    reading over all of them that brings the 分值 column, `fixed` from the other rows, to the stated
    total; None when no total is stated or not exactly one reading adds up.

    >>> split_weights(["20010", "1005"], 0, 15)
    [('200', 10), ('100', 5)]
    >>> split_weights(["20010"], 0, None) is None
    True
    """
    if total is None or fixed != int(fixed):
        return None
    options = [weight_options(d, total) for d in glued]
    count, picks = choices([[(w,) for _, w in opts] for opts in options], (total - int(fixed),))
    return [options[n][p] for n, p in enumerate(picks)] if count == 1 else None


def points_as_read(glued: Sequence[str], weights_sum: float, digits: str | None) -> bool:
    """The 分值 cells as read are 分值, not 分值 and 得分 run together: each is a plausible 分值 and
    together with the others they add up to the 总分 (or no 总分 is stated: nothing to settle a split)."""
    plausible = all(plausible_weight(d) for d in glued)
    return plausible and (digits is None or weights_sum == int(digits))


def split_scores(
    glued: Sequence[str], fixed_weight: float, fixed_score: float, digits: str | None
) -> list[tuple[int, int]] | None:
    """For each number of `glued` (分值 and 得分 run together), its (分值, 得分): the one reading over
    all of them and over every reading of the 总分 digits (`总分10098` = 100|98, both totals run
    together) that brings both columns, `fixed_*` from the other rows, to their totals; None when
    not exactly one reading adds up.

    >>> split_scores(["2020", "2018"], 60, 60, "10098")
    [(20, 20), (20, 18)]
    """
    if fixed_weight != int(fixed_weight) or fixed_score != int(fixed_score):
        return None
    count = 0
    reading: list[tuple[int, int]] = []
    for total_w, total_s in total_pairs(digits or ""):
        options = [score_options(d, total_w) for d in glued]
        n, picks = choices(
            [list(o) for o in options], (total_w - int(fixed_weight), total_s - int(fixed_score))
        )
        count += n
        reading = [options[i][p] for i, p in enumerate(picks)] if n == 1 else reading
    return reading if count == 1 else None


class PointsRow(Protocol):
    """A decoded row as settle_points sees it (table/decode.py Row): its fields by role, the cells it
    could not place, and the index of its last cell."""

    fields: dict[str, str]
    extra: list[str]
    last: int


def settle_points(
    rows: Sequence[PointsRow],
    cells: Sequence[Cell],
    runs: Sequence[tuple[int, int]],
    titles: Sequence[str | None],
) -> None:
    """Split the numbers run together in the 分值 | 得分 cells of each table (see the module docstring).

    A table is a header row (`runs`, the (first, last) cell of each) and the rows after it up to its
    总分 cell or the next header; its 总分 is the number that cell states. Under a header with 分值 and
    得分 columns, a 分值 without a 得分 may hold both (`2018`); under one with a target and a 分值
    column and no 得分, a row may hold both in its 分值 or its target (`210010`). Where the header
    was cut out of run-together text every such bare number is a candidate, elsewhere only one that
    cannot be a 分值 (`2018` > 100). An unsettled candidate leaves its field and is kept in the row's
    `extra` (the row is flagged unparsed)."""
    texts = [c.text for c in cells]
    ends = [a for a, _ in runs[1:]] + [len(cells)] if runs else []
    for (a, b), end in zip(runs, ends, strict=True):
        header = {t for t in titles[a : b + 1] if t}
        glued = all(c.glued for c in cells[a : b + 1])
        k = next((k for k in range(b + 1, end) if states_total(texts[k])), end)
        table = [r for r in rows if b < r.last < k]
        digits = stated_total(texts, k)
        if {"weight", "score"} <= header:
            _settle_scores(table, digits, glued)
        elif {"value", "weight"} <= header:
            _settle_weights(table, digits, glued)


def _candidate(digits: str, glued: bool) -> bool:
    return bool(_DIGITS.match(digits)) and (glued or not plausible_weight(digits))


def _glued_field(row: PointsRow, glued: bool) -> str:
    """The field of a row that may hold its 目标值 and 分值 run together: a bare number read as the
    分值 of a row without a target, or (under a header cut out of run-together text) as the target of
    a row without a 分值; "" for none."""
    targets = set(row.fields) & set(_TARGETS)
    if not targets and _candidate(row.fields.get("weight", ""), glued):
        return "weight"
    if glued and targets == {"value"} and "weight" not in row.fields and _DIGITS.match(row.fields["value"]):
        return "value"
    return ""


def _settle_weights(rows: Sequence[PointsRow], digits: str | None, glued: bool) -> None:
    """目标值 and 分值 run together in one number of a row (`210010` = 2100 | 10)."""
    fields = [_glued_field(r, glued) for r in rows]
    split = [(r, k) for r, k in zip(rows, fields, strict=True) if k]
    if not split:
        return
    fixed = sum(cell_number(r.fields.get("weight")) or 0 for r, k in zip(rows, fields, strict=True) if not k)
    picks = split_weights([r.fields[k] for r, k in split], fixed, int(digits) if digits else None)
    for n, (row, k) in enumerate(split):
        number = row.fields.pop(k)
        if picks is None:
            row.extra.append(number)
            continue
        target, weight = picks[n]
        row.fields["weight"] = str(weight)
        if target:
            row.fields["value"] = target


def _settle_scores(rows: Sequence[PointsRow], digits: str | None, glued: bool) -> None:
    """分值 and 得分 run together in the 分值 of a row without a 得分 (`2018` = 20 | 18)."""
    marked = ["score" not in r.fields and _candidate(r.fields.get("weight", ""), glued) for r in rows]
    split = [r for r, m in zip(rows, marked, strict=True) if m]
    if not split:
        return
    weights = sum(cell_number(r.fields.get("weight")) or 0 for r in rows)
    if points_as_read([r.fields["weight"] for r in split], weights, digits):
        return
    others = [r for r, m in zip(rows, marked, strict=True) if not m]
    fixed_w = sum(cell_number(r.fields.get("weight")) or 0 for r in others)
    fixed_s = sum(cell_number(r.fields.get("score")) or 0 for r in others)
    reading = split_scores([r.fields["weight"] for r in split], fixed_w, fixed_s, digits)
    for n, row in enumerate(split):
        number = row.fields.pop("weight")
        if reading is None:
            row.extra.append(number)
            continue
        row.fields["weight"], row.fields["score"] = map(str, reading[n])
