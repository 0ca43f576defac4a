"""Write the links of a large run without holding them: spilled to buckets by project, written in order.

`nlp.linking.link_projects` keeps every accepted link with its evidence until it sorts them (about
1.8 KB per link). Here each link goes, as it is found, into the bucket of its first project (buckets
are ranges of project ids in sorted order, so bucket after bucket is the table's order), pickled into
a file in the spool every `FLUSH` links; then each bucket is read back alone, sorted as
`link_projects` sorts (by project_id_a, project_id_b, stable) and appended to links.csv and as a row
group to links.parquet. Memory holds at most `FLUSH` links and one bucket. The files are those of
`link_projects(...).links` written by `to_csv`/`to_parquet` (tests/test_link_files.py).
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from nlp.csv_text import csv_text
from nlp.linking import LINK_COLUMNS, Families, Link, LinkRow, accepted_links, links_frame

BUCKET_PROJECTS = 5_000  # projects per bucket: about as many links, some 40 MB when read back
FLUSH = 20_000  # links held before they are pickled into their buckets' files


class _Buckets:
    """Links spilled into one file per bucket of first projects (positions in sorted project id order)."""

    def __init__(self, spool: Path, ranks: list[int], n_buckets: int) -> None:
        self.spool, self.ranks, self.n = spool, ranks, n_buckets
        self.size = max(1, -(-(max(ranks, default=0) + 1) // n_buckets))  # ranks per bucket
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
            with open(self._path(bucket), "ab") as f:  # opened per flush: a large run has many buckets
                pickle.dump(rows, f, protocol=pickle.HIGHEST_PROTOCOL)
            self.buckets.add(bucket)
        self.pending, self.held = {}, 0

    def _path(self, bucket: int) -> Path:
        return self.spool / f"links.{bucket:05d}.pkl"

    def read(self) -> Iterator[list[tuple]]:
        """Each bucket's links in table order (buckets in order; each sorted stably by the project ids)."""
        self.flush()
        for bucket in sorted(self.buckets):
            path = self._path(bucket)
            rows: list[tuple] = []
            with open(path, "rb") as f:
                while True:
                    try:
                        rows += pickle.load(f)
                    except EOFError:
                        break
            path.unlink()
            rows.sort(key=lambda r: (r[0], r[1]))
            yield rows


def _frame(rows: list[tuple]) -> pd.DataFrame:
    names = [c for c in LINK_COLUMNS if c != "evidence"]
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in LINK_COLUMNS]
    return links_frame({c: list(columns[k]) for k, c in enumerate(names)}, list(columns[-1]))


def write_links(rows: list[LinkRow], threshold: float, out: Path, spool: Path) -> tuple[list[str], int]:
    """Link the projects of `rows` (`nlp.linking.rows_of`), write links.csv and links.parquet into
    `out`; return the family ids (in order) and the number of links. `spool` holds the buckets."""
    pids = [r.pid for r in rows]
    ranks = pd.factorize(pd.Series(pids, dtype=object), sort=True)[0].tolist()  # equal ids, equal rank
    buckets = _Buckets(spool, ranks, max(1, len(rows) // BUCKET_PROJECTS))
    families = Families(len(rows))
    for link in accepted_links(rows, threshold):
        buckets.add(link)
        families.join(link[0], link[1])
    rows.clear()  # the caller's list: what linking held is released before the links are written
    family_ids = families.ids(pids)
    n, writer = 0, None
    with open(out / "links.csv", "wb") as csv:
        csv.write(pd.DataFrame(columns=list(LINK_COLUMNS)).to_csv(index=False).encode("utf-8-sig"))
        for bucket in buckets.read():
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
