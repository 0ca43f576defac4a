"""The chunked run (`nlp.batch.normalize_to`, what `jixiao normalize` runs) writes the same tables as
the in-memory `nlp.pipeline.run`, whatever the chunk size, the number of processes, or on a Dask cluster."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from nlp.batch import TABLES, normalize_to
from nlp.documents.discovery import discover
from nlp.pipeline import run

ROOT = Path(__file__).resolve().parents[1]
CORPUS = [str(ROOT / "examples" / "documents"), str(ROOT / "examples" / "realdata")]


@pytest.fixture(scope="module")
def in_memory(tmp_path_factory):
    out = tmp_path_factory.mktemp("in-memory")
    run(CORPUS).write(out)
    return out


def _same_tables(a: Path, b: Path) -> None:
    for name in TABLES:
        assert (a / f"{name}.csv").read_bytes() == (b / f"{name}.csv").read_bytes(), f"{name}.csv differs"
        left, right = pq.read_table(a / f"{name}.parquet"), pq.read_table(b / f"{name}.parquet")
        assert left.schema.equals(right.schema), f"{name}.parquet: types differ"
        pd.testing.assert_frame_equal(left.to_pandas(), right.to_pandas())
    report = json.loads((a / "report.json").read_text(encoding="utf-8"))
    assert report == json.loads((b / "report.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("chunk_size", [1, 7, 1000])
def test_chunks_give_the_in_memory_tables(in_memory, tmp_path, chunk_size):
    normalize_to(CORPUS, tmp_path, chunk_size=chunk_size)
    _same_tables(in_memory, tmp_path)


def test_parquet_has_a_row_group_per_chunk(tmp_path):
    documents = len(discover(CORPUS).sources)
    normalize_to(CORPUS, tmp_path, chunk_size=8)
    assert pq.ParquetFile(tmp_path / "indicators.parquet").num_row_groups == -(-documents // 8)


def test_workers_give_the_single_process_tables(in_memory, tmp_path):
    normalize_to(CORPUS, tmp_path, workers=2, chunk_size=3)
    _same_tables(in_memory, tmp_path)


def test_no_spool_left_behind(tmp_path):
    normalize_to(CORPUS[:1], tmp_path, chunk_size=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{t}.{ext}" for t in TABLES for ext in ("csv", "parquet")] + ["report.json"]
    )


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, memory_limit="1GiB", dashboard_address=None
    ) as cluster:
        yield cluster


def test_dask_cluster_gives_the_single_process_tables(in_memory, tmp_path, cluster):
    normalize_to(CORPUS, tmp_path / "out", scheduler=cluster.scheduler_address, chunk_size=5)
    _same_tables(in_memory, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        [f"{t}.{ext}" for t in TABLES for ext in ("csv", "parquet")] + ["report.json"]
    )  # the spool is gone


def test_dask_shuffles_give_the_single_process_tables(tmp_path, monkeypatch, cluster):
    """Many partitions in every shuffle, many link buckets, and sparse pairs within and between keys
    (a few copies of the seeds, as benchmarks/bench_normalize.py makes them)."""
    import importlib
    import sys

    from distributed import Client

    from nlp import link_files, linking, shuffle

    sys.path.insert(0, str(ROOT / "benchmarks"))
    generate = importlib.import_module("bench_normalize").generate
    (tmp_path / "corpus").mkdir()
    generate(6, tmp_path / "corpus")
    full = linking._FULL_PAIRS

    def full_pairs(n: int) -> None:  # in each worker: link sparsely above n project pairs
        importlib.import_module("nlp.linking")._FULL_PAIRS = n

    monkeypatch.setattr(linking, "_FULL_PAIRS", 4)
    monkeypatch.setattr(shuffle, "PARTITION_PROJECTS", 7)
    monkeypatch.setattr(shuffle, "SAMPLE", 3)
    monkeypatch.setattr(link_files, "BUCKET_PROJECTS", 12)
    run([tmp_path / "corpus"]).write(tmp_path / "in-memory")
    with Client(cluster) as client:
        client.run(full_pairs, 4)
        try:
            normalize_to(
                [tmp_path / "corpus"], tmp_path / "out", scheduler=cluster.scheduler_address, chunk_size=4
            )
        finally:
            client.run(full_pairs, full)
    _same_tables(tmp_path / "in-memory", tmp_path / "out")
    links = pq.ParquetFile(tmp_path / "out" / "links.parquet")
    assert links.metadata.num_rows > 100 and links.num_row_groups > 3


def test_dask_cluster_without_linking(tmp_path, cluster):
    from nlp.pipeline import Options

    options = Options(link=False)
    run(CORPUS, options=options).write(tmp_path / "a")
    normalize_to(CORPUS, tmp_path / "b", options, scheduler=cluster.scheduler_address, chunk_size=9)
    _same_tables(tmp_path / "a", tmp_path / "b")


def test_cli_workers_give_the_same_files(tmp_path):
    from typer.testing import CliRunner

    from nlp.cli import app

    for workers in ("1", "2"):
        args = ["normalize", CORPUS[0], "--out", str(tmp_path / workers), "-q", "--workers", workers]
        result = CliRunner().invoke(app, [*args, "--chunk-size", "2"])
        assert result.exit_code == 0, result.output
    for name in TABLES:
        assert (tmp_path / "1" / f"{name}.csv").read_bytes() == (tmp_path / "2" / f"{name}.csv").read_bytes()


def test_cli_unreachable_scheduler_is_one_error_line(tmp_path):
    pytest.importorskip("distributed")
    from typer.testing import CliRunner

    from nlp.cli import app

    args = ["normalize", CORPUS[0], "--out", str(tmp_path), "-q", "--scheduler", "tcp://127.0.0.1:9"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert len(result.stderr.strip().splitlines()) == 1


def test_chunks_apply_corrections_as_in_memory(in_memory, tmp_path):
    from nlp.corrections import Correction, append
    from nlp.pipeline import Options

    indicators = pd.read_csv(in_memory / "indicators.csv", encoding="utf-8-sig", dtype=str)
    docs = list(dict.fromkeys(indicators["doc"]))
    rows = [indicators[indicators["doc"] == doc].iloc[0] for doc in (docs[0], docs[len(docs) // 2], docs[-1])]

    def answer(row, field, value):
        return Correction(row["doc"], row["project_id"], int(row["seq"]), field, value, "tester", "2026-01")

    fixes = tmp_path / "corrections.csv"
    append(fixes, [
        answer(rows[0], "level2_final", "12-质量指标"),
        answer(rows[1], "drop", "yes"),
        answer(rows[2], "accept", ""),
        answer(rows[2], "annual_number", "not a number"),  # skipped, with its line
        Correction(rows[0]["doc"], rows[0]["project_id"], 9999, "accept", ""),  # no such row in its chunk
        Correction("no-such-document", "p", 1, "drop", "yes"),  # a document of no chunk
    ])  # fmt: skip
    options = Options(corrections=(fixes,))
    run(CORPUS, options=options).write(tmp_path / "a")
    normalize_to(CORPUS, tmp_path / "b", options, chunk_size=7)
    _same_tables(tmp_path / "a", tmp_path / "b")
    fixed = json.loads((tmp_path / "b" / "report.json").read_text(encoding="utf-8"))["corrections"]
    assert (fixed["answers"], fixed["rows"], fixed["dropped"], fixed["unmatched"], fixed["skipped"]) == (
        5, 3, 1, 2, 1,
    )  # fmt: skip


def test_cli_workers_take_corrections(tmp_path):
    from typer.testing import CliRunner

    from nlp.cli import app

    fixes = tmp_path / "corrections.csv"
    fixes.write_text("doc,project_id,seq,field,value,reviewer,at\nno-such-doc,p,1,accept,,,\n", "utf-8")
    args = ["normalize", CORPUS[0], "--out", str(tmp_path / "out"), "-q", "--workers", "2"]
    result = CliRunner().invoke(app, [*args, "--corrections", str(fixes)])
    assert result.exit_code == 0, result.output
    assert "no such indicator in this run" in result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["corrections"]["unmatched"] == 1


def test_cli_workers_name_the_stale_report_removed(tmp_path):
    from typer.testing import CliRunner

    from nlp.cli import app

    (tmp_path / "report.html").write_text("<p>an earlier run</p>", encoding="utf-8")
    args = ["normalize", CORPUS[0], "--out", str(tmp_path), "-q", "--workers", "2"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["removed_stale"] == ["report.html"]
    assert not (tmp_path / "report.html").exists()


def test_cli_reads_and_writes_file_urls(tmp_path):
    from typer.testing import CliRunner

    from nlp.cli import app

    plain = ["normalize", CORPUS[0], "--out", str(tmp_path / "plain"), "-q"]
    url = ["normalize", Path(CORPUS[0]).as_uri(), "--out", (tmp_path / "url").as_uri(), "-q"]
    for args in (plain, url):
        result = CliRunner().invoke(app, [*args, "--workers", "2"])
        assert result.exit_code == 0, result.output
    _same_tables(tmp_path / "plain", tmp_path / "url")


@pytest.mark.parametrize(
    "where, says",
    [
        ("nosuch://corpus", "Protocol not known: nosuch"),
        ("memory://corpus", "object stores are not read yet"),
    ],
)
def test_cli_url_it_cannot_read_is_one_error_line(tmp_path, where, says):
    pytest.importorskip("fsspec")
    from typer.testing import CliRunner

    from nlp.cli import app

    result = CliRunner().invoke(app, ["normalize", where, "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {where}: ") and says in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
