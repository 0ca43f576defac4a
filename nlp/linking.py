"""Link the same project across years and places: blocking, name comparison, evidence, families.

Rules (TAXONOMY.md §4; keep in sync with the "Linking" section of README.md):

* Names are compared on their keys (nlp.names): prefix, years and places set aside, boilerplate
  down-weighted. Candidates come from an inverted index over the *distinct keys*: two keys are
  compared only when they share a word that is not boilerplate and occurs in at most
  `_MAX_DF` keys (or the same key). Projects with the same key are grouped first, so the work
  grows with the number of distinct names, and the project pairs of a large group are sparse
  (a chain per unit ordered by year, plus one link from each unit to the group's anchor).
* Two projects of the same document are linked only when they have the same unit and
  different years (004's 2025-2026 / 2026-2027 运维服务). Same-named projects of different units
  in one document (004's 专项工作经费, 购置经费) are different projects and are not linked.
* Generic names (words weighing < nlp.names.GENERIC_WEIGHT: 专项工作经费, 购置经费, 工作经费) are
  linked only within the same department and unit, so they cannot chain families together.
* score = name score + 0.1 × (support − 0.5), clipped to [0, 1], where support averages the
  evidence available (same unit role, goal text similarity, shared indicator names).
* family_id = "fam-" + the smallest project_id of the connected component (stable while that
  member stays; singletons get their own).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations, product

import numpy as np
import pandas as pd
import pyarrow as pa
from rapidfuzz import fuzz

from nlp.names import NameKey, fold_org, normalize_name, place_of
from nlp.segment import tokenize
from nlp.tablecells import cell_text as _text
from nlp.tablecells import unique_rows
from nlp.textnorm import fold

log = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.75  # chosen on training_data/project_pairs.csv, see training_data/README.md
RELATIONS = ("same_unit_other_year", "counterpart_other_place")
LINK_COLUMNS = (
    "project_id_a", "project_id_b", "score", "name_score", "relation", "name_a", "name_b",
    "key_a", "key_b", "doc_a", "doc_b", "year_a", "year_b", "place_a", "place_b", "evidence",
)  # fmt: skip
_DTYPES = {"score": "float64", "name_score": "float64", "year_a": "Int64", "year_b": "Int64"}  # else str
_MAX_DF = 50  # a word shared by more distinct keys than this does not make candidates
_CORE_WEIGHT = 0.5  # words below this weight are left out of the character comparison
_FULL_PAIRS = 2_000  # a group with more project pairs than this is linked sparsely
_SUPPORT_SPAN = 0.1  # supporting evidence moves the score by at most ±0.05


@dataclass(frozen=True)
class LinkResult:
    """Accepted links (columns LINK_COLUMNS) and each project's family id (indexed like projects)."""

    links: pd.DataFrame
    family_id: pd.Series


@dataclass(slots=True)
class LinkRow:
    """What linking needs from one projects row (not frozen: a run builds one per project, and a frozen
    dataclass's __init__ takes three times as long)."""

    pid: str
    doc: str
    department: str
    unit: str
    role: str  # unit (or department) with places removed: 人大常委会办公室
    place: str
    year: int | None
    name: NameKey
    goal: str
    indicators: frozenset[str] | None  # folded names of its indicators


def _year(value: object) -> int | None:
    try:
        return None if value is None or pd.isna(value) else int(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


@lru_cache(maxsize=50_000)
def _role(unit: str) -> str:
    key = normalize_name(unit) if unit else None
    return key.key if key else ""


def _shared_texts(column: pd.Series | None, n: int, shared: dict | None = None) -> list[str]:
    """The cells of a column as text ('' for a missing cell; all '' for no column), converted once per
    distinct value, one object per distinct text, the same as in earlier calls with the same `shared`."""
    if column is None:
        return [""] * n
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    distinct = [_text(value) for value in uniques.tolist()]
    if shared is not None:
        distinct = [shared.setdefault(text, text) for text in distinct]
    return np.array([*distinct, ""], dtype=object)[codes].tolist()


_KEY_COLUMNS = ("department", "unit", "project", "district", "year")  # what a row's fields depend on


def rows_of(
    projects: pd.DataFrame,
    indicator_sets: dict[str, frozenset[str]] | list[frozenset[str] | None],
    shared: dict | None = None,
) -> list[LinkRow]:
    """What linking needs from each projects row, in order; `indicator_sets` by project_id or, as a
    list, one per row. Texts are shared with the rows of earlier calls given the same `shared` dict
    (a run that builds its rows chunk by chunk); the fields are derived once per distinct
    (department, unit, project, district, year)."""
    n = len(projects)
    pids = _shared_texts(projects.get("project_id"), n)
    docs, goals = (_shared_texts(projects.get(c), n, shared) for c in ("doc", "goal"))
    sets = [indicator_sets.get(pid) for pid in pids] if isinstance(indicator_sets, dict) else indicator_sets
    absent = pd.Series(None, index=projects.index, dtype=object)
    codes, keys = unique_rows([projects.get(c, absent) for c in _KEY_COLUMNS])
    fields = [_fields(*key) for key in keys]
    key_of: list[int] = codes.tolist()
    return [
        LinkRow(pid, doc, *fields[code], goal=goal, indicators=names)
        for pid, doc, code, goal, names in zip(pids, docs, key_of, goals, sets, strict=True)
    ]


def _fields(
    department: object, unit: object, project: object, district: object, year: object
) -> tuple[str, str, str, str, int | None, NameKey]:
    """department, unit, role, place, year and name of a LinkRow, from its cells."""
    department, unit = _text(department), _text(unit)
    name = normalize_name(_text(project), department, unit)
    place = place_of(_text(district)) or place_of(department) or place_of(unit) or name.place
    year_ = name.year if name.year is not None else _year(year)
    return fold_org(department), fold_org(unit), _role(unit or department), place, year_, name


@lru_cache(maxsize=200_000)
def name_score(a: NameKey, b: NameKey) -> tuple[float, tuple[str, ...]]:
    """Weighted word overlap (Dice) blended with a character ratio of the content words."""
    wa = dict(zip(a.tokens, a.weights, strict=True))
    wb = dict(zip(b.tokens, b.weights, strict=True))
    shared = tuple(t for t in wa if t in wb)
    total = sum(wa.values()) + sum(wb.values())
    dice = 2 * sum(wa[t] for t in shared) / total if total else 0.0
    core_a = "".join(t for t, w in wa.items() if w >= _CORE_WEIGHT) or a.key
    core_b = "".join(t for t, w in wb.items() if w >= _CORE_WEIGHT) or b.key
    chars = fuzz.ratio(core_a, core_b) / 100
    return round(0.7 * dice + 0.3 * chars, 4), shared


def core_words(key: NameKey) -> set[str]:
    """The words of a key that make candidates (not boilerplate)."""
    return {t for t, w in zip(key.tokens, key.weights, strict=True) if w >= _CORE_WEIGHT}


def candidate_floor(threshold: float) -> float:
    """The name score two keys need to be candidates: supporting evidence can add at most this much."""
    return max(0.0, threshold - _SUPPORT_SPAN / 2)


def word_candidates(
    keys: list[tuple[int, NameKey]], floor: float, word: str = ""
) -> Iterator[tuple[int, int]]:
    """Pairs of the distinct keys having one word (numbered in the order they first occur, given in
    that order) with their name score ≥ floor; none when the word is not rare (in more than _MAX_DF)."""
    if len(keys) > _MAX_DF:
        log.debug("blocking: %r is in %d keys, not used", word, len(keys))
        return
    for (i, a), (j, b) in combinations(keys, 2):
        if name_score(a, b)[0] >= floor:
            yield i, j


def _candidate_keys(keys: list[NameKey], floor: float) -> Iterator[tuple[int, int]]:
    """Pairs of distinct keys sharing a rare content word, with their name score ≥ floor, each once
    (the word's pairs are those of `word_candidates`, as on a cluster)."""
    index: dict[str, list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        for t in core_words(k):
            index[t].append(i)
    seen: set[tuple[int, int]] = set()
    for token, ids in index.items():
        for pair in word_candidates([(i, keys[i]) for i in ids], floor, token):
            if pair not in seen:
                seen.add(pair)
                yield pair


def _unit_groups(members: list[int], rows: Sequence[LinkRow] | Mapping[int, LinkRow]) -> list[list[int]]:
    groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for m in members:
        groups[(rows[m].department, rows[m].unit, rows[m].place)].append(m)
    order = lambda m: (rows[m].year or 0, rows[m].doc, rows[m].pid)  # noqa: E731
    return sorted((sorted(g, key=order) for g in groups.values()), key=lambda g: order(g[0]))


def pairs_within(
    members: list[int], rows: Sequence[LinkRow] | Mapping[int, LinkRow]
) -> Iterator[tuple[int, int]]:
    """The candidate pairs among the projects of one key (row positions, in row order)."""
    if len(members) * (len(members) - 1) // 2 <= _FULL_PAIRS:
        yield from combinations(members, 2)
        return
    groups = _unit_groups(members, rows)
    for g in groups:
        yield from _chain(g, rows)
        if g is not groups[0]:
            yield groups[0][0], g[0]  # each unit to the group's anchor


def _chain(unit: list[int], rows: Sequence[LinkRow] | Mapping[int, LinkRow]) -> Iterator[tuple[int, int]]:
    """A unit's projects in year order, each linked to the latest earlier one from another document."""
    last, last_other = unit[0], None  # latest member, latest member from a document other than last's
    waiting = [unit[0]]  # members of the first document, linked once another document comes
    for m in unit[1:]:
        if rows[m].doc != rows[last].doc:
            yield from ((w, m) for w in (waiting or [last]))
            waiting = []
            last, last_other = m, last
        elif last_other is not None:
            yield last_other, m
            last = m
        else:
            waiting.append(m)
            last = m


@dataclass(frozen=True)
class Side:
    """What the candidate pairs between two keys need of the first key's projects (row positions): all
    of them when few, else the latest of each unit and the anchor (the smallest project id)."""

    size: int
    members: list[int] | None  # None when more than _FULL_PAIRS
    last_of_unit: dict[tuple[str, str, str], int]
    anchor: int

    def positions(self) -> set[int]:
        """The rows the pairs can name on this side."""
        return {*(self.members or ()), *self.last_of_unit.values(), self.anchor}


def side_of(members: list[int], rows: Sequence[LinkRow] | Mapping[int, LinkRow]) -> Side:
    """The first key's side of `_pairs_between` (members in row order)."""
    groups = _unit_groups(members, rows) if len(members) > 1 else [members]
    last = {(rows[g[0]].department, rows[g[0]].unit, rows[g[0]].place): g[-1] for g in groups}
    anchor = min(members, key=lambda m: rows[m].pid)
    return Side(len(members), members if len(members) <= _FULL_PAIRS else None, last, anchor)


def _pairs_between(
    ma: list[int], mb: list[int], rows: Sequence[LinkRow] | Mapping[int, LinkRow]
) -> Iterator[tuple[int, int]]:
    if len(ma) * len(mb) <= _FULL_PAIRS:
        yield from product(ma, mb)
    else:
        yield from pairs_between(side_of(ma, rows), mb, rows)


def pairs_between(
    a: Side, mb: list[int], rows: Sequence[LinkRow] | Mapping[int, LinkRow]
) -> Iterator[tuple[int, int]]:
    """The candidate pairs between the projects of two keys sharing a rare word: every pair when few,
    else each project of the second key to the latest of its unit in the first, or to the anchor."""
    if a.members is not None and a.size * len(mb) <= _FULL_PAIRS:
        yield from product(a.members, mb)
        return
    for b in mb:
        yield a.last_of_unit.get((rows[b].department, rows[b].unit, rows[b].place), a.anchor), b


def _allowed(a: LinkRow, b: LinkRow) -> str:
    """Empty when the pair may be linked, else the rule that keeps it apart."""
    if a.doc == b.doc and (a.unit != b.unit or a.year == b.year):
        return "same document, same year or other unit"
    if (a.name.generic or b.name.generic) and (
        a.department != b.department or (a.unit and b.unit and a.unit != b.unit)
    ):
        return "generic name outside its department/unit"
    return ""


@lru_cache(maxsize=50_000)
def _goal_words(goal: str) -> str:
    return " ".join(tokenize(goal)) if goal else ""


def _support(a: LinkRow, b: LinkRow) -> tuple[float | None, list[str]]:
    parts: list[tuple[float, str]] = []
    if a.role and b.role:
        same = a.role == b.role
        parts.append((1.0 if same else 0.0, f"unit {'same' if same else 'differs'} ({a.role}|{b.role})"))
    if a.goal and b.goal:
        g = fuzz.token_set_ratio(_goal_words(a.goal), _goal_words(b.goal)) / 100
        parts.append((g, f"goal text {g:.2f}"))
    ia, ib = a.indicators, b.indicators
    if ia and ib:
        j = len(ia & ib) / len(ia | ib)
        parts.append((j, f"indicators {len(ia & ib)}/{len(ia | ib)} shared"))
    if not parts:
        return None, []
    return sum(p for p, _ in parts) / len(parts), [t for _, t in parts]


def _evidence(a: LinkRow, b: LinkRow, score: float, shared: tuple[str, ...], notes: list[str]) -> str:
    only_a = [t for t in dict.fromkeys(a.name.tokens) if t not in shared]
    only_b = [t for t in dict.fromkeys(b.name.tokens) if t not in shared]
    aside = sorted({r for r in a.name.removed + b.name.removed})
    boiler = sorted(set(a.name.boilerplate) | set(b.name.boilerplate))
    years = f"{a.year or '-'}|{b.year or '-'}"
    places = f"{a.place or '-'}|{b.place or '-'}"
    text = [
        f"names '{a.name.key}' ~ '{b.name.key}' (name score {score:.2f})",
        f"matched: {'、'.join(shared) or 'nothing'}",
    ]
    if only_a or only_b:
        text.append(f"differs: {'、'.join(only_a) or '-'} | {'、'.join(only_b) or '-'}")
    text.append(f"set aside: years {years}; places {places}")
    if aside:
        text.append("removed " + ", ".join(aside))
    if boiler:
        text.append("down-weighted " + "、".join(boiler))
    return "; ".join(text + notes)


def indicator_sets_of(indicators: pd.DataFrame | None) -> dict[str, frozenset[str]]:
    """project_id → the folded names of its indicators (the evidence of shared indicators)."""
    if indicators is None or indicators.empty or "name" not in indicators:
        return {}
    names = indicators["name"]
    codes, uniques = pd.factorize(names)  # fold each distinct name once; -1 for a missing name
    folded = [fold(_text(n)) if _text(n) else "" for n in uniques]
    sets: dict[str, set[str]] = defaultdict(set)
    # as Python lists (one conversion each), not element by element from the Arrow and numpy arrays
    for pid, code in zip(indicators["project_id"].tolist(), codes.tolist(), strict=True):
        if code >= 0 and folded[code]:  # a project without names has no set: no indicator evidence
            sets[pid].add(folded[code])
    return {pid: frozenset(found) for pid, found in sets.items()}


class _TextColumn:
    """A column of strings kept as Arrow arrays of up to `batch` values, not one Python object each."""

    def __init__(self, batch: int = 20_000) -> None:
        self.batch = batch
        self.pending: list[str] = []
        self.arrays: list[pa.Array] = []

    def append(self, text: str) -> None:
        self.pending.append(text)
        if len(self.pending) >= self.batch:
            self.arrays.append(pa.array(self.pending, type=pa.large_string()))
            self.pending = []

    def taken(self, order: list[int]) -> pd.api.extensions.ExtensionArray:
        """The strings in `order` (positions in the order appended), as a pandas `str` array."""
        whole = pa.concat_arrays([*self.arrays, pa.array(self.pending, type=pa.large_string())])
        self.arrays, self.pending = [], []  # one copy at a time: the parts go before the sorted copy is made
        return pd.array(whole.take(pa.array(order, type=pa.int64())), dtype="str")


class Families:
    """Connected components of the links as they are accepted (union-find over row positions)."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def _find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(self, i: int, j: int) -> None:
        """Rows i and j are linked."""
        ri, rj = self._find(i), self._find(j)
        if ri != rj:
            self.parent[max(ri, rj)] = min(ri, rj)

    def ids(self, pids: list[str]) -> list[str]:
        """family_id of each row: "fam-" + the smallest project_id of its component."""
        smallest: dict[int, str] = {}
        for i, pid in enumerate(pids):
            r = self._find(i)
            smallest[r] = min(smallest.get(r, pid), pid)
        return [f"fam-{smallest[self._find(i)]}" for i in range(len(pids))]


Link = tuple[int, int, tuple, str]  # rows of project a and b (a's project_id first), LINK_COLUMNS values


def linkable(row: LinkRow) -> bool:
    """A project with a name: one without is kept (its own family) but never linked."""
    return bool(row.name.tokens)


def link_blocks(rows: list[LinkRow], threshold: float) -> list[Iterator[tuple[int, int]]]:
    """The candidate pairs (row positions), block by block: the projects of one name key, or of two
    keys sharing a rare word. Blocks are independent: they can be scored in any order or process."""
    by_key: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        if linkable(r):
            by_key[r.name.key].append(i)
    keys = [rows[m[0]].name for m in by_key.values()]
    members = list(by_key.values())
    floor = candidate_floor(threshold)
    blocks: list[Iterator[tuple[int, int]]] = [pairs_within(m, rows) for m in members if len(m) > 1]
    blocks += [_pairs_between(members[i], members[j], rows) for i, j in _candidate_keys(keys, floor)]
    log.info("linking: %d projects, %d distinct keys, %d blocks", len(rows), len(keys), len(blocks))
    return blocks


def scored_links(
    rows: Sequence[LinkRow] | Mapping[int, LinkRow],
    blocks: Iterable[Iterator[tuple[int, int]]],
    threshold: float,
) -> Iterator[Link]:
    """The accepted links of some blocks, as they are found: rows of a and b, column values, evidence."""
    for pair in blocks:
        for i, j in pair:
            if rows[j].pid < rows[i].pid:
                i, j = j, i
            a, b = rows[i], rows[j]
            if _allowed(a, b):
                continue
            ns, shared = name_score(a.name, b.name)
            support, notes = _support(a, b)
            score = ns if support is None else min(1.0, max(0.0, ns + _SUPPORT_SPAN * (support - 0.5)))
            if score < threshold:
                continue
            same_place = not (a.place and b.place and a.place != b.place)
            relation = RELATIONS[0] if same_place else RELATIONS[1]
            values = (a.pid, b.pid, round(score, 4), ns, relation, a.name.original, b.name.original,
                      a.name.key, b.name.key, a.doc, b.doc, a.year, b.year, a.place, b.place)  # fmt: skip
            yield i, j, values, _evidence(a, b, ns, shared, notes)


def accepted_links(rows: list[LinkRow], threshold: float) -> Iterator[Link]:
    """Every accepted link, as it is found (all blocks, in order)."""
    return scored_links(rows, link_blocks(rows, threshold), threshold)


def links_frame(
    values: dict[str, list[object]], evidence: pd.api.extensions.ExtensionArray | list[str]
) -> pd.DataFrame:
    """The links table from its columns (LINK_COLUMNS but evidence, in order) and the evidence."""
    columns = {c: pd.array(v, dtype=_DTYPES.get(c, "str")) for c, v in values.items()}
    return pd.DataFrame({**columns, "evidence": pd.array(evidence, dtype="str")})


def link_projects(
    projects: pd.DataFrame,
    indicators: pd.DataFrame | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    indicator_sets: dict[str, frozenset[str]] | None = None,
) -> LinkResult:
    """Link projects that are the same across years or places; return links and family ids.

    `indicator_sets` (project_id → folded indicator names, see `indicator_sets_of`) replaces `indicators`
    when a run has gathered them part by part.
    """
    ind = indicator_sets if indicator_sets is not None else indicator_sets_of(indicators)
    rows = rows_of(projects, ind)
    out: dict[str, list[object]] = {c: [] for c in LINK_COLUMNS if c != "evidence"}
    evidence = _TextColumn()
    families = Families(len(rows))
    for i, j, values, text in accepted_links(rows, threshold):
        for column, value in zip(out, values, strict=True):
            out[column].append(value)
        evidence.append(text)
        families.join(i, j)
    order = sorted(range(len(out["score"])), key=lambda k: (out["project_id_a"][k], out["project_id_b"][k]))
    links = links_frame({c: [v[k] for k in order] for c, v in out.items()}, evidence.taken(order))
    family = pd.Series(families.ids([r.pid for r in rows]), index=projects.index, name="family_id")
    return LinkResult(links=links, family_id=family)


def clear_caches() -> None:
    """Empty the caches of name keys, scores and goal words (a large run's main process, once linked)."""
    for cached in (name_score, _goal_words, _role, normalize_name, fold_org, place_of):
        cached.cache_clear()


def no_links() -> pd.DataFrame:
    """An empty links table (columns LINK_COLUMNS): linking turned off, or a folder without links."""
    return pd.DataFrame(columns=list(LINK_COLUMNS))


def pairs_to_projects(pairs: pd.DataFrame) -> pd.DataFrame:
    """A projects table built from labeled pairs (one row per distinct doc, department, unit, name)."""
    sides = []
    for s in ("a", "b"):
        cols = {
            f"name_{s}": "project",
            f"doc_{s}": "doc",
            f"department_{s}": "department",
            f"unit_{s}": "unit",
        }
        sides.append(pairs.reindex(columns=list(cols)).rename(columns=cols))
    table = pd.concat(sides, ignore_index=True).fillna("").drop_duplicates(ignore_index=True)
    table["project_id"] = [f"{d}-{i:04d}" for i, d in enumerate(table["doc"], start=1)]
    return table


def score_pairs(
    pairs: pd.DataFrame, projects: pd.DataFrame | None = None, indicators: pd.DataFrame | None = None
) -> pd.Series:
    """Score of each labeled pair as link_projects would give it (0.0 when it is not linked at all).

    Pairs are matched to `projects` rows on (doc, folded name); without `projects`, a table is
    built from the pairs' own columns (name, doc, department, unit).
    """
    table = pairs_to_projects(pairs) if projects is None else projects
    links = link_projects(table, indicators, threshold=0.0).links
    ids = {
        (_text(d), fold_org(_text(p))): pid
        for d, p, pid in zip(table["doc"], table["project"], table["project_id"], strict=True)
    }
    score = {(r.project_id_a, r.project_id_b): r.score for r in links.itertuples()}
    out = []
    for rec in pairs.to_dict("records"):
        a = ids.get((_text(rec["doc_a"]), fold_org(_text(rec["name_a"]))))
        b = ids.get((_text(rec["doc_b"]), fold_org(_text(rec["name_b"]))))
        if a is None or b is None:
            log.warning("labeled pair not found in projects: %s / %s", rec["name_a"], rec["name_b"])
        first, second = sorted((a or "", b or ""))
        out.append(score.get((first, second), 0.0))
    return pd.Series(out, index=pairs.index, name="score")


def evaluate_pairs(
    pairs: pd.DataFrame,
    projects: pd.DataFrame | None = None,
    indicators: pd.DataFrame | None = None,
    thresholds: tuple[float, ...] = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9),
) -> pd.DataFrame:
    """Precision, recall and F1 of the labeled pairs (label same/different) at each threshold."""
    scores = score_pairs(pairs, projects, indicators)
    same = pairs["label"].eq("same")
    rows = []
    for t in thresholds:
        hit = scores >= t
        tp, fp, fn = int((hit & same).sum()), int((hit & ~same).sum()), int((~hit & same).sum())
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append({"threshold": t, "tp": tp, "fp": fp, "fn": fn, "precision": round(precision, 3),
                     "recall": round(recall, 3), "f1": round(f1, 3)})  # fmt: skip
    return pd.DataFrame(rows)
