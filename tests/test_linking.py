"""Linking on the seed project names: labeled pairs, generated variants, family guard, evidence."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from nlp.linking import DEFAULT_THRESHOLD, evaluate_pairs, link_projects, pairs_to_projects, score_pairs

PAIRS_FILE = Path(__file__).resolve().parents[1] / "training_data" / "project_pairs.csv"
PAIRS = pd.read_csv(PAIRS_FILE, keep_default_na=False)
ZC = "广州市增城区人民代表大会常务委员会办公室"
TH = "广州市天河区人民代表大会常务委员会办公室"
BY = "广州市白云区人民政府办公室"


@pytest.fixture(scope="module")
def pair_scores() -> pd.Series:
    return score_pairs(PAIRS)


def _pair_id(row: pd.Series) -> str:
    return f"{row.doc_a[:3]}:{row.name_a[-14:]}~{row.doc_b[:3]}:{row.name_b[-14:]}|{row.unit_b[-6:]}"


SAME = PAIRS[PAIRS["label"] == "same"]
DIFFERENT = PAIRS[PAIRS["source"] == "seed-hard-negative"]


@pytest.mark.parametrize("i", SAME.index, ids=[_pair_id(r) for r in SAME.itertuples()])
def test_seed_positive_linked(pair_scores: pd.Series, i: int) -> None:
    assert pair_scores[i] >= DEFAULT_THRESHOLD


@pytest.mark.parametrize("i", DIFFERENT.index, ids=[_pair_id(r) for r in DIFFERENT.itertuples()])
def test_seed_hard_negative_apart(pair_scores: pd.Series, i: int) -> None:
    assert pair_scores[i] < DEFAULT_THRESHOLD


def test_default_threshold_precision_recall() -> None:
    row = evaluate_pairs(PAIRS, thresholds=(DEFAULT_THRESHOLD,)).iloc[0]
    assert row.precision >= 0.9 and row.recall >= 0.9


def _table(*rows: tuple[str, str, str, str, int | None]) -> pd.DataFrame:
    cols = ["doc", "department", "unit", "project", "year"]
    table = pd.DataFrame(list(rows), columns=cols)
    table["district"] = ""
    table["project_id"] = [f"{d}-{i:03d}" for i, d in enumerate(table["doc"], start=1)]
    return table


# (id, row a, row b, expected relation): generated variants of seed names that must be linked
VARIANTS = [
    ("year-changed", ("d24", ZC, ZC, ZC + "2024年智慧人大云平台运维项目", 2024),
     ("d25", ZC, ZC, ZC + "2025年智慧人大云平台运维项目", 2025), "same_unit_other_year"),
    ("district-swapped", ("zc", ZC, ZC, ZC + "2025年三级联络站视频互联互通运维项目", 2025),
     ("th", TH, TH, TH + "2025年三级联络站视频互联互通运维项目", 2025), "counterpart_other_place"),
    ("abbreviation-expanded", ("th23", TH, TH, "区人大常委会机关日常办公经费", 2023),
     ("th24", TH, TH, "区人民代表大会常务委员会机关日常办公经费", 2024), "same_unit_other_year"),
    ("year-range-shifted", ("gz1", "广州市人民政府办公厅", "", "2025-2026年度信息化运维服务", 2025),
     ("gz2", "广州市人民政府办公厅", "", "2026-2027年度信息化运维服务", 2026), "same_unit_other_year"),
    ("place-and-year", ("zc", ZC, ZC, "编外人员聘用经费", 2024),
     ("by", BY, "", "白云区编外人员聘用经费（2025年）", 2025), "counterpart_other_place"),
]  # fmt: skip


@pytest.mark.parametrize(("a", "b", "relation"), [v[1:] for v in VARIANTS], ids=[v[0] for v in VARIANTS])
def test_generated_variant_linked(a: tuple, b: tuple, relation: str) -> None:
    links = link_projects(_table(a, b)).links
    assert len(links) == 1
    assert links.loc[0, "relation"] == relation


# (id, row a, row b): generated pairs that must stay apart
APART = [
    ("same-doc-same-year-other-unit", ("d", "广州市人民政府办公厅", "办公厅", "专项工作经费", 2025),
     ("d", "广州市人民政府办公厅", "公文交换站", "专项工作经费", 2025)),
    ("generic-other-department", ("a", ZC, ZC, "购置经费", 2024), ("b", TH, TH, "购置经费", 2025)),
    ("wages-vs-running-costs", ("a", BY, BY, "政府雇员工资费用", 2024),
     ("b", BY, BY, "政府雇员公用经费", 2025)),
    ("other-system-same-year", ("a", ZC, ZC, "2025年预算联网监督系统运维项目", 2025),
     ("b", TH, TH, "2025年智慧人大云平台运维项目", 2025)),
]  # fmt: skip


@pytest.mark.parametrize(("a", "b"), [v[1:] for v in APART], ids=[v[0] for v in APART])
def test_generated_pair_apart(a: tuple, b: tuple) -> None:
    assert link_projects(_table(a, b)).links.empty


def test_generic_name_does_not_chain_departments() -> None:
    """专项工作经费 links a department's years but never joins two departments' families."""
    rows = [
        (f"{d}{y}", dept, dept, "专项工作经费", y)
        for d, dept in (("zc", ZC), ("th", TH))
        for y in (2024, 2025)
    ]
    result = link_projects(_table(*rows))
    fam = result.family_id.tolist()
    assert fam[0] == fam[1] and fam[2] == fam[3] and fam[0] != fam[2]


def test_family_id_is_smallest_member_and_order_free() -> None:
    table = pairs_to_projects(PAIRS)
    forward = link_projects(table).family_id
    backward = link_projects(table.iloc[::-1]).family_id
    assert forward.equals(backward.sort_index())
    members = table.groupby(forward)["project_id"].min()
    assert all(fid == f"fam-{smallest}" for fid, smallest in members.items())


@pytest.fixture(scope="module")
def seed_links() -> pd.DataFrame:
    return link_projects(pairs_to_projects(PAIRS)).links


def test_every_link_has_evidence(seed_links: pd.DataFrame) -> None:
    assert not seed_links.empty
    assert seed_links["evidence"].str.contains("matched: ").all()


def test_evidence_names_what_matched_and_what_was_set_aside(seed_links: pd.DataFrame) -> None:
    row = seed_links[
        seed_links["key_a"].eq("预算联网监督系统运维项目") & seed_links["doc_a"].ne(seed_links["doc_b"])
    ]
    evidence = row["evidence"].iloc[0]
    assert "预算联网监督" in evidence and "years 2024|-" in evidence and "places 增城|天河" in evidence


def test_scores_within_unit_interval(seed_links: pd.DataFrame) -> None:
    assert seed_links["score"].between(0, 1).all()
    assert set(seed_links["relation"]) <= {"same_unit_other_year", "counterpart_other_place"}


# End to end: the reader's projects and indicators tables of the five seed documents.
SEED_DIR = Path(__file__).resolve().parents[1] / "examples" / "documents"


@pytest.fixture(scope="module")
def seed_run():
    from nlp.pipeline import run

    return run([SEED_DIR])


@pytest.fixture(scope="module")
def seed_run_scores(seed_run) -> pd.Series:
    return score_pairs(PAIRS, seed_run.projects, seed_run.indicators)


@pytest.mark.parametrize("i", SAME.index, ids=[_pair_id(r) for r in SAME.itertuples()])
def test_pipeline_seed_positive_linked(seed_run_scores: pd.Series, i: int) -> None:
    assert seed_run_scores[i] >= DEFAULT_THRESHOLD


@pytest.mark.parametrize("i", DIFFERENT.index, ids=[_pair_id(r) for r in DIFFERENT.itertuples()])
def test_pipeline_seed_hard_negative_apart(seed_run_scores: pd.Series, i: int) -> None:
    assert seed_run_scores[i] < DEFAULT_THRESHOLD


def test_pipeline_family_ids_cover_every_project(seed_run) -> None:
    result = link_projects(seed_run.projects, seed_run.indicators)
    assert result.family_id.index.equals(seed_run.projects.index)
    assert result.family_id.str.startswith("fam-").all()
    assert (
        result.links["evidence"].str.contains("indicators ") | result.links["evidence"].str.contains("goal")
    ).any()


@pytest.mark.parametrize(
    "bad", ["", None, float("nan"), "（2024）"], ids=["empty", "none", "nan", "year-only"]
)
def test_nameless_projects_kept_unlinked(bad: object) -> None:
    table = _table(("a", ZC, ZC, "x", 2024), ("b", ZC, ZC, "x", 2025))
    table["project"] = [bad, bad]
    result = link_projects(table)
    assert result.links.empty
    assert result.family_id.nunique() == 2


def test_large_group_is_linked_sparsely_into_one_family() -> None:
    """300 same-named projects (two per document-year): one family, a linear number of links."""
    rows = [
        (f"zc{y}", ZC, ZC, f"{y}年预算联网监督系统运维项目", y) for y in range(1900, 2050) for _ in (0, 1)
    ]
    result = link_projects(_table(*rows))
    assert result.family_id.nunique() == 1
    assert len(result.links) < 2 * len(rows)
