"""`jixiao normalize` in bounded memory: documents in chunks, in N processes or on a Dask cluster.

The run has two passes over chunks of documents, with the global steps in between:

1. `read_chunk` (per chunk, in any process): read the documents, build the projects and indicators
   tables, park them in a spool file, and return only what the global steps need: the linking columns
   of each project, its folded indicator names, its boilerplate signature, and the report counts.
2. Global steps (once): link the projects (family ids; the links spilled to the spool, written by a
   worker of pass 3 beside its first chunks), find the boilerplate clusters, then drop what only these
   steps needed. On a Dask cluster these run on the workers as shuffles by key (`nlp.shuffle`), the
   first pass leaving their inputs in the spool.
3. `finish_chunk` (per chunk, in any process): values, classifiers, the corrections about the chunk's
   documents, self-evaluation verdicts, quality flags and project scores, each table written into the
   spool as CSV rows and an Arrow file; the department sums, the per-project self-evaluation summaries
   and the report counts come back to be added up.

On one machine the workers of pass 1 fork at once and read while the main process loads the name
models and jieba's dictionary; those of pass 3 fork after the global steps and inherit them. The writer
copies each chunk's CSV rows and writes each chunk as a Parquet row group as it comes, in document
order, then the department rows. So memory holds one chunk per process plus the compact global
structures, and the tables are the same as those of `nlp.pipeline.run` (tested).
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import shutil
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from nlp import shuffle
from nlp.achievement_tables import (
    SUMMARY_COLUMNS,
    achievement_report,
    add_achievement,
    department_summary,
    project_summary,
    with_summary,
)
from nlp.classify import add_predictions, fill_level2, load_models
from nlp.corrections import Correction, apply_corrections, files_summary, latest, read_files
from nlp.csv_text import csv_bytes
from nlp.documents import read_document
from nlp.documents.discovery import Discovery, discover, relabel
from nlp.link_files import spill_links, write_link_files
from nlp.linking import LinkRow, clear_caches, indicator_sets_of, no_links, rows_of
from nlp.outputs import build_report, indicators_frame, projects_frame
from nlp.pipeline import STALE_OUTPUTS, Options
from nlp.quality import assess_part, flag_table
from nlp.quality.project_checks import Signature, clusters_of, project_signatures
from nlp.quality.rules import split_flags, text_column
from nlp.quality.scores import add_sums, department_scores
from nlp.report_json import write_report
from nlp.schema import Problem
from nlp.segment import tokenize
from nlp.values import add_value_columns

log = logging.getLogger(__name__)

TABLES = ("projects", "indicators", "quality", "links")
CHUNK_DOCUMENTS = 250  # documents per chunk: about 18,000 indicators, some MB of tables
LINK_COLUMNS = ("doc", "department", "district", "unit", "project", "project_id", "year", "goal")
SPOOL = ".jixiao-parts"  # inside the output folder: every worker of a cluster must reach it


@dataclass
class ChunkSummary:
    """What pass 1 keeps of a chunk: compact inputs of the global steps and the report counts."""

    link_rows: pd.DataFrame  # LINK_COLUMNS of each project
    indicator_sets: list[frozenset[str] | None]  # folded indicator names of each project
    signatures: Signatures  # boilerplate signatures
    report: Path  # build_report of the chunk (flag counts left out), pickled in the spool until the end
    has_actual: bool  # some indicator states an actual value
    flags: set[str]  # every flag the reader raised


@dataclass
class Signatures:
    """A chunk's boilerplate signatures, compact: the projects' positions among the chunk's projects
    (-1: a project_id of `missing`, in order), digests of 16 bytes end to end, sizes."""

    positions: np.ndarray
    digests: bytes
    sizes: np.ndarray
    missing: list[str]

    @classmethod
    def of(cls, signatures: dict[str, Signature], pids: list[str]) -> Signatures:
        at = {pid: k for k, pid in enumerate(pids)}
        positions = np.array([at.get(pid, -1) for pid in signatures], dtype=np.int32)
        digests = b"".join(sig.digest for sig in signatures.values())
        if any(len(sig.digest) != 16 for sig in signatures.values()):
            raise ValueError("boilerplate signatures of 16 bytes expected")
        sizes = np.array([sig.size for sig in signatures.values()], dtype=np.int32)
        return cls(positions, digests, sizes, [pid for pid in signatures if pid not in at])

    def items(self, pids: list[str]) -> Iterator[tuple[str, Signature]]:
        """(project_id, signature) in the order of `project_signatures`."""
        missing = iter(self.missing)
        for k, (position, size) in enumerate(zip(self.positions.tolist(), self.sizes.tolist(), strict=True)):
            pid = pids[position] if position >= 0 else next(missing)
            yield pid, Signature(self.digests[16 * k : 16 * k + 16], size)


@dataclass
class ChunkGlobals:
    """What pass 2 of a chunk needs from the global steps."""

    families: list[str]  # family_id of each project of the chunk, in order
    boilerplate: frozenset[str]  # project_ids in a boilerplate cluster
    has_actual: bool
    extra_flags: tuple[str, ...]  # flags missing from flags.tsv, for the quality table's columns
    classify_error: str | None  # why the name classifiers are skipped (None: they run)
    corrections: tuple[Correction, ...] | None = None  # the answers about this chunk's documents, if any


@dataclass
class ChunkOutput:
    """What pass 2 returns for a chunk: where each table's part was written, and the counts of the run."""

    parts: dict[str, Part]  # the chunk's projects, indicators and quality rows, in the spool
    department_sums: pd.DataFrame
    flag_counts: dict[str, Counter]  # per table, how often each flag occurs (report.json)
    classified: int  # names the classifiers predicted
    achievement: pd.DataFrame  # per self-evaluated project: department and SUMMARY_COLUMNS
    achievement_report: dict  # report.json's `achievement` of the chunk (no department rows)
    corrections: dict | None  # the counts of apply_corrections on the chunk
    unmatched: list[tuple[str, str, int]]  # answered rows of the chunk's documents not found


def _spool_file(spool: Path, index: int) -> Path:
    return spool / f"{index:06d}.pkl"


@dataclass
class Part:
    """One chunk of one table written to the spool by the process that made it: its CSV rows (UTF-8,
    no header) and its Arrow IPC file, so that only the schema and the row count travel back."""

    csv: Path
    arrow: Path
    schema: pa.Schema
    rows: int


def write_part(frame: pd.DataFrame, spool: Path, name: str, index: int) -> Part:
    """Write one chunk of table `name` into the spool (CSV text as `to_csv` writes it, and Arrow)."""
    csv_path, arrow_path = spool / f"{name}.{index:06d}.csv", spool / f"{name}.{index:06d}.arrow"
    csv_path.write_bytes(csv_bytes(frame))
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with pa.OSFile(str(arrow_path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return Part(csv_path, arrow_path, table.schema, table.num_rows)


def read_chunk(index: int, sources: list[tuple[str, str]], spool: str) -> ChunkSummary:
    """Pass 1 on one chunk of (path, document id): read, park the tables, return the compact summary."""
    docs = [relabel(read_document(path), doc_id) for path, doc_id in sources]
    projects, indicators = projects_frame(docs), indicators_frame(docs)
    pd.to_pickle((projects, indicators), _spool_file(Path(spool), index))
    unflagged = [frame.drop(columns="flags") for frame in (projects, indicators)]  # counted after quality
    report = build_report(docs, *unflagged)
    report.pop("flags")
    report_path = Path(spool) / f"report.{index:06d}.pkl"
    pd.to_pickle(report, report_path)
    pids = projects["project_id"].tolist()
    sets = indicator_sets_of(indicators)
    flags = {
        f for cell in pd.concat([projects["flags"], indicators["flags"]]).unique() for f in split_flags(cell)
    }
    return ChunkSummary(
        link_rows=projects[list(LINK_COLUMNS)].copy(),
        indicator_sets=[sets.get(pid) for pid in pids],
        signatures=Signatures.of(project_signatures(indicators), pids),
        report=report_path,
        has_actual=bool(indicators["actual_value"].notna().any()),
        flags=flags,
    )


def _classified(indicators: pd.DataFrame, model_dir: Path, error: str | None) -> pd.DataFrame:
    """The classify stage of nlp.pipeline on a chunk (skipped, columns empty, when `error` says so)."""
    if error is None:
        indicators = add_predictions(indicators, model_dir)
    else:
        empty = {c: None for c in ("level2_predicted", "level2_proba", "name_kind", "name_kind_proba")}
        indicators = indicators.assign(**empty)
    return fill_level2(indicators, model_dir)


def finish_chunk(index: int, spool: str, glob: ChunkGlobals, options: Options) -> ChunkOutput:
    """Pass 2 on one chunk: values, classifiers, family ids, quality; the tables formatted for writing."""
    projects, indicators = pd.read_pickle(_spool_file(Path(spool), index))
    indicators = add_value_columns(indicators, actual=glob.has_actual)
    indicators = _classified(indicators, options.model_dir, glob.classify_error)
    classified = int(indicators["level2_predicted"].notna().sum())  # before any row is dropped
    corrected = None
    if glob.corrections is not None:
        corrected = apply_corrections(indicators, glob.corrections)
        indicators = corrected.indicators
    projects = projects.assign(
        family_id=pd.Series(glob.families, index=projects.index, dtype=object).to_numpy()
    )
    projects, indicators = add_achievement(projects, indicators)  # per project, as in nlp.pipeline
    part = assess_part(projects, indicators, glob.boilerplate, glob.extra_flags)
    summary = project_summary(part.projects, part.indicators)
    quality = with_summary(part.project_rows, summary, department_summary(summary, summary["department"]))
    tables = {"projects": part.projects, "indicators": part.indicators, "quality": quality}
    return ChunkOutput(
        parts={name: write_part(frame, Path(spool), name, index) for name, frame in tables.items()},
        department_sums=part.department_sums,
        flag_counts={name: _flag_counter(tables[name]) for name in ("projects", "indicators")},
        classified=classified,
        achievement=summary,
        achievement_report=achievement_report(quality, part.indicators),
        corrections=None if corrected is None else corrected.summary,
        unmatched=[] if corrected is None else corrected.unmatched,
    )


def _flag_counter(frame: pd.DataFrame) -> Counter:
    """How often each flag occurs in a table's `flags` column (split once per distinct cell)."""
    counts: Counter[str] = Counter()
    for cell, n in frame["flags"].value_counts(dropna=True).items():
        for flag in split_flags(cell):
            counts[flag] += n
    return counts


# ---------------------------------------------------------------- running the chunks


def _ordered(
    submit: Callable[[int], Future], n: int, window: int, started: Callable[[], None] | None = None
) -> Iterator[Any]:
    """Results of tasks 0..n-1 in order, with at most `window` tasks submitted and not yet consumed;
    `started` is called once the first tasks are submitted, before any result is awaited."""
    pending: dict[int, Future] = {}
    for i in range(n):
        pending[i] = submit(i)
        if started is not None and i + 1 == min(n, window):
            started()
        if len(pending) >= window:
            first = min(pending)
            yield pending.pop(first).result()
    for i in sorted(pending):
        yield pending.pop(i).result()


class _Inline(Executor):
    """Runs each task at once in this process (--workers 1)."""

    def submit(self, fn, /, *args, **kwargs):
        future: Future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


class SchedulerError(RuntimeError):
    """The Dask scheduler cannot be used: `distributed` is not installed, or the address does not answer."""


def _client(scheduler: str):  # -> distributed.Client
    try:
        from distributed import Client
    except ImportError as err:
        raise SchedulerError('--scheduler needs Dask: pip install "jixiao[dask]"') from err
    try:
        return Client(scheduler, timeout="10s")
    except (OSError, ValueError, TypeError) as err:  # refused, timed out, or not an address
        raise SchedulerError(f"cannot reach the Dask scheduler at {scheduler}: {err}") from err


@contextmanager
def _executor(workers: int, scheduler: str | None) -> Iterator[tuple[Executor, int, Any]]:
    """The executor of the chunk tasks, how many tasks to keep in flight and the Dask client (None on
    one machine); closed on exit."""
    if scheduler:
        with _client(scheduler) as client:
            n = max(1, sum(client.nthreads().values()))
            yield client.get_executor(pure=False), 2 * n, client
    elif workers <= 1:
        yield _Inline(), 1, None
    else:
        # fork where the platform has it: the workers inherit the loaded models instead of loading them
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)) as pool:
            yield pool, 2 * workers, None


@contextmanager
def _pass_two(executor: Executor, workers: int) -> Iterator[Executor]:
    """The executor of pass 2: on one machine, processes forked anew once the models and jieba's dictionary
    are loaded, which they inherit (those of pass 1 forked at the start, to read while they loaded)."""
    if not isinstance(executor, ProcessPoolExecutor):
        yield executor
        return
    executor.shutdown()
    gc.freeze()  # what was loaded meanwhile, too
    with _executor(workers, None) as (pool, _, _):
        yield pool


def _chunks(files: list[tuple[str, str]], size: int) -> list[list[tuple[str, str]]]:
    return [files[i : i + size] for i in range(0, len(files), size)] or [[]]


# ---------------------------------------------------------------- the global steps


def _merge_reports(parts: list[dict]) -> dict[str, Any]:
    report: dict[str, Any] = {
        "documents": {k: sum(p["documents"][k] for p in parts) for k in ("given", "read", "failed")},
        "formats": _merge_formats([p["formats"] for p in parts]),
        "projects": {k: sum(p["projects"][k] for p in parts) for k in ("read", "written")},
        "indicators": {k: sum(p["indicators"][k] for p in parts) for k in ("read", "written")},
        "per_document": [d for p in parts for d in p["per_document"]],
        "problems": [x for p in parts for x in p["problems"]],
    }
    report["problem_counts"] = dict(Counter(p["severity"] for p in report["problems"]))
    report["amount_checks"] = [c for p in parts for c in p["amount_checks"]]
    return report


def _merge_formats(parts: list[dict[str, dict[str, int]]]) -> dict[str, dict[str, int]]:
    """Files given, read and failed per suffix, added up over the chunks (sorted, as format_counts)."""
    total: dict[str, Counter] = {}
    for part in parts:
        for suffix, counts in part.items():
            total.setdefault(suffix, Counter()).update(counts)
    return {s: {k: int(total[s][k]) for k in ("given", "read", "failed")} for s in sorted(total)}


def _merge_achievement(parts: list[dict], departments: pd.DataFrame) -> dict[str, Any]:
    """report.json's `achievement` from the chunks' parts and the department rows of the quality table."""
    achieved: Counter[str] = Counter()
    for part in parts:
        achieved.update(part["achieved"])
    return {
        "indicators": sum(p["indicators"] for p in parts),
        "achieved": dict(achieved.most_common()),
        "score_mismatch": sum(p["score_mismatch"] for p in parts),
        "total_mismatch": sum(p["total_mismatch"] for p in parts),
        "projects": [r for p in parts for r in p["projects"]],
        "departments": achievement_report(departments, pd.DataFrame())["departments"],
    }


def _department_achievement(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """SUMMARY_COLUMNS per department from the chunks' project summaries (summed in table order)."""
    filled = [p for p in parts if len(p)]
    summary = pd.concat(filled) if filled else parts[0]
    return department_summary(summary, summary["department"])


def _compact(summary: ChunkSummary, shared: dict, rows: list[LinkRow] | None) -> ChunkSummary:
    """The summary once its projects' linking rows are added to `rows` (None: linking is off), their
    texts and indicator-name sets shared with those of earlier chunks; it keeps project ids and titles."""
    sets = [None if names is None else _shared_set(names, shared) for names in summary.indicator_sets]
    if rows is not None:
        rows += rows_of(summary.link_rows, sets, shared)
    summary.link_rows = summary.link_rows[["project_id", "project"]]
    summary.indicator_sets = []
    return summary


def _shared_set(names: frozenset[str], shared: dict) -> frozenset[str]:
    """The one set of these names over all chunks (its names interned when first seen)."""
    found = shared.get(names)
    if found is None:
        found = shared[names] = frozenset(map(sys.intern, names))
    return found


def _titles(summaries: list[ChunkSummary]) -> pd.DataFrame:
    """project_id and project of all projects, in order; each chunk keeps only its project ids."""
    projects = pd.concat([s.link_rows for s in summaries], ignore_index=True)
    for s in summaries:
        s.link_rows = s.link_rows[["project_id"]]
    return projects


Buckets = dict[int, set[int]]  # the link buckets in the spool, per tag of the process that scored them


def _link(
    rows: list[LinkRow] | None,
    projects: pd.DataFrame,
    options: Options,
    out: Path,
    spool: Path,
    processes: int,
) -> tuple[int, list[str], str, Buckets | None]:
    """Link the projects (`rows`, None when linking is off; blocks scored in `processes` processes),
    the links spilled to the spool, not held; return the number of links, the family ids (in order),
    the stage note and the buckets that `write_link_files` writes in pass 2 (None: written)."""
    if rows is None:
        return _write_links(no_links(), out), projects["project_id"].astype(str).tolist(), "off", None
    families, written, n_links = spill_links(rows, options.link_threshold, spool, processes)
    return n_links, families, f"{n_links} links, {len(set(families))} families", written


def _boilerplate(projects: pd.DataFrame, summaries: list[ChunkSummary], families: list[str]) -> frozenset:
    pids = projects["project_id"].tolist()
    titles = dict(zip(pids, text_column(projects, "project"), strict=True))
    family_of = dict(zip(pids, families, strict=True))
    signatures = (item for s in summaries for item in s.signatures.items(s.link_rows["project_id"].tolist()))
    return frozenset(clusters_of(signatures, titles, family_of)["project_id"])


def _write_links(links: pd.DataFrame, out: Path) -> int:
    """links.csv and links.parquet; returns the number of links."""
    links.to_csv(out / "links.csv", index=False, encoding="utf-8-sig")
    links.to_parquet(out / "links.parquet", index=False)
    return len(links)


def _release(summaries: list[ChunkSummary]) -> None:
    """Drop what only the global steps needed (names, signatures, linking columns and caches)."""
    for s in summaries:
        s.indicator_sets, s.signatures = [], Signatures.of({}, [])
    clear_caches()
    pa.default_memory_pool().release_unused()


class _Loading:
    """The name models and jieba's dictionary, loaded in a thread while pass 1's workers, forked before,
    read the first chunks (reading needs neither); pass 2's workers fork after it and share them."""

    def __init__(self, model_dir: Path) -> None:
        self.model_dir = model_dir
        self.error: str | None = None
        self.thread: threading.Thread | None = None
        self.failed: BaseException | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self._load, name="jixiao-load", daemon=True)
        self.thread.start()

    def _load(self) -> None:
        try:
            self.error = _classify_error(self.model_dir)
            tokenize("预热")  # the classifiers and linking segment names
        except BaseException as err:  # raised again in the main thread by result()
            self.failed = err

    def result(self) -> str | None:
        """Wait for the loading; why the name classifiers cannot run, or None."""
        if self.thread is not None:
            self.thread.join()
            self.thread = None
        if self.failed is not None:
            raise self.failed
        return self.error


def _classify_error(model_dir: Path) -> str | None:
    """Why the name classifiers cannot run (logged once), or None."""
    from nlp.classify import ModelLoadError, ModelNotFound

    try:
        load_models(model_dir)
    except (ModelNotFound, ModelLoadError) as err:
        log.warning("warning: name classifiers skipped: %s", err)
        return str(err)
    return None


# ---------------------------------------------------------------- writing


class _TableWriter:
    """One table: CSV (UTF-8 with BOM) appended chunk by chunk, Parquet a row group per chunk.

    The chunks' parts are written into the spool by the processes that made them; their CSV bytes are
    copied into the table's CSV in order. The Parquet file is written under the schema unified over all
    chunks (a column that is empty in one chunk has no type there): its row groups are written as the
    parts come, under the schema of the parts so far, and written again from the parts' Arrow files,
    kept until the end, if a later part changes it (types a column no earlier part typed, or widens a
    type): at once the first RESTARTS times, then once at the end. While a column has no type yet (a
    sparse one: actual values, scores), the first row groups wait for a part that types it, for up to
    half of the `expected` parts, rather than being written twice.
    """

    def __init__(self, out: Path, name: str, expected: int) -> None:
        self.csv_path, self.parquet_path = out / f"{name}.csv", out / f"{name}.parquet"
        self.waiting = expected // 2  # parts held back at most while a column has no type
        self.csv = open(self.csv_path, "wb")  # noqa: SIM115
        self.parts: list[Part] = []
        self.writer: pq.ParquetWriter | None = None
        self.schema: pa.Schema | None = None  # the schema of the row groups written as parts came
        self.typed: pa.Schema | None = None  # the parts' schema so far, unified part by part
        self.written = 0  # parts written into the Parquet file
        self.restarts = 0  # times the file was begun anew because a part changed the schema

    def add(self, part: Part) -> None:
        """Append one chunk's part."""
        if not self.parts:
            header = pd.DataFrame(columns=part.schema.names).to_csv(index=False)
            self.csv.write(header.encode("utf-8-sig"))
        with open(part.csv, "rb") as rows:
            _append(rows, self.csv)
        part.csv.unlink()
        self.parts.append(part)
        if part.rows:  # an empty part types no column
            self.typed = _unified([part.schema] if self.typed is None else [self.typed, part.schema])
        schema = self.typed
        if schema is None or self.restarts > RESTARTS:
            return
        if self.writer is None and len(self.parts) < self.waiting and _untyped(schema):
            return
        if self.writer is not None and not schema.equals(self.schema, check_metadata=True):
            self.writer.close()
            self.writer, self.restarts = None, self.restarts + 1
            if self.restarts > RESTARTS:  # columns typed late, again and again: the file written at the end
                return
        if self.writer is None:
            self.writer, self.schema, self.written = pq.ParquetWriter(self.parquet_path, schema), schema, 0
        self._write(self.writer, schema)

    def _write(self, writer: pq.ParquetWriter, schema: pa.Schema) -> None:
        for part in self.parts[self.written :]:
            with pa.memory_map(str(part.arrow)) as source:
                table = pa.ipc.open_file(source).read_all()
            writer.write_table(table.select(schema.names).cast(schema))
        self.written = len(self.parts)

    def close(self) -> None:
        """Finish the CSV and the Parquet file (written anew if its schema changed after the first parts)."""
        self.csv.close()
        schema = self.typed or _unified([part.schema for part in self.parts])
        if self.writer is None or not schema.equals(self.schema, check_metadata=True):
            if self.writer is not None:
                self.writer.close()
            self.writer, self.written = pq.ParquetWriter(self.parquet_path, schema), 0
        self._write(self.writer, schema)
        self.writer.close()
        for part in self.parts:
            part.arrow.unlink()


RESTARTS = 2  # a table's Parquet file begun anew at most this often before the end (see _TableWriter)


def _append(source: BinaryIO, target: BinaryIO) -> None:
    """Copy a file's bytes to the end of another, in the kernel where it can (os.sendfile)."""
    size, sent = os.fstat(source.fileno()).st_size, 0
    target.flush()
    try:
        while sent < size:
            sent += os.sendfile(target.fileno(), source.fileno(), sent, size - sent)
    except (AttributeError, OSError):  # no sendfile between files here: the rest through this process
        source.seek(sent)
        target.seek(0, os.SEEK_END)
        shutil.copyfileobj(source, target)
    target.seek(0, os.SEEK_END)  # the writer's position after the bytes the kernel appended


def _untyped(schema: pa.Schema) -> bool:
    """Some column has no type (null in every part so far)."""
    return any(pa.types.is_null(field.type) for field in schema)


def _unified(schemas: list[pa.Schema]) -> pa.Schema:
    """One schema for all parts: a column that is all-null in one part takes its type from the others."""
    unified = pa.unify_schemas(schemas, promote_options="permissive")
    return unified.with_metadata(schemas[0].metadata)


def normalize_to(
    paths: Iterable[str | Path],
    out_dir: str | Path,
    options: Options | None = None,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    chunk_size: int = CHUNK_DOCUMENTS,
    progress: bool = False,
    timings: dict[str, float] | None = None,
    exclude: Iterable[str | Path] = (),
    final_dir: str | Path | None = None,
) -> dict[str, Any]:
    """Read and normalize all documents under `paths` into the four tables and report.json in `out_dir`.

    `workers` processes (or the Dask cluster at `scheduler`) run the chunks; the result does not depend
    on either, nor on `chunk_size`. Folders are expanded as by `nlp.pipeline.run` (unique document ids,
    duplicates read once, the tables of `exclude` not read back). `progress` shows a bar per pass on
    stderr; `timings`, if given, receives the seconds of each step (for benchmarks/bench_scale.py).
    `final_dir` is where the files end up when `out_dir` is a staging folder (for `removed_stale`).
    Corrections files (`options.corrections`) are read once; each chunk gets the answers about its
    documents. Returns the report.
    """
    options = options or Options()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    spool = out.resolve() / SPOOL  # absolute: a cluster's workers do not share our working directory
    spool.mkdir(exist_ok=True)
    try:
        found = discover(paths, exclude)
        files = [(source.path, source.doc_id) for source in found.sources]
        timings = {} if timings is None else timings
        report = _run(files, out, spool, options, workers, scheduler, chunk_size, progress, timings, found)
        report["removed_stale"] = [n for n in STALE_OUTPUTS if (Path(final_dir or out) / n).is_file()]
        write_report(report, out / "report.json")
        return report
    finally:
        shutil.rmtree(spool, ignore_errors=True)


def _bar(items: Iterator[Any], total: int, what: str, progress: bool) -> Iterator[Any]:
    return iter(tqdm(items, total=total, desc=what, unit="chunk", file=sys.stderr, disable=not progress))


def _run(
    files: list[tuple[str, str]],
    out: Path,
    spool: Path,
    options: Options,
    workers: int,
    scheduler: str | None,
    size: int,
    progress: bool,
    timings: dict[str, float],
    found: Discovery,
) -> dict[str, Any]:
    chunks = _chunks(files, size)
    clock = _Clock(timings)
    corrections = _Corrections(options.corrections) if options.corrections else None
    loading = _Loading(options.model_dir)
    summaries: list[ChunkSummary] | list[shuffle.Parked]
    with _frozen(), _executor(workers, scheduler) as (executor, window, client):
        if client is None:
            summaries, globals_of, n_links, n_families, link_note, buckets = _global_steps(
                executor, window, chunks, out, spool, options, workers, progress, clock, loading
            )
            finish: Callable[..., ChunkOutput] = finish_chunk
        else:  # on the cluster, as shuffles by key: the client holds counts and one label per project
            loading.error = _classify_error(options.model_dir)  # no jieba: the client never segments names
            summaries, globals_of, n_links, n_families, link_note = _cluster_steps(
                client, executor, window, chunks, out, spool, options, progress, clock
            )
            buckets = None
            finish = shuffle.finish
        documented = set(flag_table()["flag"])
        extra = tuple(sorted({f for s in summaries for f in s.flags} - documented))
        has_actual = any(s.has_actual for s in summaries)
        error = loading.result()
        clock.lap("2. link projects, boilerplate clusters (global)")

        with _pass_two(executor, workers) as executor:
            # links.csv and links.parquet by a worker of pass 2, beside the first chunks
            links = None if buckets is None else executor.submit(write_link_files, spool, buckets, out)

            def submit(i: int) -> Future:
                answers = None if corrections is None else corrections.about({doc for _, doc in chunks[i]})
                families, mine = globals_of(i)
                glob = ChunkGlobals(families, mine, has_actual, extra, error, answers)
                return executor.submit(finish, i, str(spool), glob, options)

            writers = {
                name: _TableWriter(out, name, len(chunks)) for name in ("projects", "indicators", "quality")
            }
            sums, classified, n_quality, n_indicators = [], 0, 0, 0
            flag_counts: dict[str, Counter[str]] = {"projects": Counter(), "indicators": Counter()}
            achievement: list[pd.DataFrame] = []
            achievement_parts: list[dict] = []
            for result in _bar(_ordered(submit, len(chunks), window), len(chunks), "normalizing", progress):
                for name, writer in writers.items():
                    writer.add(result.parts[name])
                sums.append(result.department_sums)
                for name in flag_counts:
                    flag_counts[name].update(result.flag_counts[name])
                classified += result.classified
                n_quality += result.parts["quality"].rows
                n_indicators += result.parts["indicators"].rows
                achievement.append(result.achievement)
                achievement_parts.append(result.achievement_report)
                if corrections is not None:
                    corrections.add(result.corrections, result.unmatched)
            if links is not None and links.result() != n_links:
                raise RuntimeError(f"{links.result()} links written, {n_links} found")
    clock.lap("3. values, classifiers, quality, CSV (per chunk)")
    departments = department_scores(add_sums(sums))
    no_projects = pd.DataFrame(columns=list(SUMMARY_COLUMNS))
    departments = with_summary(departments, no_projects, _department_achievement(achievement))
    writers["quality"].add(write_part(departments, spool, "quality", len(chunks)))
    for writer in writers.values():
        writer.close()
    clock.lap("4. department scores, Parquet, links (global)")
    report = _merge_reports([pd.read_pickle(s.report) for s in summaries])
    n_read = report["indicators"]["written"]  # before corrections dropped any row
    report["indicators"]["written"] = n_indicators
    report["flags"] = {name: dict(sorted(c.items())) for name, c in flag_counts.items()}
    report["stages"] = {
        "values": f"{n_read} indicators",
        "classify": f"{classified} names classified" if error is None else f"skipped: {error}",
    }
    if corrections is not None:
        report["corrections"] = corrections.summary()
        fixed = report["corrections"]
        report["stages"]["corrections"] = f"{fixed['rows']} rows corrected, {fixed['dropped']} dropped"
    report["stages"] |= {"link": link_note, "quality": f"{n_quality + len(departments)} quality rows"}
    report["achievement"] = _merge_achievement(achievement_parts, departments)
    report["discovery"] = found.summary()
    report["problems"] += [asdict(p) for p in found.problems]
    report["problem_counts"]["warning"] = report["problem_counts"].get("warning", 0) + len(found.problems)
    report["links"] = {"written": n_links, "families": n_families}
    if "corrections" in report:  # after `links`, as in nlp.pipeline.run
        report["corrections"] = report.pop("corrections")
    n_projects = report["projects"]["written"]
    tables = {"projects": n_projects, "indicators": n_indicators, "quality": n_quality + len(departments)}
    report["tables"] = {**tables, "links": n_links}
    log.info("%d documents, %d projects, %d indicators", len(files), n_projects, n_indicators)
    return report


GC_THRESHOLDS = (50_000, 20, 100)  # the cyclic collector's thresholds during a run (Python's: 700, 10, 10)


@contextmanager
def _frozen() -> Iterator[None]:
    """The objects made so far (modules, models, jieba's dictionary) out of the cyclic collector's reach
    while the chunks run: its full collections no longer walk them, in this process nor in the workers
    forked from it (where its writes would also copy the shared pages); and the collector run less often
    (GC_THRESHOLDS, inherited by the workers): the tables and readers make many short-lived objects,
    few of them in cycles. Both undone at the end."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _global_steps(
    executor: Executor,
    window: int,
    chunks: list[list[tuple[str, str]]],
    out: Path,
    spool: Path,
    options: Options,
    workers: int,
    progress: bool,
    clock: _Clock,
    loading: _Loading,
) -> tuple[
    list[ChunkSummary], Callable[[int], tuple[list[str], frozenset[str]]], int, int, str, Buckets | None
]:
    """Pass 1 and the global steps on one machine: the chunks' summaries, the family ids and
    boilerplate projects of each chunk, the number of links and families, the link stage's note, the
    link buckets left to write. `loading` starts once the first chunks are submitted (the workers
    forked) and ends before linking."""

    def submit(i: int) -> Future:
        return executor.submit(read_chunk, i, chunks[i], str(spool))

    read = _ordered(submit, len(chunks), window, loading.start)
    shared: dict = {}  # texts and indicator-name sets, one object each over all chunks
    rows: list[LinkRow] | None = [] if options.link else None  # linking rows, built as chunks come
    summaries = [_compact(s, shared, rows) for s in _bar(read, len(chunks), "reading", progress)]
    del shared
    loading.result()  # before linking forks processes
    clock.lap("1. read documents, build tables (per chunk)")
    projects = _titles(summaries)
    n_links, families, link_note, buckets = _link(rows, projects, options, out, spool, workers)
    boilerplate = _boilerplate(projects, summaries, families)
    del projects, rows
    _release(summaries)
    offsets = [0]
    for s in summaries:
        offsets.append(offsets[-1] + len(s.link_rows))

    def globals_of(i: int) -> tuple[list[str], frozenset[str]]:
        mine = frozenset(p for p in summaries[i].link_rows["project_id"] if p in boilerplate)
        return families[offsets[i] : offsets[i + 1]], mine

    return summaries, globals_of, n_links, len(set(families)), link_note, buckets


def _cluster_steps(
    client: Any,
    executor: Executor,
    window: int,
    chunks: list[list[tuple[str, str]]],
    out: Path,
    spool: Path,
    options: Options,
    progress: bool,
    clock: _Clock,
) -> tuple[list[shuffle.Parked], Callable[[int], tuple[list[str], frozenset[str]]], int, int, str]:
    """Pass 1 and the global steps on a Dask cluster (`nlp.shuffle`): the chunks' counts, nothing per
    chunk (the tasks of pass 2 read their family ids and boilerplate projects from the spool), the
    number of links and families, the link stage's note."""

    def submit(i: int) -> Future:
        return executor.submit(shuffle.park, i, chunks[i], str(spool), shuffle.SAMPLE)

    read = _ordered(submit, len(chunks), window)
    parked = list(_bar(read, len(chunks), "reading", progress))
    clock.lap("1. read documents, build tables (per chunk)")
    n_links, n_families = shuffle.global_steps(client, parked, spool, out, options)
    if n_links is None:
        n_links, link_note = _write_links(no_links(), out), "off"
    else:
        link_note = f"{n_links} links, {n_families} families"
    return parked, lambda i: ([], frozenset()), n_links, n_families, link_note


class _Corrections:
    """Corrections files read once; each chunk gets the answers about its documents, and the counts
    of the chunks add up to the report.json section of nlp.pipeline.run."""

    def __init__(self, paths: Iterable[Path]) -> None:
        self.answers, self.skipped, self.files = read_files(paths)
        self.counts: list[dict] = []
        self.unmatched: list[tuple[str, str, int]] = []
        self.given: set[str] = set()  # documents whose answers went to a chunk

    def about(self, docs: set[str]) -> tuple[Correction, ...]:
        """The answers about these documents (sent with their chunk)."""
        self.given |= docs
        return tuple(a for a in self.answers if a.doc in docs)

    def add(self, counts: dict | None, unmatched: list[tuple[str, str, int]]) -> None:
        """What a chunk did with its answers."""
        self.counts.append(counts or {})
        self.unmatched += unmatched

    def summary(self) -> dict:
        """report.json's `corrections`: answers about documents of no chunk are unmatched too."""
        nowhere = [key for key in latest(self.answers) if key[0] not in self.given]
        counts = [c for c in self.counts if c]
        summary, _ = files_summary(self.files, self.answers, self.skipped, counts, self.unmatched + nowhere)
        return summary


class _Clock:
    """Seconds per step, written into a dict."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings, self.last = timings, time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.timings[step] = now - self.last
        self.last = now


def errors_of(report: dict[str, Any]) -> list[Problem]:
    """Files that could not be read at all, from a report."""
    return [Problem(**p) for p in report["problems"] if p["severity"] == "error"]


def default_workers() -> int:
    """The machine's cores (the processes this process may use)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
