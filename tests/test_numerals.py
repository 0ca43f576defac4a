"""Chinese numerals, separators and multipliers (nlp.numerals), table-driven."""

from __future__ import annotations

import pytest

from nlp.numerals import cn_to_number, expand_percent_words, multiplier, numeral_table, parse_arabic

CN_NUMERALS = [
    ("三", 3.0),
    ("两", 2.0),
    ("十", 10.0),
    ("十二", 12.0),
    ("二十", 20.0),
    ("一百二十", 120.0),
    ("一千零五", 1005.0),
    ("三万五千", 35000.0),
    ("十二万", 120000.0),
    ("一亿二千万", 120000000.0),
    ("〇", 0.0),
    ("零", 0.0),
    ("二〇二一", 2021.0),
    ("统一", None),
    ("万", None),
    ("亿", None),
    ("", None),
]

ARABIC = [
    ("8,827,620.53", 8827620.53),
    ("1,200", 1200.0),
    ("4.5", 4.5),
    ("100", 100.0),
    (".5", 0.5),
    ("12a", None),
]

MULTIPLIERS = [
    ("万", 10000.0),
    ("千", 1000.0),
    ("亿", 100000000.0),
    ("百万", 1000000.0),
    ("千万", 10000000.0),
    ("份", None),
]

PERCENT_WORDS = [
    ("百分之九十五", "95%"),
    ("达到百分之九十五以上", "达到95%以上"),
    ("百分之99.5", "99.5%"),
    ("百分之九十九点五", "99.5%"),
    ("百分之百", "100%"),
    ("没有百分号", "没有百分号"),
]


@pytest.mark.parametrize(("text", "expected"), CN_NUMERALS, ids=[c[0] or "empty" for c in CN_NUMERALS])
def test_cn_to_number(text, expected):
    assert cn_to_number(text) == expected


@pytest.mark.parametrize(("text", "expected"), ARABIC, ids=[c[0] for c in ARABIC])
def test_parse_arabic(text, expected):
    assert parse_arabic(text) == expected


@pytest.mark.parametrize(("word", "expected"), MULTIPLIERS, ids=[c[0] for c in MULTIPLIERS])
def test_multiplier(word, expected):
    assert multiplier(word) == expected


@pytest.mark.parametrize(("text", "expected"), PERCENT_WORDS, ids=[c[0] for c in PERCENT_WORDS])
def test_expand_percent_words(text, expected):
    assert expand_percent_words(text) == expected


def test_numeral_table_roles_are_all_filled():
    table = numeral_table()
    assert (len(table.digits), set(table.small), set(table.big)) == (13, {"十", "百", "千"}, {"万", "亿"})
