"""Self-evaluations: was each target met, and does the stated score add up?

A 绩效自评表 states per indicator the target (年度指标值), the actual (实际完成值), the weight (分值)
and the score the unit gave itself (得分), then a 总分. `judge(target, actual)` compares the two
normalized values (nlp.values) and `recompute_score` applies the scoring rule of 财政部《项目支出绩效
评价管理办法》(财预〔2020〕10号) for 单位自评, as 自评表 guidance applies it:

- 定量指标: a target reached scores the full weight; a target missed scores the weight × the ratio of
  actual to target ("未完成指标值的，按照完成值与指标值的比例记分"). For a 正向 indicator the ratio is
  actual / target, for a 反向 one (≤ bounds, costs) target / actual; capped at the weight.
- 定性指标: 达成预期指标 scores the full weight; 部分达成预期指标并具有一定效果 80–60 %, 未达成预期指标
  且效果较差 60–0 % of the weight. `score_recomputed` is the top of the band; a stated score outside the
  band by more than SCORE_TOLERANCE is a `score_mismatch`.
- 总分 = the indicator scores + the 预算执行率 row (weight 10 by default: 100 − the indicator weights).

The words that confirm or deny a target are data (nlp/data/achievement_words.tsv); units and
multipliers come from the values stage (nlp/data/value_units.tsv, numerals.tsv). docs/TAXONOMY.md §6
is the contract. nlp/achievement_tables.py applies these functions to the indicators table.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from nlp.numerals import multiplier, numeral_table
from nlp.schema import Value
from nlp.textnorm import fold
from nlp.values import read_direction
from nlp.vocab import rows

__all__ = [
    "ACHIEVEMENT_FLAGS",
    "SCORE_TOLERANCE",
    "Achievement",
    "judge",
    "recompute_score",
    "score_band",
    "score_shares",
    "total_check",
    "word_verdict",
]

SCORE_TOLERANCE = 0.5  # points: scores are written to whole or half points, so rounding stays within it
FULL_MARKS = 100.0  # a 自评表's 总分
QUALITATIVE_BANDS = {"met": (1.0, 1.0), "partial": (0.6, 0.8), "not_met": (0.0, 0.6)}  # share of the weight
ACHIEVEMENT_FLAGS = {"score_mismatch": "indicator", "total_mismatch": "project"}
QUANTITATIVE = ("rate", "count", "threshold")
COST_LEVELS = re.compile(r"^(?:4|14|41|42|43)-")  # TAXONOMY §2 codes of 成本指标 (4-, 14-, 41-43)

_WORDS = rows("achievement_words.tsv")
_VERDICT_ORDER = {"not_met": 0, "partial": 1, "met": 2}  # denials first: 未完成 before 完成
_WORD_RULES = sorted(_WORDS, key=lambda r: (_VERDICT_ORDER[r[1]], -len(r[0])))
_SHARE_WORDS = tuple(w for w, verdict, _, share in _WORDS if share == "yes")
_PUNCT = re.compile(r"[\s.,;:!?。，；：！？、\"'“”‘’()（）\[\]【】<>《》-]+")
_MULT_AFTER_NUMBER = re.compile(
    r"\d(?:\.\d+)?\s*(?P<mult>"
    + "|".join(sorted(map(re.escape, numeral_table().multipliers), key=len, reverse=True))
    + ")"
)


@dataclass(frozen=True)
class Achievement:
    """The verdict on one indicator: achieved, the ratio, why (for not_comparable and conversions)."""

    achieved: str  # met, not_met, exceeded, not_comparable
    ratio: float | None = None  # actual/target (正向, ≥, point), target/actual (反向, ≤)
    note: str = ""
    qualitative: str | None = None  # the word verdict (met / partial / not_met) when words decided


# ---------------------------------------------------------------- words


def _bare(text: str) -> str:
    """Folded text without punctuation and spaces, for comparing words."""
    return _PUNCT.sub("", fold(text))


@lru_cache(maxsize=20_000)
def word_verdict(text: str) -> tuple[str, str] | None:
    """(verdict, word) when the text confirms (met), partly confirms (partial) or denies (not_met).

    >>> word_verdict("达成预期指标"), word_verdict("部分达成预期指标"), word_verdict("未完成")
    (('met', '达成预期指标'), ('partial', '部分达成预期指标'), ('not_met', '未完成'))
    """
    bare = _bare(text)
    for word, verdict, match, _ in _WORD_RULES:
        if (match == "exact" and bare == word) or (match == "contains" and word in bare):
            return verdict, word
    return None


def _share_of_target(actual: Value) -> float | None:
    """已完成100% → 1.0: a percentage after a completion word is the share of the target done."""
    if actual.unit != "%" or actual.number is None or actual.unit_source != "value":
        return None
    text = _bare(actual.raw)
    return actual.number / 100 if any(w in text for w in _SHARE_WORDS) else None


# ---------------------------------------------------------------- numbers


def _written_factor(value: Value) -> float:
    """The multiplier written right after the number (90万元 → 10000), 1 when none."""
    match = _MULT_AFTER_NUMBER.search(value.text or fold(value.raw))
    return (multiplier(match.group("mult")) or 1.0) if match else 1.0


def _own_unit(value: Value) -> bool:
    """The unit is written in the value or a 计量单位 column (not guessed from the name)."""
    return bool(value.unit) and value.unit_source in ("value", "column")


@dataclass(frozen=True)
class _Aligned:
    """Target (low, high) and actual numbers on one scale; whether the units agree; notes on conversions."""

    low: float
    high: float | None
    actual: float
    comparable: bool
    notes: tuple[str, ...]


def _closer(number: float, other: float, factor: float) -> float:
    """number, or number × factor when that is nearer `other` (a bare 90 against 90万元 means 90万)."""
    if factor == 1.0 or number <= 0 or other <= 0:
        return number
    return (
        number * factor if abs(math.log(number * factor / other)) < abs(math.log(number / other)) else number
    )


def _align(target: Value, actual: Value) -> _Aligned:
    """Put target and actual numbers on one scale.

    A side without a unit of its own (bare, or only guessed from the name) is read in the other side's
    unit; a bare number also takes the other side's written multiplier when that brings it nearer
    (≤90万元 vs 90 → 90万元, but vs 900000 → 900000 元). A % side that is a bare number in (0, 1] against
    a point or lower-bound target above 1 is read as a fraction (≥95% vs 0.96 → 96 %).
    """
    lo, hi, x = float(target.number), target.number_max, float(actual.number)  # type: ignore[arg-type]
    notes: list[str] = []
    unit_t, unit_a = target.unit, actual.unit
    if not _own_unit(actual) and (_own_unit(target) or unit_a is None):
        if unit_t and unit_a != unit_t:
            notes.append("actual read in the target's unit")
            unit_a = unit_t
        factor = _written_factor(target)
        if actual.unit_source is None and _written_factor(actual) == 1.0 and _closer(x, lo, factor) != x:
            x *= factor
            notes.append(f"actual read in the target's multiplier (×{factor:g})")
    elif not _own_unit(target) and (_own_unit(actual) or unit_t is None):
        if unit_a and unit_t != unit_a:
            notes.append("target read in the actual's unit")
            unit_t = unit_a
        factor = _written_factor(actual)
        if target.unit_source is None and _written_factor(target) == 1.0 and _closer(lo, x, factor) != lo:
            lo, hi = lo * factor, (None if hi is None else hi * factor)
            notes.append(f"target read in the actual's multiplier (×{factor:g})")
    if unit_t == unit_a == "%" and target.op in ("=", ">=", ">", "between"):
        if actual.unit_source != "value" and 0 < x <= 1 < lo:
            x *= 100
            notes.append("actual read as a fraction (×100)")
        elif target.unit_source != "value" and 0 < lo <= 1 < x and (hi is None or hi <= 1):
            lo, hi = lo * 100, (None if hi is None else hi * 100)
            notes.append("target read as a fraction (×100)")
    if unit_t != unit_a:
        notes.append(f"units differ: {unit_t} vs {unit_a}")
    return _Aligned(lo, hi, x, unit_t == unit_a, tuple(notes))


def _ratio(num: float, den: float) -> float | None:
    return None if den == 0 else round(num / den, 4)


def _compare(op: str, lo: float, hi: float | None, x: float, reverse: bool) -> tuple[str, float | None]:
    """achieved and ratio of an actual number x against a target (op, lo, hi) on the same scale."""
    if op == "between" and hi is not None:
        if lo <= x <= hi:
            return "met", 1.0
        return "not_met", (_ratio(x, lo) if x < lo else _ratio(hi, x))
    if op in (">=", ">"):
        ok = x >= lo if op == ">=" else x > lo
        return ("met" if ok else "not_met"), _ratio(x, lo)
    if op in ("<=", "<"):
        ok = x <= lo if op == "<=" else x < lo
        return ("met" if ok else "not_met"), _ratio(lo, x)
    ratio = _ratio(lo, x) if reverse else _ratio(x, lo)  # a point target
    if math.isclose(x, lo, rel_tol=1e-9, abs_tol=1e-9):
        return "met", 1.0
    better = x < lo if reverse else x > lo
    return ("exceeded" if better else "not_met"), ratio


# ---------------------------------------------------------------- the verdict


def _missing(value: Value, side: str) -> str:
    """Why a side states nothing to compare (its value flag, else 'no <side>')."""
    reason = next((f for f in value.flags if f in ("placeholder", "formula_not_value")), "")
    return f"{side} is {reason}" if reason else f"no {side}"


def _by_words(actual: Value, target: Value) -> Achievement | None:
    """Decide from the actual's words: the target repeated, or a word that confirms or denies it."""
    a, t = _bare(actual.raw), _bare(target.raw)
    if a and a == t:
        return Achievement("met", 1.0, "same words", "met")
    found = word_verdict(actual.raw)
    if found:
        verdict, word = found
        return Achievement("met" if verdict == "met" else "not_met", None, f"actual says {word}", verdict)
    if t and target.kind == "qualitative" and t in a:
        return Achievement("met", 1.0, "actual repeats the target", "met")
    return None


@lru_cache(maxsize=100_000)
def judge(target: Value, actual: Value, direction: str | None = None, cost: bool = False) -> Achievement:
    """Met, not_met, exceeded or not_comparable, and the ratio, of one target against its actual.

    `direction` is a stated 正向/反向; without it ≤/< targets and money amounts under a cost level
    (`cost`) are 反向, the rest 正向.

    >>> from nlp.values import parse_value as p
    >>> judge(p("≥95%"), p("96%"))
    Achievement(achieved='met', ratio=1.0105, note='', qualitative=None)
    >>> judge(p("≤90万元"), p("85万元")).achieved, judge(p("100件"), p("129件")).achieved
    ('met', 'exceeded')
    """
    if target.kind == "unspecified" or (target.kind in QUANTITATIVE and target.number is None):
        return Achievement("not_comparable", note=_missing(target, "target"))
    if actual.kind == "unspecified":
        return Achievement("not_comparable", note=_missing(actual, "actual"))
    stated = read_direction(direction)
    if stated in ("正向", "反向"):
        reverse = stated == "反向"
    else:  # no (readable) direction: ≤ bounds and money spent on a cost indicator are 反向
        reverse = target.op in ("<=", "<") or (cost and (target.unit or "").startswith("元"))
    share = _share_of_target(actual)
    numeric = target.kind in QUANTITATIVE and actual.kind in QUANTITATIVE and actual.number is not None
    if numeric:
        aligned = _align(target, actual)
        notes = list(aligned.notes)
        if actual.op not in (None, "="):
            notes.append(f"actual stated as a bound ({actual.op})")
        if aligned.comparable:
            op = target.op or "="
            achieved, ratio = _compare(op, aligned.low, aligned.high, aligned.actual, reverse)
            return Achievement(achieved, ratio, "; ".join(notes))
        if share is None:
            return Achievement("not_comparable", note="; ".join(notes))
    if share is not None and (target.kind == "qualitative" or numeric):
        achieved = "met" if share >= 1 else "not_met"
        return Achievement(achieved, round(share, 4), "actual is the share of the target done")
    words = _by_words(actual, target)
    if words:
        return words
    if target.kind == "qualitative" and actual.kind == "qualitative":
        return Achievement("not_comparable", note="words differ")
    if target.kind == "qualitative":
        return Achievement("not_comparable", note="target in words, actual a number")
    return Achievement("not_comparable", note="target a number, actual in words")


def score_shares(achievement: Achievement) -> tuple[float, float] | None:
    """The shares of the weight the rule allows (low, high), or None when it cannot say (not_comparable).

    >>> score_shares(Achievement("not_met", 0.9)), score_shares(Achievement("not_met", None, "", "partial"))
    ((0.9, 0.9), (0.6, 0.8))
    """
    if achievement.achieved == "not_comparable":
        return None
    if achievement.qualitative is not None and achievement.ratio is None:
        return QUALITATIVE_BANDS[achievement.qualitative]
    ratio = achievement.ratio
    if ratio is None:  # a zero target reached (≤0 with 0, ≥0): nothing to scale by
        ratio = 1.0 if achievement.achieved in ("met", "exceeded") else 0.0
    share = min(max(ratio, 0.0), 1.0)
    return share, share


def score_band(achievement: Achievement, weight: float | None) -> tuple[float, float] | None:
    """The scores the rule allows (low, high), or None when it cannot say (not_comparable, no weight)."""
    shares = score_shares(achievement)
    if weight is None or shares is None:
        return None
    return round(weight * shares[0], 2), round(weight * shares[1], 2)


def recompute_score(achievement: Achievement, weight: float | None) -> float | None:
    """The score the rule gives: ratio × weight capped at the weight; words: the top of their band.

    >>> recompute_score(Achievement("not_met", 0.9), 10), recompute_score(Achievement("exceeded", 1.3), 15)
    (9.0, 15.0)
    """
    band = score_band(achievement, weight)
    return None if band is None else band[1]


def total_check(stated_total: float | None, scores: list[float | None], weights: list[float | None]) -> bool:
    """Do the stated indicator scores fail to add up to the stated 总分?

    The 总分 also holds the 预算执行率 row (not an indicator), worth what the indicator weights leave of
    100; so the gap total − Σ scores must lie in [0, 100 − Σ weights] (within SCORE_TOLERANCE). Unknown
    (False) when the total or any indicator's score or weight is missing.

    >>> total_check(99, [15, 15, 10, 15, 15, 10, 10], [15, 15, 10, 10, 15, 15, 10])
    False
    >>> total_check(101, [15, 15, 10, 15, 15, 10, 10], [15, 15, 10, 10, 15, 15, 10])
    True
    """
    if (
        stated_total is None
        or not scores
        or any(s is None for s in scores)
        or any(w is None for w in weights)
    ):
        return False
    gap = stated_total - sum(scores)  # type: ignore[arg-type]
    room = max(FULL_MARKS - sum(weights), 0.0)  # type: ignore[arg-type]
    return gap < -SCORE_TOLERANCE or gap > room + SCORE_TOLERANCE
