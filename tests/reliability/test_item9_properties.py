"""Item 9, tests that find the next one: properties of parse_value, read_document and `jixiao values`."""

from __future__ import annotations

import io
import json
import math
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nlp import values_io as vio
from nlp.documents import decode, read_document
from nlp.schema import KINDS
from nlp.values import parse_value

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# text as budget tables have it: Chinese, digits, operators, units, ranges, exponents, escapes, anything
VALUE_CHARS = "0123456789.,eE+-~%≥≤<>=±万千亿次人个项年月日天元率度以上内不少于至—　\t\x1b[m"
VALUE_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=VALUE_CHARS, max_size=12),
    st.from_regex(r"[≥≤]?\d{1,400}(\.\d+)?([eE][+-]?\d{1,5})?(万|%|次|元)?", fullmatch=True),
)


@FAST
@given(text=VALUE_TEXT, name=st.none() | st.text(max_size=15), unit=st.none() | st.text(max_size=4))
@example(text="9" * 400 + "元", name=None, unit=None)  # beyond a float: was number=inf
@example(text="\x1b[31m1e309\x1b[0m", name=None, unit=None)
def test_parse_value_on_any_text_keeps_raw_and_returns_a_taxonomy_kind(text, name, unit):
    v = parse_value(text, name=name, unit=unit)
    assert v.raw == text
    assert v.kind in KINDS
    assert all(math.isfinite(x) for x in (v.number, v.number_max) if x is not None)


BYTES = st.one_of(
    st.binary(max_size=400),
    st.lists(st.sampled_from(["合计", "项目名称\t", "满意度\t≥95%", "\n", "100", "\r\n"]), max_size=30)
    .map("".join)
    .map(str.encode),
    st.tuples(
        st.text(max_size=60), st.sampled_from(["utf-8", "gb18030", "utf-16"]), st.binary(max_size=4)
    ).map(lambda t: t[0].encode(t[1]) + t[2]),
)


@FAST
@given(data=BYTES)
def test_read_document_on_any_bytes_never_raises_and_never_drops_a_line_unflagged(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.txt"
        path.write_bytes(data)
        doc = read_document(path)
    assert doc.layout == "unknown" or doc.projects  # a document read is one with projects
    if doc.layout == "unknown":
        assert [p.severity for p in doc.problems] == ["error"]  # refused, and said so
    text, note = decode(data)
    if text is not None and not note and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        assert text == data.decode("utf-8-sig")  # clean UTF-8: every byte kept
    if text is not None and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        assert text.count("\n") == data.count(b"\n") or note  # a line lost is a line flagged


JSON_VALUE = st.one_of(
    VALUE_TEXT, st.floats(), st.integers(), st.none(), st.booleans(), st.lists(st.floats(), max_size=2)
)


ROWS = st.lists(st.dictionaries(st.sampled_from(["value", "name", "op", "unit"]), JSON_VALUE), max_size=8)


@FAST
@given(rows=ROWS)
def test_values_output_is_always_strict_json(rows):
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]  # NaN and Infinity as Python writes them
    stream = io.StringIO()
    vio.write_rows(vio.normalize_rows(vio.read_rows(lines, "jsonl")), "jsonl", stream)

    def refuse(constant):
        raise AssertionError(f"not strict JSON: {constant}")

    out = [json.loads(line, parse_constant=refuse) for line in stream.getvalue().splitlines()]
    assert len(out) == len(rows)
