"""Links spilled to buckets and written bucket by bucket (`nlp.link_files`) are the files of
`link_projects(...).links` written whole, with many buckets and many flushes, and with no links."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from nlp import link_files
from nlp.documents import read_document
from nlp.linking import indicator_sets_of, link_projects, rows_of
from nlp.outputs import indicators_frame, projects_frame

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_normalize import generate  # noqa: E402  (the seeds copied with places and years changed)


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame]:
    corpus = tmp_path_factory.mktemp("corpus")
    generate(3, corpus)
    docs = [read_document(p) for p in sorted(corpus.rglob("*.txt"))]
    return projects_frame(docs), indicators_frame(docs)


def _whole(projects: pd.DataFrame, indicators: pd.DataFrame, out: Path) -> pd.Series:
    linked = link_projects(projects, indicators)
    linked.links.to_csv(out / "links.csv", index=False, encoding="utf-8-sig")
    linked.links.to_parquet(out / "links.parquet", index=False)
    return linked.family_id


@pytest.mark.parametrize("bucket, flush, processes", [(7, 5, 1), (10**6, 10**6, 1), (7, 5, 3)])
def test_spilled_links_are_the_whole_table(tables, tmp_path, monkeypatch, bucket, flush, processes):
    projects, indicators = tables
    monkeypatch.setattr(link_files, "BUCKET_PROJECTS", bucket)
    monkeypatch.setattr(link_files, "FLUSH", flush)
    whole, spilled = tmp_path / "whole", tmp_path / "spilled"
    whole.mkdir(), spilled.mkdir()
    family = _whole(projects, indicators, whole)
    families, n = link_files.write_links(
        rows_of(projects, indicator_sets_of(indicators)), 0.75, spilled, spilled, processes
    )
    assert n > 100 and families == family.tolist()
    assert (whole / "links.csv").read_bytes() == (spilled / "links.csv").read_bytes()
    left, right = pq.read_table(whole / "links.parquet"), pq.read_table(spilled / "links.parquet")
    assert left.schema.equals(right.schema)
    pd.testing.assert_frame_equal(left.to_pandas(), right.to_pandas())
    assert sorted(p.name for p in spilled.iterdir()) == ["links.csv", "links.parquet"]  # buckets removed


def test_no_links_is_the_empty_typed_table(tables, tmp_path):
    projects, indicators = tables
    one = projects.head(1)
    family = _whole(one, indicators, tmp_path)
    (tmp_path / "s").mkdir()
    families, n = link_files.write_links(rows_of(one, {}), 0.75, tmp_path / "s", tmp_path / "s")
    assert n == 0 and families == family.tolist()
    assert (tmp_path / "links.csv").read_bytes() == (tmp_path / "s" / "links.csv").read_bytes()
    left, right = pq.read_table(tmp_path / "links.parquet"), pq.read_table(tmp_path / "s" / "links.parquet")
    assert left.schema.equals(right.schema)


def test_varied_corpus_reads_like_the_plain_one(tmp_path):
    """`generate(..., vary=True)` changes names and values but no format: same projects, indicators
    and reader flags as the plain corpus, more distinct names and other values."""
    frames = {}
    for vary in (False, True):
        corpus = tmp_path / str(vary)
        corpus.mkdir()
        generate(2, corpus, vary=vary)
        docs = [read_document(p) for p in sorted(corpus.rglob("*.txt"))]
        frames[vary] = projects_frame(docs), indicators_frame(docs)
    (plain_p, plain_i), (varied_p, varied_i) = frames[False], frames[True]
    assert len(varied_p) == len(plain_p) and len(varied_i) == len(plain_i) == 720
    assert sorted(varied_i["flags"].astype(str)) == sorted(plain_i["flags"].astype(str))
    assert varied_i["name"].nunique() > 1.3 * plain_i["name"].nunique()
    changed = (varied_i["annual_value"] != plain_i["annual_value"]).mean()
    assert changed > 0.3, changed
