"""Item 7, values never lie quietly and JSON stays JSON."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli

from nlp.quality import flag_table
from nlp.values import parse_value


def test_1e309_is_not_1_with_unit_e():
    v = parse_value("1e309")
    assert (v.raw, v.kind, v.number, v.unit) == ("1e309", "unspecified", None, None)
    assert v.flags == ("number_out_of_range",)


def test_scientific_notation_in_range_is_read_as_its_number():
    v = parse_value("1.5e3次")
    assert (v.kind, v.number, v.unit) == ("count", 1500.0, "次")


@pytest.mark.parametrize("text", ["9" * 400 + "元", "1e308万元"], ids=["400_digits", "1e308_wan"])
def test_number_beyond_float_range_is_kept_raw_with_a_flag(text):
    v = parse_value(text)
    assert (v.raw, v.number, v.number_max, v.flags) == (text, None, None, ("number_out_of_range",))


def test_ansi_escape_codes_are_stripped_before_parsing():
    v = parse_value("\x1b[1;31m≥95%\x1b[0m")
    assert (v.kind, v.op, v.number, v.unit) == ("threshold", ">=", 95.0, "%")
    assert v.raw == "\x1b[1;31m≥95%\x1b[0m"


def test_reversed_range_is_flagged():
    v = parse_value("35-20次")
    assert (v.op, v.number, v.number_max, v.flags) == ("between", 35.0, 20.0, ("reversed_range",))
    assert "reversed_range" not in parse_value("20-35次").flags


def test_new_flags_are_explained_in_flags_tsv():
    explained = set(flag_table()["flag"])
    assert {"reversed_range", "number_out_of_range", "non_finite_number"} <= explained


def test_values_output_with_nan_infinity_and_1e309_is_strict_json(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"value": NaN, "x": Infinity}\n{"value": "1e309"}\n{"value": "' + "9" * 400 + '"}\n')
    done = run_cli("values", "--in", src)
    assert done.returncode == 0, done.stderr

    def refuse(constant):
        raise ValueError(f"not strict JSON: {constant}")

    rows = [json.loads(line, parse_constant=refuse) for line in done.stdout.splitlines()]
    flags = ["missing_value;non_finite_number", "number_out_of_range", "number_out_of_range"]
    assert [r["flags"] for r in rows] == flags
    assert rows[0]["value"] == "nan" and rows[1]["value"] == "1e309"
