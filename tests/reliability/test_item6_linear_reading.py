"""Item 6, linear in document size: the amount checks look at each project a bounded number of times.

(Speed itself is measured by benchmarks/bench_reading.py; this counts work, which does not depend
on how loaded the machine is.)
"""

from __future__ import annotations

from dataclasses import dataclass

from nlp.documents.common import Joined, amount_checks, apply_amount_checks
from nlp.schema import Document, Project, UnitTotal

UNITS = 500  # a 16 MB document has thousands of funding units, each with its subtotal


@dataclass(frozen=True)
class CountedProject(Project):
    """A project that counts how often its funding unit is looked at."""

    def __getattribute__(self, name):
        if name == "unit":
            COUNT[0] += 1
        return object.__getattribute__(self, name)


COUNT = [0]


def _document() -> Document:
    projects = [
        CountedProject("big", f"big-{u:04d}{k}", f"项目{k}", unit=f"单位{u}", total=1.0)
        for u in range(UNITS)
        for k in range(4)
    ]
    subtotals = [UnitTotal(f"单位{u}", 4.0 if u % 2 else 5.0, None, line=u) for u in range(UNITS)]
    subtotals.append(UnitTotal("", 1.0, None, line=UNITS + 1))  # a wrong 合计
    return Document(
        path="big.txt", doc="big", layout="tabbed", projects=tuple(projects), subtotals=tuple(subtotals)
    )


def test_amount_checks_of_a_document_with_many_units_look_at_each_project_a_few_times():
    doc = _document()
    COUNT[0] = 0
    checks = amount_checks(doc)
    assert len(checks) == UNITS + 2
    assert COUNT[0] <= 3 * len(doc.projects)


def test_amount_mismatch_flags_of_a_document_with_many_units_in_one_pass():
    doc = _document()
    COUNT[0] = 0
    doc = apply_amount_checks(doc)
    assert COUNT[0] <= 6 * len(doc.projects)
    assert all(p.flags == ("amount_mismatch",) for p in doc.projects)  # the 合计 is wrong: all covered
    assert len(doc.problems) == UNITS // 2 + 2  # the even units, the 合计, and the units against it


def test_joined_lines_keep_their_offsets_without_rebuilding_the_text():
    joined = Joined()
    for line in range(1, 2001):
        joined.add(line, f"第{line}行")
    assert joined.text.startswith("第1行第2行") and joined.line_of(len("第1行")) == 2
    assert len(joined.pieces) == 1  # joined once when read, not on every add
