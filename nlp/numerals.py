"""Numbers as Chinese tables write them: Chinese numerals, thousands separators, 万/千/亿, 百分之.

The characters and their values live in nlp/data/numerals.tsv; this module is the mechanism.
Full-width digits are handled before this module by nlp.textnorm.fold (NFKC).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nlp.vocab import VocabError, rows


@dataclass(frozen=True)
class NumeralTable:
    """The rows of nlp/data/numerals.tsv, grouped by role."""

    digits: dict[str, int]
    small: dict[str, int]  # 十 百 千 inside a numeral
    big: dict[str, int]  # 万 亿 inside a numeral
    multipliers: dict[str, float]  # 万 千 亿 百万 … after an Arabic number


@lru_cache(maxsize=1)
def numeral_table() -> NumeralTable:
    """Load nlp/data/numerals.tsv once."""
    groups: dict[str, dict] = {"digit": {}, "small": {}, "big": {}, "multiplier": {}}
    for chars, value, role in rows("numerals.tsv"):
        if role not in groups:
            raise VocabError(f"nlp/data/numerals.tsv: role {role!r} of {chars!r} is not in {sorted(groups)}")
        groups[role][chars] = float(value) if role == "multiplier" else int(value)
    return NumeralTable(groups["digit"], groups["small"], groups["big"], groups["multiplier"])


def cn_chars() -> str:
    """All characters that may appear in a Chinese numeral (for building regexes)."""
    table = numeral_table()
    return "".join(sorted(set(table.digits) | set(table.small) | set(table.big)))


@lru_cache(maxsize=4096)
def cn_to_number(text: str) -> float | None:
    """Read a Chinese numeral; None if `text` is not one.

    >>> cn_to_number("三"), cn_to_number("十二"), cn_to_number("两"), cn_to_number("一百二十")
    (3.0, 12.0, 2.0, 120.0)
    >>> cn_to_number("三万五千"), cn_to_number("一千零五"), cn_to_number("〇"), cn_to_number("二〇二一")
    (35000.0, 1005.0, 0.0, 2021.0)
    >>> cn_to_number("统一") is None, cn_to_number("万") is None
    (True, True)
    """
    table = numeral_table()
    if not text or any(
        ch not in table.digits and ch not in table.small and ch not in table.big for ch in text
    ):
        return None
    if text[0] in table.big:  # 万, 亿元: a multiplier word, not a number
        return None
    if len(text) > 1 and all(ch in table.digits for ch in text):  # digit by digit: 二〇二一
        return float("".join(str(table.digits[ch]) for ch in text))
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in table.digits:
            digit = table.digits[ch]
        elif ch in table.small:
            section += (1 if digit is None else digit) * table.small[ch]  # 十二: a leading 十 means 1×10
            digit = None
        else:  # 万 亿
            section += digit or 0
            total = (
                (total + section) * table.big[ch]
                if table.big[ch] > total
                else total + section * table.big[ch]
            )
            section, digit = 0, None
    return float(total + section + (digit or 0))


_ARABIC = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+")  # 8,827,620.53 · 4.5 · .5


def parse_arabic(text: str) -> float | None:
    """Read an Arabic number with optional thousands separators; None if there is none.

    >>> parse_arabic("8,827,620.53"), parse_arabic("4.5"), parse_arabic("abc")
    (8827620.53, 4.5, None)
    """
    match = _ARABIC.fullmatch(text.strip())
    return float(match.group().replace(",", "")) if match else None


def multiplier(word: str) -> float | None:
    """The factor of a multiplier word written after a number (万 → 10000), else None.

    >>> multiplier("万"), multiplier("亿"), multiplier("百万"), multiplier("份")
    (10000.0, 100000000.0, 1000000.0, None)
    """
    return numeral_table().multipliers.get(word)


@lru_cache(maxsize=1)
def _percent_words() -> re.Pattern[str]:
    return re.compile(rf"百分之([\d.]+|[{cn_chars()}点]+)")  # 百分之95 · 百分之九十五 · 百分之九十九点五


def _cn_decimal(text: str) -> float | None:
    whole, _, frac = text.partition("点")
    number = cn_to_number(whole)
    if number is None or not frac:
        return number if not frac else None
    digits = [numeral_table().digits.get(ch) for ch in frac]
    return None if None in digits else float(f"{int(number)}.{''.join(map(str, digits))}")


def expand_percent_words(text: str) -> str:
    """Rewrite 百分之N as N% so that the value parser sees one spelling.

    >>> expand_percent_words("达到百分之九十五以上"), expand_percent_words("百分之99.5")
    ('达到95%以上', '99.5%')
    """
    if "百分之" not in text:
        return text

    def repl(match: re.Match[str]) -> str:
        raw = match.group(1)
        number = parse_arabic(raw) if raw[0].isdigit() or raw[0] == "." else _cn_decimal(raw)
        return match.group() if number is None else f"{format_number(number)}%"

    return _percent_words().sub(repl, text)


def format_number(number: float) -> str:
    """Write a number without a useless trailing .0.

    >>> format_number(95.0), format_number(0.5)
    ('95', '0.5')
    """
    return str(int(number)) if number == int(number) else repr(number)
