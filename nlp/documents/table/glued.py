"""Recut cells of text tables without separators (run-together, OCR, document-site previews) where
the first cut (nlp/documents/table/runtogether.py) leaves fields glued or apart.

Each pass is general and decides only what the text settles; an ambiguous cell is left as it is:
- a column title glued to the level name after it (`指标值产出指标`) is cut in two;
- a level's `(70分)` cut into `(` | `70` | `分)…` is put back on its level cell;
- a dash (an empty target, OCR `一` read as one) glued to the actual after it is cut off;
- an operator ending a name before a number (`资金使用效率=` | `100百分比`) goes to the number;
- a value at the start of a cell glued to the next name (`85%年度…及时率`) is cut off, and so is a
  bare number ending a name when the next cell starts with its unit;
- a unit standing apart from its number and glued to the next name (`1` | `次发生动态`) goes back
  to the number (units from nlp/data/value_units.tsv);
- digits glued in front of a value that the row states again further on (`102370人` … `2370人`,
  a 分值 column before 指标值 and 实际值) are the 分值, cut off when the header has a 分值 column;
- a cell holding the same text twice (`显著提升显著提升`: target and actual) is cut in two when the
  header has a target and an actual column;
- a one-word target (nlp/data/target_words.txt) ending a name on a row of its own between level
  names (`生态环境成本指标` `提升博物馆绿化水平提升` `效益指标`) is cut off the name when the header
  has a target column: the row states no other target;
- last, OCR slips in words (`顼` for `项`, nlp/data/ocr_slips.tsv `word`) are read where the whole
  cell then is a column title, a level name or a project label (`顼目产出(30分)`), raw kept.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from functools import lru_cache

from nlp import vocab
from nlp.documents import cells as _cells
from nlp.documents.table.columns import column_role
from nlp.documents.table.levels import title_or_level
from nlp.documents.table.ocr import read_slips, read_words
from nlp.documents.table.runtogether import cut_at_anchors
from nlp.segment import tokenize
from nlp.textnorm import fold
from nlp.values import glued_units

_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_SCORE_END = re.compile(r"^分[)）]")
_WEIGHT = re.compile(r"^(?:[1-9]\d?|100)$")  # a 分值: 1 to 100, no leading zero
_LOOK = 4  # cells after a glued value where the row may state it again (actual, after 得分 etc.)
_NAME_MIN = 4  # characters of the name left after a unit, where the layout has separators
_DOUBLE_MIN = 2  # characters of each half of a doubled cell
_CJK = re.compile(r"[\u4e00-\u9fff]")
_DATE = re.compile(r"\d[年月日]$")  # a date, not a value, before the words of a title (`2021年林业局…`)


_OPS = "".join(s for s, _, _ in vocab.rows("value_operators.tsv") if len(s) == 1 and not _CJK.match(s))
_DASHES = "".join(  # a dash written for an empty cell: the one-character dashes of value_placeholders.tsv
    s for s, _, _ in vocab.rows("value_placeholders.tsv") if len(s) == 1 and unicodedata.category(s) == "Pd"
)


@lru_cache(maxsize=1)
def _units() -> tuple[str, ...]:
    """Units that may end a value in run-together text (value_units.tsv `glued`), longest first."""
    return tuple(sorted(glued_units(), key=len, reverse=True))


def _piece(c: _cells.Cell, text: str, raw: str | None = None, first: bool = False) -> _cells.Cell:
    """A piece of a cell (its raw text where given); only the first piece keeps the cell's row break."""
    raw = text if raw is None else raw
    return replace(c, text=text, raw=raw, brk=c.brk and first, soft=c.soft and first, glued=True)


def _split(c: _cells.Cell, i: int) -> list[_cells.Cell]:
    """A cell cut in two at character `i`, text and raw alike (cells whose raw is as long as their text)."""
    return [_piece(c, c.text[:i], c.raw[:i], first=True), _piece(c, c.text[i:], c.raw[i:])]


def _first_word(text: str) -> str:
    """The first word of a text (jieba, with the project's dictionary)."""
    words = tokenize(text)
    return words[0] if words else ""


def _same_line(found: list[_cells.Cell], k: int, j: int) -> bool:
    return 0 <= j < len(found) and found[j].line == found[k].line


def _recut(c: _cells.Cell, text: str) -> list[_cells.Cell]:
    """The first cutter again on a piece of a cell (level names, values)."""
    return [_piece(c, p.text) for p in cut_at_anchors(c, text, False) if p.text]


def _glued_titles(found: list[_cells.Cell]) -> list[_cells.Cell]:
    """`指标值产出指标` → `指标值` `产出指标`: a column title glued to the level name (or title) after it."""
    out: list[_cells.Cell] = []
    for c in found:
        ends = range(2, len(c.text) - 1)
        cuts = [i for i in ends if column_role(c.text[:i]) and title_or_level(c.text[i:])]
        if cuts and not title_or_level(c.text) and len(c.raw) == len(c.text):
            i = cuts[-1]
            out += _split(c, i)
            continue
        out.append(c)
    return out


def _leading_dash(found: list[_cells.Cell], header: set[str]) -> list[_cells.Cell]:
    """`4` `—目标明确…` → `4` `—` `目标明确…`: an empty target (a dash) glued to the actual after it,
    in a table with a 分值 or 得分 column (elsewhere `22` `-社会效益` is a level code)."""
    if not header & {"weight", "score"}:
        return found
    out: list[_cells.Cell] = []
    for c in found:
        prev = out[-1] if out else None
        after_number = prev is not None and prev.line == c.line and bool(_NUMBER.match(prev.text))
        if after_number and c.text[:1] in _DASHES and _CJK.match(c.text[1:2]) and len(c.raw) == len(c.text):
            out += _split(c, 1)
            continue
        out.append(c)
    return out


def _bracketed_scores(found: list[_cells.Cell]) -> list[_cells.Cell]:
    """`产出指标` `(` `70` `分)` → `产出指标(70分)`; the text after `分)` is cut again."""
    out: list[_cells.Cell] = []
    k = 0
    while k < len(found):
        c = found[k]
        nxt = found[k + 1] if _same_line(found, k, k + 1) else None
        if _NUMBER.match(c.text) and nxt is not None and _SCORE_END.match(nxt.text) and out:
            if out[-1].text in ("(", "（") and len(out) > 1 and out[-2].line == c.line:
                out.pop()
            head = out.pop()
            score = f"({c.text}分)"
            base = head.text.rstrip("(（")
            out.append(replace(head, text=base + score, raw=head.raw.rstrip("(（") + score))
            out += _recut(nxt, nxt.text[2:]) if nxt.text[2:] else []
            k += 2
            continue
        out.append(c)
        k += 1
    return out


def _trailing_op(found: list[_cells.Cell]) -> list[_cells.Cell]:
    """`资金使用效率=` `100百分比` → `资金使用效率` `=100百分比` (the operator's raw text goes along)."""
    out: list[_cells.Cell] = []
    carry: tuple[str, str] | None = None
    for k, c in enumerate(found):
        if carry:
            c = replace(c, text=carry[0] + c.text, raw=carry[1] + c.raw)
            carry = None
        nxt = found[k + 1] if _same_line(found, k, k + 1) else None
        if (
            len(c.text) > 1
            and c.text[-1] in _OPS
            and _CJK.search(c.text[:-1])
            and len(c.raw) == len(c.text)
            and nxt is not None
            and nxt.text[:1].isdigit()
        ):
            carry = (c.text[-1], c.raw[-1])
            c = replace(c, text=c.text[:-1], raw=c.raw[:-1])
        out.append(c)
    return out


def _unit_before_target(found: list[_cells.Cell]) -> list[_cells.Cell]:
    """`各项工作完成及时率%` `=99百分比` → `各项工作完成及时率` `%` `=99百分比`: the unit of a name (`率(%)`)
    glued to it before a target with its operator."""
    out: list[_cells.Cell] = []
    for k, c in enumerate(found):
        nxt = found[k + 1].text if _same_line(found, k, k + 1) else ""
        named = len(c.text) > 1 and c.text.endswith("%") and bool(_CJK.match(c.text[-2]))
        if named and nxt[:1] in _OPS and nxt[1:2].isdigit() and len(c.raw) == len(c.text):
            out += _split(c, len(c.text) - 1)
            continue
        out.append(c)
    return out


def _value_ends(found: list[_cells.Cell]) -> list[_cells.Cell]:
    """A value glued before a name (`85%年度…及时率`) is cut off; so is a bare number ending a name when
    the next cell starts with a unit (`…种次2000` `种次…`)."""
    value = _cells.flat_value_re()
    out: list[_cells.Cell] = []
    for k, c in enumerate(found):
        m = value.match(c.text)
        lead = m.group() if m else ""
        if lead and not lead[-1].isdigit() and not _DATE.search(lead) and _CJK.match(c.text[len(lead) :]):
            out += [_piece(c, lead, first=True), *_recut(c, c.text[len(lead) :])]
            continue
        nxt = found[k + 1].text if _same_line(found, k, k + 1) else ""
        tail = re.search(r"\d+(?:\.\d+)?$", c.text)
        if tail and tail.start() and _CJK.match(c.text[tail.start() - 1]) and nxt.startswith(_units()):
            first = _piece(c, c.text[: tail.start()], first=True)
            out += [first, _piece(c, tail.group())]
            continue
        out.append(c)
    return out


def _units_apart(found: list[_cells.Cell]) -> list[_cells.Cell]:
    """`1` `次发生动态` → `1次` `发生动态`: a unit cut off its number and glued to the next name."""
    out: list[_cells.Cell] = []
    for c in found:
        prev = out[-1] if out else None
        if prev is not None and prev.line == c.line and re.search(r"\d$", prev.text):
            unit = next((u for u in _units() if c.text.startswith(u)), "")
            rest = c.text[len(unit) :]
            apart = prev.glued or c.glued or (_NUMBER.match(prev.text) and len(rest) >= _NAME_MIN)
            fits = not rest or (_CJK.match(rest) and _first_word(c.text) == unit)
            fits = fits and not title_or_level(c.text) and not _DATE.search(prev.text + unit)
            if unit and apart and fits:
                out[-1] = replace(prev, text=prev.text + unit, raw=prev.raw + unit, glued=True)
                if rest:
                    out.append(_piece(c, rest))
                continue
        out.append(c)
    return out


def _units_back(found: list[_cells.Cell]) -> list[_cells.Cell]:
    """`4项` `目立项相关性` → `4` `项目立项相关性`: a unit the first cut took from the word it begins."""
    found = list(found)
    ending = re.compile(r"\d([\u4e00-\u9fff])$")
    out: list[_cells.Cell] = []
    for k, c in enumerate(found):
        nxt = found[k + 1] if _same_line(found, k, k + 1) else c
        m = ending.search(c.text)
        unit = m.group(1) if m and m.group(1) in _units() else ""
        both = nxt is not c and c.glued and nxt.glued and len(c.raw) == len(c.text)
        begins = both and bool(_CJK.match(nxt.text)) and not title_or_level(nxt.text)
        if unit and begins and _first_word(unit + nxt.text) != unit:
            out.append(replace(c, text=c.text[:-1], raw=c.raw[:-1]))
            found[k + 1] = replace(nxt, text=unit + nxt.text, raw=unit + nxt.raw)
            continue
        out.append(c)
    return out


def _glued_weights(found: list[_cells.Cell], header: set[str]) -> list[_cells.Cell]:
    """`102370人` … `2370人` → `10` `2370人`: the digits before a value the row states again are its 分值."""
    if not header & {"weight", "score"}:
        return found
    out: list[_cells.Cell] = []
    for k, c in enumerate(found):
        later = {found[j].text for j in range(k + 1, k + 1 + _LOOK) if _same_line(found, k, j)}
        cuts = [
            i
            for i in range(1, 4)
            if i < len(c.text)
            and _WEIGHT.match(c.text[:i])
            and c.text[i:] in later
            and c.text[i:][:1].isdigit()
            and not c.text[i:].isdigit()
            and not re.match(r"0\d|0$", c.text[i:])
        ]
        if len(cuts) == 1 and len(c.raw) == len(c.text):
            i = cuts[0]
            out += _split(c, i)
            continue
        out.append(c)
    return out


def _doubled(found: list[_cells.Cell]) -> list[_cells.Cell]:
    """`显著提升显著提升` → `显著提升` `显著提升`: a target and its actual (or a level and a name of the
    same words: `财务管理财务管理制度有效性` → `财务管理` `财务管理制度有效性`) run together."""
    out: list[_cells.Cell] = []
    for c in found:
        text = c.text
        half = next((n for n in range(len(text) // 2, _DOUBLE_MIN - 1, -1) if text[:n] == text[n : 2 * n]), 0)
        words = half and _CJK.search(text[:half]) and not _NUMBER.match(text[:half])
        if c.glued and words and len(c.raw) == len(text):
            out += _split(c, half)
            continue
        out.append(c)
    return out


@lru_cache(maxsize=1)
def _target_words() -> tuple[str, ...]:
    """One-word qualitative targets (nlp/data/target_words.txt), longest first."""
    return tuple(sorted({fold(w) for w in vocab.words("target_words.txt")}, key=len, reverse=True))


def target_word(text: str) -> bool:
    """A cell that is a one-word qualitative target (`提升`, `长远`)."""
    return fold(text) in _target_words()


def _level(found: list[_cells.Cell], k: int, j: int) -> bool:
    """Cell j is on cell k's line and a level name or column title (or there is none: the line ends)."""
    return not _same_line(found, k, j) or title_or_level(found[j].text)


def _word_boundary(text: str, i: int) -> bool:
    """Character i of a text falls between two words (jieba, with the project's dictionary)."""
    ends, pos = set(), 0
    for word in tokenize(text):  # punctuation is no word of its own: each word found after the last
        pos = text.find(word, pos) + len(word)
        ends.add(pos)
    return i in ends


def _word_target(found: list[_cells.Cell], header: set[str]) -> list[_cells.Cell]:
    """`提升博物馆绿化水平提升` → `提升博物馆绿化水平` `提升`: a one-word target glued to the end of a
    name that stands between level names (see module docstring); cut at a word boundary only."""
    if "value" not in header:
        return found
    out: list[_cells.Cell] = []
    for k, c in enumerate(found):
        between = k > 0 and _same_line(found, k, k - 1) and title_or_level(found[k - 1].text)
        between = between and _level(found, k, k + 1) and len(c.raw) == len(c.text)
        tail = next((w for w in _target_words() if c.text.endswith(w)), "") if between else ""
        cut = len(c.text) - len(tail)
        if tail and cut >= _NAME_MIN and not title_or_level(c.text) and _word_boundary(c.text, cut):
            out += _split(c, cut)
            continue
        out.append(c)
    return out


def recut(found: list[_cells.Cell]) -> list[_cells.Cell]:
    """The cells of run-together or OCR text with the glued fields above cut apart (see module docstring)."""
    header = {r for c in found if (r := column_role(c.text))}
    found = _glued_titles(read_slips(found))
    found = _leading_dash(_bracketed_scores(found), header)
    found = _unit_before_target(_trailing_op(found))
    found = _value_ends(found)
    found = _units_back(_units_apart(found))
    found = _glued_weights(found, header)
    return read_words(_word_target(_doubled(found), header))
