"""Records that cannot drift: a Document, its projects and indicators are built once by the reader.

Later stages (amount checks, document ids, the original spelling of a traditional-script file, the
fake-name check) make new records; none can change a record another stage holds. That the seed and
realdata outputs stayed the same when the records were frozen is tests/test_snapshot.py's check.
"""

from __future__ import annotations

import copy
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from nlp.documents import read_document
from nlp.documents.common import apply_amount_checks
from nlp.documents.discovery import relabel
from nlp.documents.table.cleanup import drop_fake_names
from nlp.schema import Document, Indicator, Project, UnitTotal

SEEDS = sorted((Path(__file__).resolve().parents[1] / "examples" / "documents").glob("*.txt"))


@pytest.fixture(scope="module", params=SEEDS, ids=[p.name[:3] for p in SEEDS])
def seed(request) -> Document:
    return read_document(request.param)


def test_every_record_of_a_seed_is_frozen(seed: Document) -> None:
    project = seed.projects[0]
    indicator = project.indicators[0]
    for record, name, value in (
        (seed, "layout", "other"),
        (seed, "projects", ()),
        (project, "total", 1.0),
        (project, "flags", ("edited",)),
        (indicator, "name", "edited"),
        (indicator, "annual_value", "100%"),
    ):
        with pytest.raises(FrozenInstanceError):
            setattr(record, name, value)
    if seed.subtotals:
        with pytest.raises(FrozenInstanceError):
            seed.subtotals[0].total = 0.0  # type: ignore[misc]


def test_collections_are_tuples_so_nothing_is_appended_later(seed: Document) -> None:
    assert all(
        isinstance(c, tuple)
        for c in (seed.projects, seed.subtotals, seed.problems, *(p.indicators for p in seed.projects))
    )
    assert all(isinstance(i.flags, tuple) for p in seed.projects for i in (p, *p.indicators))


def test_later_stages_leave_the_document_they_are_given_unchanged(seed: Document) -> None:
    before = copy.deepcopy(seed)
    relabelled = relabel(seed, "renamed")
    checked = apply_amount_checks(seed)
    dropped = drop_fake_names(seed)
    assert seed == before
    assert {p.doc for p in relabelled.projects} == {"renamed"}
    assert all(i.project_id.startswith("renamed-") for p in relabelled.projects for i in p.indicators)
    assert checked.projects == seed.projects  # read_document flagged the projects already
    assert dropped == seed


def test_amount_checks_make_a_new_document_with_the_flags() -> None:
    project = Project("d", "d-001", "项目", unit="单位", total=1.0)
    doc = Document(
        path="d.txt",
        doc="d",
        layout="tabbed",
        projects=(project,),
        subtotals=(UnitTotal("单位", 2.0, None, line=3),),
    )
    checked = apply_amount_checks(doc)
    assert (project.flags, doc.problems) == ((), ())
    assert checked.projects[0].flags == ("amount_mismatch",)
    assert [p.line for p in checked.problems] == [3]


def test_fake_names_are_dropped_in_a_new_document() -> None:
    ind = Indicator("d", "d-001", 1, "≥", annual_value="10", line=5)
    project = Project("d", "d-001", "项目", indicators=(ind,))
    doc = Document(path="d.txt", doc="d", layout="table", projects=(project,))
    dropped = drop_fake_names(doc)
    assert (ind.name, ind.flags) == ("≥", ())
    new = dropped.projects[0].indicators[0]
    assert (new.name, new.flags, new.raw) == ("", ("unparsed",), ind.raw)
    assert [p.line for p in dropped.problems] == [5]
