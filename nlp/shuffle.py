"""The global steps of a run on a Dask cluster, as shuffles by key: linking, family ids, boilerplate.

`nlp.batch` runs them in the client process on compact structures when it runs on one machine. On a
cluster (`jixiao normalize --scheduler`) the first pass parks each chunk's inputs of the global steps
in the spool (`park`), and the client keeps only counts and a sample of project ids. Then, as
shuffles by key: in each stage, every task writes the elements it makes into the spool, one file per
partition of the next stage (a stable hash of the key: CRC-32), and each task of the next stage reads
one partition's files (the spool is on a disk every worker mounts; through it the data move once,
without passing through the scheduler):

1. linking rows are built on the workers and grouped by name key; each key partition scores the pairs
   within its keys (`nlp.linking.pairs_within`), keeps its keys' rows in the spool, and sends each
   key's content words on; grouped by word, the distinct keys sharing a rare word make candidate key
   pairs (`nlp.linking.word_candidates`); each candidate goes to its first key's partition, which adds
   that key's side (`nlp.linking.side_of`), then to the second key's, which scores the pairs between
   them (`nlp.linking.pairs_between`). Links are spilled into the spool's buckets by project id range
   as on one machine (`nlp.link_files`); only the pairs of row positions linked come back.
2. the client joins the linked pairs into components (one label per project: all that must be held
   at once), writes links.csv and links.parquet one bucket at a time;
3. grouped by component, the smallest project id names each family; grouped by indicator-set digest,
   the boilerplate clusters are found (`nlp.quality.project_checks.clusters_of`); grouped by chunk,
   both are written into the spool, where the chunk's second pass reads them (`finish`).

The blocks, pairs and scores are those of `nlp.linking.link_blocks`, so the tables are the same as on
one machine (tests/test_batch.py, on a `distributed.LocalCluster` of processes).
"""

from __future__ import annotations

import logging
import pickle
import shutil
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from nlp import link_files
from nlp.link_files import ByBounds, Scored, score_blocks, write_link_files
from nlp.linking import (
    LinkRow,
    candidate_floor,
    core_words,
    linkable,
    pairs_between,
    pairs_within,
    rows_of,
    side_of,
    word_candidates,
)
from nlp.pipeline import Options
from nlp.quality.project_checks import clusters_of
from nlp.quality.rules import text_column

log = logging.getLogger(__name__)

SAMPLE = 100  # every SAMPLE-th project id (sorted, per chunk) comes back to place the link buckets
PARTITION_PROJECTS = 50_000  # projects per partition of a shuffle (at least two per worker thread)


@dataclass
class Parked:
    """What the client keeps of a chunk's first pass on a cluster (the rest is in the spool)."""

    projects: int
    sample: list[str]  # every SAMPLE-th project id of the chunk (sorted), to place the link buckets
    report: Path
    has_actual: bool
    flags: set[str]


def _parked_file(spool: Path, index: int) -> Path:
    return spool / f"globals-in.{index:06d}.pkl"


def _keys_file(spool: Path, part: int) -> Path:
    return spool / f"keys.{part:05d}.pkl"


def park(index: int, sources: list[tuple[str, str]], spool: str, sample: int) -> Parked:
    """Pass 1 of a chunk on a worker (`nlp.batch.read_chunk`), its global-step inputs left in the spool."""
    from nlp.batch import read_chunk  # nlp.batch runs this module's steps

    summary = read_chunk(index, sources, spool)
    inputs = (summary.link_rows, summary.indicator_sets, summary.signatures)
    _dump(inputs, _parked_file(Path(spool), index))
    pids = sorted(summary.link_rows["project_id"].astype(str))
    return Parked(len(pids), pids[::sample], summary.report, summary.has_actual, summary.flags)


def finish(index: int, spool: str, glob: Any, options: Options) -> Any:
    """Pass 2 of a chunk on a worker (`nlp.batch.finish_chunk`) with its family ids and boilerplate
    projects read from the spool."""
    from nlp.batch import finish_chunk

    link_rows, _, _ = _load(_parked_file(Path(spool), index))
    pids = link_rows["project_id"].tolist()
    families, boilerplate = _chunk_globals(Path(spool), index)
    alone = "fam-" if options.link else ""  # the family id of a project alone (linking off: its id)
    named = [families.get(k, f"{alone}{pid}") for k, pid in enumerate(pids)]
    mine = frozenset(boilerplate) & set(pids)
    return finish_chunk(index, spool, replace(glob, families=named, boilerplate=mine), options)


def _dump(value: object, path: Path) -> None:
    with open(path, "wb") as f:
        pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)


def _load(path: Path) -> Any:
    with open(path, "rb") as f:
        return pickle.load(f)


def _part(key: object, parts: int) -> int:
    """The partition of a key: a hash that is the same in every process (unlike `hash` of a str)."""
    data = key if isinstance(key, bytes) else str(key).encode("utf-8")
    return zlib.crc32(data) % parts


@dataclass(frozen=True)
class Plan:
    """What every task of the shuffles needs: the spool, the partitions, the chunks' first rows."""

    spool: Path
    parts: int
    offsets: list[int]  # position of each chunk's first project; one more: the number of projects
    threshold: float
    buckets: ByBounds


def global_steps(
    client: Any, parked: list[Parked], spool: Path, out: Path, options: Options
) -> tuple[int | None, int]:
    """Link on the cluster (links.csv and links.parquet into `out`), then put each chunk's family ids
    and boilerplate projects into the spool for `finish`; return the number of links (None: linking
    is off, no file written) and of families."""
    offsets = np.cumsum([0, *(p.projects for p in parked)]).tolist()
    n = offsets[-1]
    threads = max(1, sum(client.nthreads().values()))
    sample = sorted(pid for p in parked for pid in p.sample)
    step = max(1, link_files.BUCKET_PROJECTS // SAMPLE)
    plan = Plan(
        spool, max(2 * threads, -(-n // PARTITION_PROJECTS)), offsets, options.link_threshold,
        ByBounds(sample[step::step]),
    )  # fmt: skip
    start = time.perf_counter()
    if options.link:
        scored = _link(client, plan, len(parked))
        log.info("linking: %d projects, %d partitions, %.1f s", n, plan.parts, time.perf_counter() - start)
        labels, n_families = _components(n, [pairs for _, (pairs, _) in scored])
        n_links = write_link_files(spool, {tag: written for tag, (_, written) in scored}, out)
    else:  # no links: each project its own family
        labels, n_families, n_links = np.arange(n, dtype=np.int64), n, None
    log.info("components and links written: %.1f s", time.perf_counter() - start)
    _families_and_boilerplate(client, plan, labels)
    log.info("families and boilerplate: %.1f s", time.perf_counter() - start)
    return n_links, n_families


# ---------------------------------------------------------------- linking


def _chunk_rows(chunks: Iterable[int], plan: Plan) -> Iterator[tuple[str, int, int, LinkRow]]:
    """To the key partitions: the position and linking row of each named project of the chunks."""
    for c in chunks:
        link_rows, sets, _ = _load(_parked_file(plan.spool, c))
        for k, row in enumerate(rows_of(link_rows, sets)):
            if linkable(row):
                yield "rows", _part(row.name.key, plan.parts), plan.offsets[c] + k, row


def _by_key(groups: Iterable[tuple[int, list]], plan: Plan) -> Iterator[tuple]:
    """A key partition: score the pairs within each key, park the keys' rows in the spool, and send on
    each key's content words: ("L", tag, scored) and ("W", word partition, word, first row, key, name)."""
    for part, elements in groups:
        rows = {pos: row for _, pos, row in sorted(elements, key=lambda e: e[1])}
        members: dict[str, list[int]] = defaultdict(list)
        for pos, row in rows.items():
            members[row.name.key].append(pos)
        _dump((dict(members), rows), _keys_file(plan.spool, part))
        blocks = (pairs_within(m, rows) for m in members.values() if len(m) > 1)
        yield "L", part, score_blocks(part, rows, blocks, plan.buckets, plan.threshold, plan.spool)
        for key, m in members.items():
            name = rows[m[0]].name
            for word in core_words(name):
                yield "words", _part(word, plan.parts), word, m[0], key, name


def _by_word(groups: Iterable[tuple[int, list]], plan: Plan) -> Iterator[tuple[str, int, str, str]]:
    """A word partition: the candidate key pairs of each rare word, as (first key's partition, first
    key, second key), keys in the order they first occur."""
    floor = candidate_floor(plan.threshold)
    for _, elements in groups:
        by_word: dict[str, list[tuple[int, str, Any]]] = defaultdict(list)
        for _, word, first, key, name in elements:
            by_word[word].append((first, key, name))
        for word, keys in by_word.items():
            keys.sort(key=lambda k: k[0])
            key_of = {first: key for first, key, _ in keys}
            for i, j in word_candidates([(first, name) for first, _, name in keys], floor, word):
                yield "candidates", _part(key_of[i], plan.parts), key_of[i], key_of[j]


def _first_sides(groups: Iterable[tuple[int, list]], plan: Plan) -> Iterator[tuple]:
    """A first keys' partition: each distinct candidate pair once, with the first key's side and its
    rows, sent to the second key's partition."""
    for part, elements in groups:
        members, rows = _load(_keys_file(plan.spool, part))
        sides: dict[str, tuple] = {}
        for first, second in sorted({(a, b) for _, a, b in elements}):
            if first not in sides:
                side = side_of(members[first], rows)
                sides[first] = (side, {pos: rows[pos] for pos in side.positions()})
            yield "sides", _part(second, plan.parts), second, *sides[first]


def _between(groups: Iterable[tuple[int, list]], plan: Plan) -> Iterator[tuple]:
    """A second keys' partition: score the pairs between each candidate's keys: ("L", tag, scored)."""
    for part, elements in groups:
        members, rows = _load(_keys_file(plan.spool, part))
        for _, _, _, side_rows in elements:
            rows.update(side_rows)
        blocks = (pairs_between(side, members[second], rows) for _, second, side, _ in elements)
        yield (
            "L",
            plan.parts + part,
            score_blocks(plan.parts + part, rows, blocks, plan.buckets, plan.threshold, plan.spool),
        )


def _link(client: Any, plan: Plan, chunks: int) -> list[tuple[int, Scored]]:
    """The blocks scored on the cluster: (tag, scored) of each task."""
    _stage(client, plan, _chunk_rows, list(range(chunks)))
    found = _stage(client, plan, _by_key, _parts("rows", plan))
    _stage(client, plan, _by_word, _parts("words", plan))
    _stage(client, plan, _first_sides, _parts("candidates", plan))
    found += _stage(client, plan, _between, _parts("sides", plan))
    for stage in ("rows", "words", "candidates", "sides"):  # what only linking needed
        shutil.rmtree(plan.spool / stage, ignore_errors=True)
    for part in range(plan.parts):
        _keys_file(plan.spool, part).unlink(missing_ok=True)
    return [(tag, result) for tag, result in found]


def _components(n: int, pairs: list[bytes]) -> tuple[np.ndarray, int]:
    """The component of each of `n` projects given the pairs of positions linked, and their number."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    if n == 0:
        return np.zeros(0, dtype=np.int64), 0
    linked = np.frombuffer(b"".join(pairs), dtype=np.int64).reshape(-1, 2)
    graph = coo_matrix((np.ones(len(linked), dtype=np.int8), (linked[:, 0], linked[:, 1])), shape=(n, n))
    count, labels = connected_components(graph, directed=False)
    return labels.astype(np.int64), int(count)


# ---------------------------------------------------------------- families and boilerplate


def _chunk_keys(specs: Iterable[tuple[int, np.ndarray]], plan: Plan) -> Iterator[tuple]:
    """Per project of the chunks: ("F", component partition, component, project id, chunk, row) when
    its component has other members; ("S", digest partition, signature, project id, title key,
    component, chunk) when it has an indicator-set signature."""
    for c, labels in specs:
        link_rows, _, signatures = _load(_parked_file(plan.spool, c))
        pids = link_rows["project_id"].tolist()
        for k, (pid, label) in enumerate(zip(pids, labels.tolist(), strict=True)):
            if label >= 0:
                yield "families", _part(str(label), plan.parts), label, pid, c, k
        titles = dict(zip(pids, text_column(link_rows, "project"), strict=True))
        at = {pid: k for k, pid in enumerate(pids)}
        for pid, signature in signatures.items(pids):
            row = at.get(pid)  # None: indicators under a project_id no project has (own family, as locally)
            if row is None:
                component: int | str = pid
            else:
                component = int(labels[row]) if labels[row] >= 0 else -1 - (plan.offsets[c] + row)
            title = titles.get(pid, pid)
            yield "signatures", _part(signature.digest, plan.parts), signature, pid, title, component, c


def _family_names(groups: Iterable[tuple[int, list]], plan: Plan) -> Iterator[tuple[str, int, tuple]]:
    """A component partition: each member's family id ("fam-" + the smallest project id), by chunk."""
    for _, elements in groups:
        smallest: dict[int, str] = {}
        for _, label, pid, _, _ in elements:
            smallest[label] = min(smallest.get(label, pid), pid)
        for _, label, _, c, k in elements:
            yield "chunks", c, ("F", k, f"fam-{smallest[label]}")


def _boilerplate(groups: Iterable[tuple[int, list]], plan: Plan) -> Iterator[tuple[str, int, tuple]]:
    """A digest partition: the members of boilerplate clusters (`clusters_of`), by chunk."""
    for _, elements in groups:
        signatures = [(pid, signature) for _, signature, pid, _, _, _ in elements]
        titles = {pid: title for _, _, pid, title, _, _ in elements}
        families = {pid: component for _, _, pid, _, component, _ in elements}
        chunk_of = {pid: c for _, _, pid, _, _, c in elements}
        for pid in clusters_of(signatures, titles, families)["project_id"]:
            yield "chunks", chunk_of[pid], ("B", pid)


def _families_and_boilerplate(client: Any, plan: Plan, labels: np.ndarray) -> None:
    """Family ids and boilerplate projects of each chunk, into the spool (see the module's step 3)."""
    sizes = np.bincount(labels, minlength=1)
    shared = np.where(sizes[labels] > 1, labels, -1)  # a project alone is its own family
    o = plan.offsets
    _stage(client, plan, _chunk_keys, [(c, shared[o[c] : o[c + 1]]) for c in range(len(o) - 1)])
    _stage(client, plan, _family_names, _parts("families", plan))
    _stage(client, plan, _boilerplate, _parts("signatures", plan))


def _chunk_globals(spool: Path, index: int) -> tuple[dict[int, str], set[str]]:
    """A chunk's family ids (by row; a project alone is absent) and boilerplate projects."""
    families, boilerplate = {}, set()
    for _, _, payload in _read_part(spool, "chunks", index):
        if payload[0] == "F":
            families[payload[1]] = payload[2]
        else:
            boilerplate.add(payload[1])
    return families, boilerplate


# ---------------------------------------------------------------- shuffling through the spool


def _parts(stage: str, plan: Plan) -> list[tuple[str, int]]:
    """The inputs of the tasks that read a stage's partitions."""
    return [(stage, part) for part in range(plan.parts)]


def _read_part(spool: Path, stage: str, part: int) -> list[tuple]:
    """The elements written for one partition of a stage, by every task (in task order)."""
    elements: list[tuple] = []
    for path in sorted((spool / stage).glob(f"{part:06d}.*.pkl")):
        elements += _load(path)
    return elements


def _task(step: Callable[..., Iterable[tuple]], task: int, given: Any, plan: Plan) -> list[tuple]:
    """One task of a stage: `step` on its input (a partition of an earlier stage, read from the spool,
    or what was given); each element it yields as (stage, partition, ...) is written into that stage's
    partition in the spool, those of stage "L" (links scored) are returned."""
    if isinstance(given, tuple) and len(given) == 2 and isinstance(given[0], str):
        stage, part = given
        groups: Any = [(part, [e[1:] for e in _read_part(plan.spool, stage, part)])]
    else:
        groups = [given]
    returned: list[tuple] = []
    out: dict[tuple[str, int], list[tuple]] = defaultdict(list)
    for element in step(groups, plan):
        if element[0] == "L":
            returned.append(element[1:])
        else:
            out[element[0], element[1]].append(element)
    for (stage, part), elements in out.items():
        (plan.spool / stage).mkdir(exist_ok=True)
        _dump(elements, plan.spool / stage / f"{part:06d}.{step.__name__}-{task:06d}.pkl")
    return returned


def _stage(client: Any, plan: Plan, step: Callable[..., Iterable[tuple]], inputs: list[Any]) -> list[tuple]:
    """`step` on each input as a task on the cluster, all finished before the next stage reads what
    they wrote (a shuffle: every task writes each partition's elements, one task reads a partition)."""
    from distributed import wait

    tasks = [client.submit(_task, step, k, given, plan, pure=False) for k, given in enumerate(inputs)]
    wait(tasks)
    return [element for task in client.gather(tasks) for element in task]
