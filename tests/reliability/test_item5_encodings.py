"""Item 5, encodings as users have them: Big5, traditional characters, a bad byte, UTF-8 mixed with GBK."""

from __future__ import annotations

import opencc
import pytest
from conftest import SEEDS

from nlp.documents import read_document
from nlp.textnorm import fold

S000, S001 = SEEDS / "000_e4e529e5a252bb3b.txt", SEEDS / "001_9bd8c889aec7234b.txt"
S002 = SEEDS / "002_392f80d8c612f394.txt"
TO_TRADITIONAL = opencc.OpenCC("s2t")


def _indicators(doc):
    return [
        (p.project_id, fold(i.name), fold(i.annual_value or "")) for p in doc.projects for i in p.indicators
    ]


def _as_read(seed, data, tmp_path):
    path = tmp_path / seed.name
    path.write_bytes(data)
    return read_document(path), read_document(seed)


def _shape(doc):
    return doc.layout, [len(p.indicators) for p in doc.projects]


@pytest.mark.parametrize("seed", [S000, S001], ids=["wrapped_000", "tabbed_001"])
def test_big5_file_is_detected_not_read_as_gb18030_garbage(seed, tmp_path):
    big5 = TO_TRADITIONAL.convert(seed.read_text(encoding="utf-8")).encode("big5", errors="replace")
    doc, original = _as_read(seed, big5, tmp_path)
    assert doc.problems[0].what.startswith("decoded as big5")
    assert _shape(doc) == _shape(original)
    utf8 = tmp_path / "utf8" / seed.name  # the same characters, in UTF-8
    utf8.parent.mkdir()
    utf8.write_bytes(big5.decode("big5").encode("utf-8"))
    assert _indicators(doc) == _indicators(read_document(utf8))


@pytest.mark.parametrize("seed", [S000, S002], ids=["wrapped_000", "selfeval_002"])
def test_traditional_character_file_reads_like_its_simplified_original(tmp_path, seed):
    text = TO_TRADITIONAL.convert(seed.read_text(encoding="utf-8"))
    doc, original = _as_read(seed, text.encode("utf-8"), tmp_path)
    assert _shape(doc) == _shape(original)
    same = sum(a == b for a, b in zip(_indicators(doc), _indicators(original), strict=True))
    assert same >= 0.95 * len(_indicators(original))  # t2s is not s2t reversed everywhere (批覆 stays)
    assert doc.problems[0].what.startswith("traditional characters: read on the simplified form")
    as_written = text.replace("\n", "")
    fields = [(i.name, i.annual_value or "", i.raw) for p in doc.projects for i in p.indicators]
    assert all(f in as_written or f in text for row in fields for f in row)  # kept as the file spells them
    assert doc.department == "廣州市增城區人民代表大會常務委員會辦公室"


def test_utf8_file_with_one_bad_byte_is_read_with_a_replacement_and_flagged(tmp_path):
    data = S001.read_bytes()
    cut = data.index(b"\n", 600) + 1
    doc, original = _as_read(S001, data[:cut] + b"\xff" + data[cut:], tmp_path)
    assert doc.layout == original.layout
    assert _indicators(doc) == _indicators(original)
    line = data[:cut].count(b"\n") + 1
    assert (doc.problems[0].line, doc.problems[0].what) == (line, f"line {line}: bytes that are not UTF-8 "
                                                                  "replaced by U+FFFD")  # fmt: skip


def test_file_mixing_utf8_and_gbk_lines_is_read_and_flagged(tmp_path):
    lines = S001.read_text(encoding="utf-8").split("\n")
    data = b"\n".join(line.encode("gbk" if i % 3 == 0 else "utf-8") for i, line in enumerate(lines))
    doc, original = _as_read(S001, data, tmp_path)
    assert doc.layout == original.layout
    assert _indicators(doc) == _indicators(original)
    assert "not UTF-8, read as gb18030" in doc.problems[0].what
