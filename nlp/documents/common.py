"""Helpers every layout reader shares: amounts, years, department and district, joined lines, sums."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, Protocol, TypeVar

from nlp.schema import Document, Indicator, Problem, Project, UnitTotal
from nlp.textnorm import clean, fold

_AMOUNT = re.compile(r"-?\d[\d,]*(?:\.\d+)?")  # 2,476.54 / 18.00 / 0 (a whole cell)
# A year the text states: 2024年, 2025-2026年度 (→ 2025), (2023-2024) (→ 2023).
_YEAR = re.compile(r"(?<!\d)(20\d{2})(?=\s*(?:年|[-—~～至]\s*20\d{2}))")
# The year a table or prose excerpt states first: 2024年, 2023年度 (the table and prose readers).
_TEXT_YEAR = re.compile(r"(20\d{2})\s*年度?")
# Department name → city and district: 广州市增城区人民代表大会… → 广州市, 增城区.
_PLACE = re.compile(r"^(?P<city>[^市]{2,4}?市)(?P<district>[^市区县]{2,4}?[区县])?")
_DEPARTMENT = re.compile(r"部门(?:名称)?\s*[:：]\s*(?P<name>.+?)(?:\s+单位\s*[:：].*)?$")
_R = TypeVar("_R")
# The one tolerance of every amount check (the reader's 合计/subtotal sums, the quality stage's
# total = fiscal + special_account + other): amounts are given to 0.01 万元, so a difference of a cent or
# more is the document's, and anything under half a cent is float noise.
AMOUNT_TOLERANCE = 0.005


def parse_amount(cell: str | None) -> tuple[float | None, bool]:
    """Read an amount cell in 万元: (value, ok); empty → (None, True), not a number → (None, False).

    >>> parse_amount("2,476.54"), parse_amount(""), parse_amount("约5万")
    ((2476.54, True), (None, True), (None, False))
    """
    text = fold(cell or "").replace(" ", "")
    if not text:
        return None, True
    if _AMOUNT.fullmatch(text):
        return float(text.replace(",", "")), True
    return None, False


def is_amount(cell: str) -> bool:
    """True for a cell that holds a number or nothing (what the amount columns hold)."""
    return parse_amount(cell)[1]


def year_of(text: str | None) -> int | None:
    """The first year the text states (`2025-2026年度…` → 2025), else None.

    >>> year_of("政务云资源租赁项目（2023-2024）"), year_of("2024年信息化设备运维项目"), year_of("购置经费")
    (2023, 2024, None)
    """
    m = _YEAR.search(fold(text or ""))
    return int(m.group(1)) if m else None


def stated_year(text: str) -> int | None:
    """The first `20xx年` (or `20xx 年度`) a document's text states, else None: the year of a table or
    prose excerpt (`year_of` reads a project title, where `2023-2024` counts too).

    >>> stated_year("某局2024年度项目支出绩效目标表"), stated_year("绩效目标表")
    (2024, None)
    """
    m = _TEXT_YEAR.search(text)
    return int(m.group(1)) if m else None


def district_of(department: str) -> str:
    """District (增城区) named by a department, else its city (广州市), else "".

    >>> district_of("广州市天河区人民代表大会常务委员会办公室"), district_of("广州市人民政府办公厅")
    ('天河区', '广州市')
    """
    m = _PLACE.match(clean(department))
    if not m:
        return ""
    return m.group("district") or m.group("city")


def department_of(lines: list[str]) -> str:
    """The 部门名称 stated in the first lines of a table ("" when none)."""
    for line in lines[:40]:
        m = _DEPARTMENT.search(clean(line))
        if m:
            return m.group("name").strip()
    return ""


def project_id(doc: str, n: int) -> str:
    """Stable project id: "<doc>-<NNN>", NNN the 1-based order in the document."""
    return f"{doc}-{n:03d}"


class _Fields:
    """A schema dataclass's fields in order, their defaults (MISSING where required) and the required ones."""

    def __init__(self, cls: type) -> None:
        self.defaults = {f.name: f.default for f in fields(cls)}
        self.required = frozenset(name for name, default in self.defaults.items() if default is MISSING)


_FIELDS: dict[type, _Fields] = {}


def record(cls: type[_R], **values: Any) -> _R:
    """`cls(**values)` for a frozen dataclass of nlp.schema (Project, Document …), filled at once.

    A frozen dataclass's __init__ makes an object.__setattr__ call per field, about half the cost of
    a Project the readers make per row; the schema's fields have plain defaults and no __post_init__,
    so filling the instance dict in field order gives an equal object (tests/test_documents.py).
    A missing required field or an unknown one is a TypeError, as with the constructor.
    """
    known = _FIELDS.get(cls) or _FIELDS.setdefault(cls, _Fields(cls))
    made = object.__new__(cls)
    state = made.__dict__
    state.update(known.defaults)
    state.update(values)
    if len(state) != len(known.defaults) or not values.keys() >= known.required:
        raise TypeError(f"{cls.__name__}: {sorted(values)} are not its fields")
    return made


def changed(obj: _R, **changes: Any) -> _R:
    """`replace(obj, **changes)` for a frozen dataclass of nlp.schema filled at once (see `record`)."""
    made = object.__new__(type(obj))
    state = made.__dict__
    state.update(obj.__dict__)
    state.update(changes)
    if len(state) != len(obj.__dict__):
        raise TypeError(f"{type(obj).__name__}: {sorted(changes)} are not its fields")
    return made


@dataclass
class Joined:
    """Pieces of consecutive lines joined without separators (PDF wrapping), mapping offsets to lines.

    Pieces are kept in a list and joined once when `text` is read, so adding is linear in the size.
    """

    pieces: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    _length: int = 0

    @property
    def text(self) -> str:
        """The pieces joined (cached as one piece until the next add)."""
        if len(self.pieces) > 1:
            self.pieces[:] = ["".join(self.pieces)]
        return self.pieces[0] if self.pieces else ""

    def add(self, line: int, piece: str) -> None:
        """Append one (cleaned) line's text."""
        piece = clean(piece)
        if piece:
            self.starts.append(self._length)
            self.lines.append(line)
            self.pieces.append(piece)
            self._length += len(piece)

    def line_of(self, offset: int) -> int | None:
        """The source line holding character `offset` of the joined text."""
        if not self.lines:
            return None
        return self.lines[max(0, bisect.bisect_right(self.starts, offset) - 1)]

    @property
    def first_line(self) -> int | None:
        """Line of the first piece."""
        return self.lines[0] if self.lines else None


@dataclass
class Parts:
    """What a reader collects while reading one document; `build` makes the frozen Document once."""

    projects: list[Project] = field(default_factory=list)
    subtotals: list[UnitTotal] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def build(self, head: Document) -> Document:
        """The Document of `head` (its own fields, read first) with the parts collected."""
        projects, subtotals, problems = tuple(self.projects), tuple(self.subtotals), tuple(self.problems)
        return changed(head, projects=projects, subtotals=subtotals, problems=problems)


@dataclass
class ProjectDraft:
    """A project whose rows are still being read: its fields so far and its indicators."""

    head: Project
    indicators: list[Indicator] = field(default_factory=list)

    def build(self, **changes: Any) -> Project:
        """The frozen Project: `head` with its indicators (and any field found last, in `changes`)."""
        return changed(self.head, indicators=tuple(self.indicators), **changes)


def draft_for(drafts: list[ProjectDraft], document: Document, project: str, line: int) -> ProjectDraft:
    """The draft a row goes into, in a reader that reads rows in order: the last one, or a new one
    (appended) when the row names another project than the last."""
    if not drafts or (project and project != drafts[-1].head.project):
        n = len(drafts) + 1
        head = record(
            Project,
            doc=document.doc,
            project_id=project_id(document.doc, n),
            project=project,
            department=document.department,
            year=document.year,
            line=line,
        )
        drafts.append(ProjectDraft(head))
    return drafts[-1]


def row_problem(path: str, ind: Indicator) -> Problem | None:
    """What a row read only in part reports: not fully read (`unparsed`) or cut by the excerpt."""
    if "unparsed" in ind.flags:
        return Problem(path, ind.line, f"row not fully read: {ind.raw[:80]}")
    if "truncated" in ind.flags:
        return Problem(path, ind.line, f"excerpt cut inside a row: {ind.raw[:80]}")
    return None


class ReadRow(Protocol):
    """A row of a reader that reads rows in order: the project it names (or "") and its line."""

    @property
    def project(self) -> str: ...

    @property
    def line(self) -> int: ...


_Row = TypeVar("_Row", bound=ReadRow)


def document_of_rows(
    path: str,
    document: Document,
    parts: Parts,
    rows: Sequence[_Row],
    indicator: Callable[[int, _Row, str, int], Indicator],
) -> Document:
    """The Document of rows read in order: each row's Indicator (`indicator(n, row, project_id, seq)`)
    in the draft of its project (`draft_for`), and a problem for each row read only in part."""
    drafts: list[ProjectDraft] = []
    for n, row in enumerate(rows):
        current = draft_for(drafts, document, row.project, row.line)
        ind = indicator(n, row, current.head.project_id, len(current.indicators) + 1)
        current.indicators.append(ind)
        problem = row_problem(path, ind)
        if problem is not None:
            parts.problems.append(problem)
    parts.projects = [draft.build() for draft in drafts]
    return parts.build(document)


@dataclass(frozen=True)
class AmountCheck:
    """One comparison of a stated subtotal (unit) or 合计 (unit "") with the sum of its rows."""

    doc: str
    unit: str
    line: int | None
    stated: float
    summed: float
    ok: bool


def amount_checks(doc: Document) -> list[AmountCheck]:
    """Compare each unit subtotal with its projects' totals, and 合计 with all projects and units.

    The sums are taken once per unit (linear in the document, however many subtotals it has).
    """
    by_unit: dict[str, list[float]] = {}
    for p in doc.projects:
        by_unit.setdefault(p.unit, []).append(p.total or 0.0)
    unit_sums = {unit: round(sum(rows), 2) for unit, rows in by_unit.items()}
    all_sum = round(sum(p.total or 0.0 for p in doc.projects), 2)
    units = [s for s in doc.subtotals if s.unit]
    units_sum = round(sum(u.total or 0.0 for u in units), 2)
    checks = []
    for sub in doc.subtotals:
        if sub.total is None:
            continue
        summed = unit_sums.get(sub.unit, 0.0) if sub.unit else all_sum
        ok = abs(summed - sub.total) < AMOUNT_TOLERANCE
        checks.append(AmountCheck(doc.doc, sub.unit, sub.line, sub.total, summed, ok))
        if not sub.unit and units:
            ok = abs(units_sum - sub.total) < AMOUNT_TOLERANCE
            checks.append(AmountCheck(doc.doc, "(units)", sub.line, sub.total, units_sum, ok))
    return checks


def apply_amount_checks(doc: Document) -> Document:
    """The document with a Problem per failed check and `amount_mismatch` on the projects it covers."""
    failed = [check for check in amount_checks(doc) if not check.ok]
    if not failed:
        return doc
    problems = []
    for check in failed:
        what = "合计" if check.unit in ("", "(units)") else f"subtotal of {check.unit}"
        parts = "its funding units" if check.unit == "(units)" else "its projects"
        problems.append(
            Problem(
                doc.path,
                check.line,
                f"amount_mismatch: {what} states {check.stated:.2f} but {parts} sum to {check.summed:.2f}",
            )
        )
    everything = any(check.unit in ("", "(units)") for check in failed)
    units = {check.unit for check in failed}
    projects = tuple(
        changed(p, flags=(*p.flags, "amount_mismatch"))
        if (everything or p.unit in units) and "amount_mismatch" not in p.flags
        else p
        for p in doc.projects
    )
    return changed(doc, projects=projects, problems=(*doc.problems, *problems))
