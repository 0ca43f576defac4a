"""Cut text without separators (run-together rows, OCR) into cells: header titles, level names, values.

The first cut of the tokenizer for `spaces`/`none` text (nlp/documents/table/tokens.py); the recut of
nlp/documents/table/glued.py then mends what it leaves glued or apart. Anchors are the column titles
of nlp/data/table_headers.tsv, the level names, the 指标说明 wordings (flat_descriptions.txt), the
empty template labels (flat_templates.txt, dropped) and value expressions (nlp.values.glued_units).
"""

from __future__ import annotations

import re
from functools import lru_cache

from nlp.documents.cells import Cell, flat_descriptions, flat_grades, flat_template_re, flat_value_re
from nlp.documents.table.columns import title_table
from nlp.levels import canonical_level1, canonical_level2, level_key, level_words

_SCORE_ONLY = re.compile(r"^\(\d+(?:\.\d+)?分\)$")  # (50分) left alone in a cell
_DIGITS = re.compile(r"^\d+$")
_TITLE_RUN = 3  # column titles in a row that make a header inside running text


def _is_level(text: str) -> bool:
    return bool(canonical_level1(text) or canonical_level2(text))


def _piece(cell: Cell, text: str, first: bool) -> Cell:
    """A piece of a cell; only the first piece keeps the cell's row break."""
    return Cell(text, text, cell.line, cell.brk and first, cell.soft and first, glued=True)


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Column titles (longest first); the anchors a run-together row is cut at; a row's tail value."""
    titles = sorted(title_table()[0], key=len, reverse=True)
    head = re.compile("|".join(re.escape(t) for t in titles))
    value = flat_value_re().pattern
    words = (*level_words(), *flat_descriptions())
    template = flat_template_re().pattern
    anchor = re.compile("|".join(re.escape(w) for w in words) + f"|{template}|{value}")
    tail = re.compile(rf"^\D.*?(?:{value})$")  # 科目调整次数≤10次, 资金支出率达到目标值95%10
    return head, anchor, tail


@lru_cache(maxsize=1)
def _graded_end() -> re.Pattern[str]:
    grades = "|".join(re.escape(g) for g in flat_grades())
    return re.compile(rf"^(.+?)({grades})({grades})$")


def _gap_parts(gap: str, following: str) -> list[str]:
    """Text between two anchors; two grade words ending it before the 分值/得分 digits
    (`…质量等合格合格` + `2020`) are the target and the actual, cut off the name."""
    m = _graded_end().match(gap) if _DIGITS.match(following) else None
    return list(m.groups()) if m else [gap]


def cut_at_anchors(cell: Cell, text: str, first: bool) -> list[Cell]:
    """Cut run-together text at level names and values; a stop word keeps the rest whole.

    Empty template rows (`指标2:`) are dropped.
    """
    _, anchor, _ = _patterns()
    template = flat_template_re()
    out: list[Cell] = []
    pos = 0
    for m in anchor.finditer(text):
        if m.start() < pos:
            continue
        if m.start() > pos:
            gap = text[pos : m.start()]
            if level_key(gap).startswith(title_table()[1]):
                return [*out, _piece(cell, text[pos:], first and not out)]
            out += [_piece(cell, part, first and not out) for part in _gap_parts(gap, m.group())]
        if not template.fullmatch(m.group()):
            out.append(_piece(cell, m.group(), first and not out))
        pos = m.end()
    if pos < len(text):
        out.append(_piece(cell, text[pos:], first and not out))
    return out


def title_runs(text: str) -> list[list[re.Match[str]]]:
    """Runs of three or more column titles that follow each other: a header row in running text."""
    head = _patterns()[0]
    runs: list[list[re.Match[str]]] = []
    run: list[re.Match[str]] = []
    for m in head.finditer(text):
        if run and m.start() != run[-1].end():
            runs += [run] if len(run) >= _TITLE_RUN else []
            run = []
        run.append(m)
    return runs + ([run] if len(run) >= _TITLE_RUN else [])


def _title_prefix(text: str) -> bool:
    """The beginning of a column title (a header cut off by the end of the excerpt)."""
    key = level_key(text)
    return len(key) >= 4 and any(t.startswith(key) and t != key for t in title_table()[0])


def split_run_together(cells: list[Cell]) -> list[Cell]:
    """Cut run-together text (`产出指标数量指标足额保障率=100%`) into header titles, levels, values."""
    head, _, tail = _patterns()
    flat = False
    out: list[Cell] = []
    for cell in cells:
        text = cell.text
        titles = list(head.finditer(text))
        if sum(1 for m in titles if len(m.group()) > 2) >= _TITLE_RUN:
            flat = True
            end = titles[0].end()
            if titles[0].start():
                out.append(_piece(cell, text[: titles[0].start()], True))
            out.append(_piece(cell, titles[0].group(), not titles[0].start()))
            for m in titles[1:]:
                if m.start() != end:
                    break
                out.append(_piece(cell, m.group(), False))
                end = m.end()
            if _title_prefix(text[end:]):
                end = len(text)  # the excerpt ends inside the header: nothing more to read
            out += cut_at_anchors(cell, text[end:], False) if end < len(text) else []
        elif text.startswith(level_words()) and not _is_level(text) and not _SCORE_ONLY.search(text):
            flat = True
            out += cut_at_anchors(cell, text, True)
        elif flat and tail.match(text):
            out += cut_at_anchors(cell, text, True)
        else:
            out.append(cell)
    return out
