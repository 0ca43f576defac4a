"""Write the links of a large run without holding them: spilled to buckets by project, written in order.

`nlp.linking.link_projects` keeps every accepted link with its evidence until it sorts them (about
1.8 KB per link). Here each link goes, as it is found, into the bucket of its first project (buckets
are ranges of project ids in sorted order, so bucket after bucket is the table's order), pickled into
a file in the spool every `FLUSH` links; then each bucket is read back alone, sorted as
`link_projects` sorts (by project_id_a, project_id_b, stable) and appended to links.csv and as a row
group to links.parquet. Memory holds at most `FLUSH` links and one bucket. The blocks of candidate
pairs (`nlp.linking.link_blocks`) are independent, so N forked processes can score every N-th block
each, into their own bucket files, read back together; on a Dask cluster (`nlp.shuffle`) the tasks
that score blocks write their bucket files into the spool, which every worker reaches, buckets placed
by ranges of project ids from a sample. The files are those of `link_projects(...).links` written by
`to_csv`/`to_parquet` (tests/test_link_files.py).
"""

from __future__ import annotations

import bisect
import multiprocessing
import pickle
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from nlp.csv_text import csv_bytes
from nlp.linking import LINK_COLUMNS, Families, Link, LinkRow, link_blocks, links_frame, scored_links

BUCKET_PROJECTS = 5_000  # projects per bucket: about as many links, some 40 MB when read back
FLUSH = 20_000  # links held before they are pickled into their buckets' files


@dataclass(frozen=True)
class ByRank:
    """The bucket of a link: its first project's position in sorted project id order, `size` a bucket."""

    ranks: list[int] | dict[int, int]
    size: int

    def __call__(self, row: int, pid: str) -> int:
        return self.ranks[row] // self.size


@dataclass(frozen=True)
class ByBounds:
    """The bucket of a link: the range of project ids its first project falls in (sorted bounds)."""

    bounds: list[str]

    def __call__(self, row: int, pid: str) -> int:
        return bisect.bisect_right(self.bounds, pid)


class _Buckets:
    """Links spilled into one file per bucket of first projects (ranges of project ids, in order);
    `tag` tells apart the files of processes that score blocks side by side."""

    def __init__(self, spool: Path, bucket_of: ByRank | ByBounds, tag: int = 0) -> None:
        self.spool, self.bucket_of, self.tag = spool, bucket_of, tag
        self.pending: dict[int, list[tuple]] = {}
        self.held = 0
        self.buckets: set[int] = set()  # those with a file

    def add(self, link: Link) -> None:
        i, _, values, evidence = link
        self.pending.setdefault(self.bucket_of(i, values[0]), []).append((*values, evidence))
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


def _score(tag: int, parts: int, threshold: float, spool: Path, bucket_size: int) -> Scored:
    """In a forked process: score every `parts`-th block from the `tag`-th on (see `score_blocks`)."""
    rows, blocks, ranks = _FORKED["rows"], _FORKED["blocks"], _FORKED["ranks"]
    mine = blocks[tag % parts :: parts]
    return score_blocks(tag, rows, mine, ByRank(ranks, bucket_size), threshold, spool)


Scored = tuple[bytes, set[int]]  # the pairs of row positions linked (int64, two per link), buckets written


def score_blocks(
    tag: int,
    rows: Sequence[LinkRow] | Mapping[int, LinkRow],
    blocks: Iterable[Iterator[tuple[int, int]]],
    bucket_of: ByRank | ByBounds,
    threshold: float,
    spool: Path,
) -> Scored:
    """Score the blocks, spill the links into the files of `tag`; return the pairs of row positions
    linked and the buckets written."""
    for stale in spool.glob(f"links.{tag:03d}.*.pkl"):  # a task run again (its worker lost) starts anew
        stale.unlink()
    buckets = _Buckets(spool, bucket_of, tag)
    pairs = array("q")
    for link in scored_links(rows, blocks, threshold):
        buckets.add(link)
        pairs.extend(link[:2])
    buckets.flush()
    return pairs.tobytes(), buckets.buckets


def _score_all(
    rows: list[LinkRow], ranks: list[int], threshold: float, spool: Path, bucket_size: int, processes: int
) -> list[Scored]:
    """The blocks scored in `processes` forked processes (each inherits the rows), or here."""
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
    rows: list[LinkRow], threshold: float, out: Path, spool: Path, processes: int = 1
) -> tuple[list[str], int]:
    """Link the projects of `rows` (`nlp.linking.rows_of`), write links.csv and links.parquet into
    `out`; return the family ids (in order) and the number of links. `spool` holds the buckets;
    `processes` > 1 scores the blocks in that many forked processes (same files)."""
    family_ids, written, _ = spill_links(rows, threshold, spool, processes)
    return family_ids, write_link_files(spool, written, out)


def spill_links(
    rows: list[LinkRow], threshold: float, spool: Path, processes: int = 1
) -> tuple[list[str], dict[int, set[int]], int]:
    """Link the projects of `rows` into bucket files in `spool`, for `write_link_files` to write when it
    suits the caller; return the family ids (in order), the buckets written per tag, the number of links."""
    pids = [r.pid for r in rows]
    ranks = pd.factorize(pd.Series(pids, dtype=object), sort=True)[0].tolist()  # equal ids, equal rank
    bucket_size = max(1, -(-len(rows) // max(1, len(rows) // BUCKET_PROJECTS)))  # ranks per bucket
    scored = _score_all(rows, ranks, threshold, spool, bucket_size, processes)
    rows.clear()  # the caller's list: what linking held is released before the links are written
    families = Families(len(pids))
    for pairs, _ in scored:
        linked = array("q", pairs)
        for k in range(0, len(linked), 2):
            families.join(linked[k], linked[k + 1])
    n_links = sum(len(pairs) // 16 for pairs, _ in scored)  # two int64 positions a link
    return families.ids(pids), {tag: written for tag, (_, written) in enumerate(scored)}, n_links


def write_link_files(spool: Path, written: dict[int, set[int]], out: Path) -> int:
    """links.csv and links.parquet from the buckets spilled by `score_blocks` (tag → buckets written);
    returns the number of links."""
    n, writer = 0, None
    with open(out / "links.csv", "wb") as csv:
        csv.write(pd.DataFrame(columns=list(LINK_COLUMNS)).to_csv(index=False).encode("utf-8-sig"))
        for bucket in _read(spool, written):
            writer = _write(_frame(bucket), csv, writer, out)
            n += len(bucket)
        if writer is None:  # no links: the empty table, typed
            writer = _write(_frame([]), csv, writer, out)
    writer.close()
    return n


def _write(
    frame: pd.DataFrame, csv: BinaryIO, writer: pq.ParquetWriter | None, out: Path
) -> pq.ParquetWriter:
    """Append one bucket's links to links.csv and as a row group to links.parquet (opened by the first)."""
    csv.write(csv_bytes(frame))
    table = pa.Table.from_pandas(frame, preserve_index=False)
    writer = writer or pq.ParquetWriter(out / "links.parquet", table.schema)
    writer.write_table(table)
    return writer
