"""The chunked run (`nlp.batch.normalize_to`, what `jixiao normalize` runs) writes the same tables as
the in-memory `nlp.pipeline.run`, whatever the chunk size, the number of processes, or on a Dask cluster."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from nlp.batch import TABLES, normalize_to
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
    normalize_to(CORPUS, tmp_path, chunk_size=8)  # 32 documents
    assert pq.ParquetFile(tmp_path / "indicators.parquet").num_row_groups == 4


def test_workers_give_the_single_process_tables(in_memory, tmp_path):
    normalize_to(CORPUS, tmp_path, workers=2, chunk_size=3)
    _same_tables(in_memory, tmp_path)


def test_no_spool_left_behind(tmp_path):
    normalize_to(CORPUS[:1], tmp_path, chunk_size=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{t}.{ext}" for t in TABLES for ext in ("csv", "parquet")] + ["report.json"]
    )


def test_dask_cluster_gives_the_single_process_tables(in_memory, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, memory_limit="1GiB", dashboard_address=None
    ) as cluster:
        normalize_to(CORPUS, tmp_path / "out", scheduler=cluster.scheduler_address, chunk_size=5)
    _same_tables(in_memory, tmp_path / "out")


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
