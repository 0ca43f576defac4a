"""Reader for 项目支出绩效自评表 (seed 002): a self-evaluation table as PDF text, cells broken over lines.

Pragmatic by design: labels (项目名称, 主管部门, 年度资金总额…) are found in the text joined without
line breaks; indicator rows are anchored on the known level names (from nlp.levels) and on the pair
of numbers 分值 得分 that ends each row's value line (`600 人次 784 人次 15 15 调研报告`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from nlp.documents.common import Joined, Parts, district_of, project_id, record, year_of
from nlp.levels import canonical_level1, canonical_level2, level_headings
from nlp.schema import Document, Indicator, Problem, Project
from nlp.textnorm import clean, fold, fold_text

LAYOUT = "selfeval"
_NUM = r"\d+(?:\.\d+)?"
_TITLE = re.compile(r"项目支出绩效自评表")
_DOC_YEAR = re.compile(r"[(（]\s*(20\d{2})\s*年度?\s*[)）]")  # （2023 年度）
_FIELD = {  # label → the label that ends its value, in the joined table text
    "project": re.compile(r"项目名称(?P<v>.+?)项目级次"),
    "department": re.compile(r"主管部门(?P<v>.+?)实施单位"),
    "unit": re.compile(r"实施单位(?P<v>.+?)项目资金"),
}
_TOTAL_ROW = re.compile(rf"年度资金总额\s*(?P<v>(?:{_NUM}%?\s*)+)")  # [预算 执行] 分值 执行率 得分
_FISCAL_ROW = re.compile(rf"当年财政拨款.*?(?P<b>{_NUM})\s+(?P<e>{_NUM})")  # 预算数 执行数
_SPECIAL_ROW = re.compile(rf"财政专户管理资金\s*(?P<b>{_NUM})\s+(?P<e>{_NUM})")
_GOAL = re.compile(r"目标实际完成情况(?P<v>.+?。)")  # 年度预期绩效目标 (first sentence after the header)
_SCORE = re.compile(rf"总\s*分\s*(?P<v>{_NUM})")
_SECTION_START = re.compile(r"参考佐证材料")  # last column header of the indicator block
_SECTION_END = re.compile(r"^(存在问题|总\s*分|改进措施)")
# The 分值 得分 pair: the last two bare numbers of a row's value line, before the evidence text.
_PAIR = re.compile(rf"(?<![\d.%])(?P<w>{_NUM})\s+(?P<s>{_NUM})(?![\d.%])")
# level names heading a row (canonical and local: 项目完成指标; nlp.levels); 一级 ones carry their weight
_HEADINGS = sorted(level_headings(), key=len, reverse=True)
_LEVEL1_NAMES = "|".join(re.escape(k) for k in _HEADINGS if canonical_level1(k))
_LEVEL1_HEAD = re.compile(rf"(?P<n>{_LEVEL1_NAMES})\s*[(（]\s*{_NUM}%\s*[)）]")
_LEVEL2_NAMES = "|".join(re.escape(k) for k in _HEADINGS if canonical_level2(k))
_LEVEL2_HEAD = re.compile(rf"(?P<n>{_LEVEL2_NAMES})(?:指标)?")


def sniff_selfeval(text: str) -> bool:
    """True when the text holds a 项目支出绩效自评表 with an indicator block."""
    return bool(_TITLE.search(text)) and "三级指标" in text


def read_selfeval(path: str, text: str) -> Document | None:
    """Read a self-evaluation table; None when `text` is not one."""
    if not sniff_selfeval(text):
        return None
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines) if _TITLE.search(ln))
    table = Joined()
    for n, ln in enumerate(lines[start:], start=start + 1):
        table.add(n, ln)
    flat = fold_text(table.text)  # the whole document: not cached
    fields = {k: clean(m.group("v")) if (m := rx.search(table.text)) else "" for k, rx in _FIELD.items()}
    m_year = _DOC_YEAR.search(flat)
    head = Document(
        path=path,
        doc=Path(path).stem,
        layout=LAYOUT,
        department=fields["department"],
        district=district_of(fields["department"]),
        year=int(m_year.group(1)) if m_year else year_of(flat),
    )
    parts = Parts()
    pid = project_id(head.doc, 1)
    line = table.line_of(table.text.find("项目名称")) if "项目名称" in table.text else None
    money = _read_money(flat)
    if money.total is None:
        parts.problems.append(Problem(path, line, "budget amounts not found"))
    goal = _GOAL.search(table.text)
    score = _SCORE.search(flat)
    indicators = _read_indicators(lines, start, head, pid, parts.problems)
    if not indicators:
        parts.problems.append(Problem(path, line, "self-evaluation without readable indicators"))
    project = record(
        Project,
        doc=head.doc,
        project_id=pid,
        project=fields["project"],
        department=head.department,
        district=head.district,
        unit=fields["unit"],
        year=year_of(fields["project"]) or head.year,
        line=line,
        raw=table.text,
        **money._asdict(),
        goal=clean(goal.group("v")) if goal else "",
        total_score=float(score.group("v")) if score else None,
        indicators=tuple(indicators),
        flags=() if indicators else ("no_indicators",),
    )
    parts.projects.append(project)
    return parts.build(head)


class _Money(NamedTuple):
    """The amounts of a self-evaluation (万元; execution_rate in %), fields of its Project."""

    total: float | None
    executed: float | None
    execution_rate: float | None
    fiscal: float | None
    special_account: float | None


def _read_money(flat: str) -> _Money:
    """年度资金总额 row (分值 执行率 得分, budget and executed when stated) and the funding rows."""
    fiscal, special = _FISCAL_ROW.search(flat), _SPECIAL_ROW.search(flat)
    funding = (float(fiscal.group("b")) if fiscal else None, float(special.group("b")) if special else None)
    total = _TOTAL_ROW.search(flat)
    nums = [float(x.rstrip("%")) for x in total.group("v").split()] if total else []
    if len(nums) >= 5:  # 预算数 执行数 分值 执行率 得分
        return _Money(nums[0], nums[1], nums[3], *funding)
    # amounts only on the funding rows: 分值 执行率 得分
    parts = [m for m in (fiscal, special) if m]
    return _Money(
        round(sum(float(m.group("b")) for m in parts), 2) if parts else None,
        round(sum(float(m.group("e")) for m in parts), 2) if parts else None,
        nums[1] if len(nums) >= 2 else None,
        *funding,
    )


def _read_indicators(
    lines: list[str], start: int, doc: Document, pid: str, problems: list[Problem]
) -> list[Indicator]:
    """Walk the indicator block line by line; each value line (ending in 分值 得分) closes a row."""
    out: list[Indicator] = []
    buf: list[tuple[int, str]] = []
    level1 = level2 = ""
    begun = False
    for n, raw in enumerate(lines[start:], start=start + 1):
        s = clean(raw)
        if not begun:
            begun = bool(_SECTION_START.search(s))
            continue
        if not s:
            continue
        if _SECTION_END.match(s):
            break
        pairs = list(_PAIR.finditer(fold(s)))
        if not pairs:
            buf.append((n, s))
            continue
        pair = pairs[-1]
        level1, level2, ind = _row(buf, s, pair, level1, level2, n, (doc.doc, pid, len(out) + 1))
        if "unparsed" in ind.flags:
            problems.append(Problem(doc.path, n, f"self-evaluation row not understood: {ind.raw[:60]!r}"))
        out.append(ind)
        buf = []
    return out


def _row(
    buf: list[tuple[int, str]],
    s: str,
    pair: re.Match[str],
    level1: str,
    level2: str,
    n: int,
    key: tuple[str, str, int],
) -> tuple[str, str, Indicator]:
    """One indicator from the lines before its value line and the value line itself (`key`: its doc,
    project id and seq)."""
    text = "".join(p for _, p in buf)
    folded = fold(text)
    cut = 0
    l1_raw = l2_raw = ""
    if m1 := _LEVEL1_HEAD.search(folded):
        level1 = canonical_level1(m1.group("n")) or ""
        level2, cut, l1_raw = "", m1.end(), text[m1.start() : m1.end()]
    if (m2 := _LEVEL2_HEAD.match(folded, cut)) or (m2 := _LEVEL2_HEAD.search(folded, cut)):
        level2 = canonical_level2(m2.group("n"), level1 or None) or ""
        cut, l2_raw = m2.end(), text[m2.start() : m2.end()]
    # the rest of the lines, after the level labels, hold the name (and sometimes the target)
    rest: list[str] = []
    seen = 0
    for _, piece in buf:
        if seen + len(piece) > cut:
            rest.append(piece[max(0, cut - seen) :])
        seen += len(piece)
    values = s[: pair.start()].split()
    flags: list[str] = []
    target: str | None
    actual: str | None
    if len(values) == 4 and not values[1][0].isdigit():  # "600 人次 784 人次"
        values = [values[0] + " " + values[1], values[2] + " " + values[3]]
    if len(values) >= 2:
        target, actual, name = " ".join(values[:-1]), values[-1], "".join(rest)
    elif len(values) == 1 and len(rest) >= 2:
        actual = values[0]
        k = next((k for k in range(1, len(rest)) if "".join(rest[k:]) == actual), len(rest) - 1)
        name, target = "".join(rest[:k]), "".join(rest[k:])
    else:
        name, target, actual = "".join(rest), None, values[0] if values else None
        flags.append("unparsed")
    raw = "".join(p for _, p in buf) + s
    ind = Indicator(
        doc=key[0],
        project_id=key[1],
        seq=key[2],
        name=name or raw,
        level1=level1,
        level2=level2,
        annual_value=target,
        actual_value=actual,
        weight=float(pair.group("w")),
        score=float(pair.group("s")),
        raw=raw,
        line=buf[0][0] if buf else n,
        flags=tuple(flags if name else [*flags, "unparsed"]),
        level1_raw=l1_raw,
        level2_raw=l2_raw,
    )
    return level1, level2, ind
