"""Clean-ups of a read Document (any reader's): rows named by no indicator name lose the name, group
headings with only their 分值 | 得分 are dropped; each change is kept as a problem."""

from __future__ import annotations

from dataclasses import replace

from nlp.documents.table.row import fake_name
from nlp.schema import Document, Indicator, Problem


def drop_fake_names(document: Document) -> Document:
    """The document whose rows named by a bare operator, number, unit or standard word (any reader's)
    lose the name and are flagged unparsed (the raw text stays), so that no output row is a fake
    indicator."""
    problems: list[Problem] = []

    def checked(ind: Indicator) -> Indicator:
        if not (ind.name and fake_name(ind.name)):
            return ind
        problems.append(Problem(document.path, ind.line, f"not an indicator name: {ind.name}"))
        return replace(ind, name="", flags=ind.flags if "unparsed" in ind.flags else (*ind.flags, "unparsed"))

    projects = tuple(replace(p, indicators=tuple(map(checked, p.indicators))) for p in document.projects)
    if not problems:
        return document
    return replace(document, projects=projects, problems=(*document.problems, *problems))


def _heading(ind: Indicator, nxt: Indicator | None) -> bool:
    """A group heading: a name with its 分值 (and 得分) but no target or actual, whose next row has a
    target and no 分值 of its own (`★补助各类粮食作物种植面积 10 10`, then its rows)."""
    if ind.annual_value or ind.period_value or ind.actual_value or ind.weight is None:
        return False
    return nxt is not None and bool(nxt.annual_value or nxt.period_value) and nxt.weight is None


def _inherit_raw_levels(ind: Indicator, heading: Indicator) -> Indicator:
    """The row after a dropped heading keeps the level cells written on the heading's line."""
    same = ind.level1 == heading.level1 and ind.level2 == heading.level2
    return replace(
        ind,
        level1_raw=ind.level1_raw or (heading.level1_raw if same else ""),
        level2_raw=ind.level2_raw or (heading.level2_raw if same else ""),
    )


def drop_group_headings(document: Document) -> Document:
    """The document without its group headings (see `_heading`; any reader's), each one kept as a
    problem naming its line and text, so that a heading's 分值 | 得分 is never read as an indicator."""
    problems: list[Problem] = []
    projects = []
    for p in document.projects:
        inds = list(p.indicators)
        kept: list[Indicator] = []
        heading: Indicator | None = None
        for i, nxt in zip(inds, [*inds[1:], None], strict=True):
            if _heading(i, nxt):
                problems.append(
                    Problem(document.path, i.line, f"group heading, not an indicator: {i.raw[:80]}")
                )
                heading = i
            else:
                kept.append(_inherit_raw_levels(i, heading) if heading is not None else i)
                heading = None
        renumbered = tuple(replace(i, seq=n) for n, i in enumerate(kept, 1))
        projects.append(replace(p, indicators=renumbered) if len(kept) < len(inds) else p)
    if not problems:
        return document
    return replace(document, projects=tuple(projects), problems=(*document.problems, *problems))
