"""Write the links of a large run without holding them: spilled to buckets by project, written in order.

`nlp.linking.link_projects` keeps every accepted link with its evidence until it sorts them (about
1.8 KB per link). Here each link goes, as it is found, into the bucket of its first project (buckets
are ranges of project ids in sorted order, so bucket after bucket is the table's order), pickled into
a file in the spool every `FLUSH` links; then each bucket is read back alone, sorted as
`link_projects` sorts (by project_id_a, project_id_b, stable) and appended to links.csv and as a row
group to links.parquet. Memory holds at most `FLUSH` links and one bucket. The blocks of candidate
pairs (`nlp.linking.link_blocks`) are independent, so N forked processes can score every N-th block
each, into their own bucket files, read back together; on a Dask cluster, tasks of blocks get the
rows their pairs name and write their bucket files into the spool, which every worker reaches. The
files are those of `link_projects(...).links` written by `to_csv`/`to_parquet` (tests/test_link_files.py).
"""

from __future__ import annotations

import multiprocessing
import pickle
from array import array
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from pathlib import Path
from typing import BinaryIO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from nlp.csv_text import csv_text
from nlp.linking import LINK_COLUMNS, Families, Link, LinkRow, link_blocks, links_frame, scored_links

BUCKET_PROJECTS = 5_000  # projects per bucket: about as many links, some 40 MB when read back
FLUSH = 20_000  # links held before they are pickled into their buckets' files
TASK_PAIRS = 50_000  # candidate pairs per linking task on a cluster


class _Buckets:
    """Links spilled into one file per bucket of first projects (positions in sorted project id order);
    `tag` tells apart the files of processes that score blocks side by side."""

    def __init__(self, spool: Path, ranks: list[int] | dict[int, int], size: int, tag: int = 0) -> None:
        self.spool, self.ranks, self.size, self.tag = spool, ranks, size, tag  # size: ranks per bucket
        self.pending: dict[int, list[tuple]] = {}
        self.held = 0
        self.buckets: set[int] = set()  # those with a file

    def add(self, link: Link) -> None:
        i, _, values, evidence = link
        self.pending.setdefault(self.ranks[i] // self.size, []).append((*values, evidence))
        self.held += 1
        if self.held >= FLUSH:
            self.flush()

    def flush(self) -> None:
        for bucket, rows in self.pending.items():
            with open(_path(self.spool, self.tag, bucket), "ab") as f:  # opened per flush: many buckets
                pickle.dump(rows, f, protocol=pickle.HIGHEST_PROTOCOL)
            self.buckets.add(bucket)
        self.pending, self.held = {}, 0


def _path(spool: Path, tag: int, bucket: int) -> Path:
    return spool / f"links.{tag:03d}.{bucket:05d}.pkl"


def _read(spool: Path, written: dict[int, set[int]]) -> Iterator[list[tuple]]:
    """Each bucket's links (from the files of every tag, in tag order) in table order: buckets in
    order, each sorted stably by the project ids."""
    for bucket in sorted(set().union(*written.values())):
        rows: list[tuple] = []
        for tag in sorted(t for t, buckets in written.items() if bucket in buckets):
            path = _path(spool, tag, bucket)
            with open(path, "rb") as f:
                while True:
                    try:
                        rows += pickle.load(f)
                    except EOFError:
                        break
            path.unlink()
        rows.sort(key=lambda r: (r[0], r[1]))
        yield rows


_FORKED: dict = {}  # rows, blocks and ranks, set before the scoring processes fork (they inherit it)


def _score(tag: int, parts: int, threshold: float, spool: Path, bucket_size: int) -> tuple[bytes, set[int]]:
    """In a forked process: score every `parts`-th block from the `tag`-th on (see `_score_blocks`)."""
    rows, blocks, ranks = _FORKED["rows"], _FORKED["blocks"], _FORKED["ranks"]
    return _score_blocks(tag, rows, blocks[tag % parts :: parts], ranks, threshold, spool, bucket_size)


def _score_blocks(
    tag: int,
    rows: list[LinkRow] | dict[int, LinkRow],
    blocks: list,
    ranks: list[int] | dict[int, int],
    threshold: float,
    spool: Path,
    bucket_size: int,
) -> tuple[bytes, set[int]]:
    """Score the blocks, spill the links into the files of `tag`; return the pairs of row positions
    linked (an array of int64, two per link) and the buckets written."""
    for stale in spool.glob(f"links.{tag:03d}.*.pkl"):  # a task run again (its worker lost) starts anew
        stale.unlink()
    buckets = _Buckets(spool, ranks, bucket_size, tag)
    pairs = array("q")
    for link in scored_links(rows, blocks, threshold):
        buckets.add(link)
        pairs.extend(link[:2])
    buckets.flush()
    return pairs.tobytes(), buckets.buckets


def _score_tasks(
    executor: Executor, rows: list[LinkRow], ranks: list[int], args: tuple, window: int
) -> Iterator[tuple[bytes, set[int]]]:
    """The blocks scored as tasks of about TASK_PAIRS candidate pairs on `executor` (a Dask cluster):
    each task gets its blocks' pairs and only the rows and ranks they name (a shuffle by blocking key)."""
    pending: list[Future] = []
    batch: list[list[tuple[int, int]]] = []
    size, tag = 0, 0  # tags number the tasks in order, as their results are returned
    for block in [*link_blocks(rows, args[0]), None]:
        if block is not None:
            batch.append(list(block))
            size += len(batch[-1])
        if batch and (size >= TASK_PAIRS or block is None):
            named = {i for pairs in batch for pair in pairs for i in pair}
            mine, their_ranks = {i: rows[i] for i in named}, {i: ranks[i] for i in named}
            pending.append(executor.submit(_score_blocks, tag, mine, batch, their_ranks, *args))
            batch, size, tag = [], 0, tag + 1
            if len(pending) >= window:
                yield pending.pop(0).result()
    for task in pending:
        yield task.result()


def _score_all(
    rows: list[LinkRow],
    ranks: list[int],
    threshold: float,
    spool: Path,
    bucket_size: int,
    processes: int,
    executor: Executor | None = None,
) -> list[tuple[bytes, set[int]]]:
    """The blocks scored as tasks on `executor`, in `processes` forked processes (each inherits the
    rows), or here."""
    if executor is not None:
        return list(_score_tasks(executor, rows, ranks, (threshold, spool, bucket_size), max(2, processes)))
    _FORKED.update(rows=rows, blocks=link_blocks(rows, threshold), ranks=ranks)
    try:
        if processes <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            return [_score(0, 1, threshold, spool, bucket_size)]
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(processes, mp_context=context) as pool:
            tasks = [
                pool.submit(_score, t, processes, threshold, spool, bucket_size) for t in range(processes)
            ]
            return [task.result() for task in tasks]
    finally:
        _FORKED.clear()


def _frame(rows: list[tuple]) -> pd.DataFrame:
    names = [c for c in LINK_COLUMNS if c != "evidence"]
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in LINK_COLUMNS]
    return links_frame({c: list(columns[k]) for k, c in enumerate(names)}, list(columns[-1]))


def write_links(
    rows: list[LinkRow],
    threshold: float,
    out: Path,
    spool: Path,
    processes: int = 1,
    executor: Executor | None = None,
) -> tuple[list[str], int]:
    """Link the projects of `rows` (`nlp.linking.rows_of`), write links.csv and links.parquet into
    `out`; return the family ids (in order) and the number of links. `spool` holds the buckets;
    `processes` > 1 scores the blocks in that many forked processes, `executor` (a Dask cluster's) as
    tasks, `processes` of them in flight (same files)."""
    pids = [r.pid for r in rows]
    ranks = pd.factorize(pd.Series(pids, dtype=object), sort=True)[0].tolist()  # equal ids, equal rank
    bucket_size = max(1, -(-len(rows) // max(1, len(rows) // BUCKET_PROJECTS)))  # ranks per bucket
    scored = _score_all(rows, ranks, threshold, spool, bucket_size, processes, executor)
    rows.clear()  # the caller's list: what linking held is released before the links are written
    families = Families(len(pids))
    for pairs, _ in scored:
        linked = array("q", pairs)
        for k in range(0, len(linked), 2):
            families.join(linked[k], linked[k + 1])
    family_ids = families.ids(pids)
    buckets = _read(spool, {tag: written for tag, (_, written) in enumerate(scored)})
    n, writer = 0, None
    with open(out / "links.csv", "wb") as csv:
        csv.write(pd.DataFrame(columns=list(LINK_COLUMNS)).to_csv(index=False).encode("utf-8-sig"))
        for bucket in buckets:
            writer = _write(_frame(bucket), csv, writer, out)
            n += len(bucket)
        if writer is None:  # no links: the empty table, typed
            writer = _write(_frame([]), csv, writer, out)
    writer.close()
    return family_ids, n


def _write(
    frame: pd.DataFrame, csv: BinaryIO, writer: pq.ParquetWriter | None, out: Path
) -> pq.ParquetWriter:
    """Append one bucket's links to links.csv and as a row group to links.parquet (opened by the first)."""
    csv.write(csv_text(frame).encode("utf-8"))
    table = pa.Table.from_pandas(frame, preserve_index=False)
    writer = writer or pq.ParquetWriter(out / "links.parquet", table.schema)
    writer.write_table(table)
    return writer
