"""The review page's data: OUT_DIR's tables in memory, filtered, sorted and paged, with the answers so far.

Only the tables `jixiao normalize` wrote are read (indicators, projects, links, report.json for the
document file names) and `corrections.csv` is only appended to; no request value names a file.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, fields, replace
from pathlib import Path

import numpy as np
import pandas as pd

from nlp import corrections as corr
from nlp.outputs import TableError, read_table
from nlp.quality.rules import flag_table
from nlp.textnorm import fold
from nlp.values import RATE_UNITS

CORRECTIONS = "corrections.csv"
SORTABLE = (
    "department", "project", "seq", "level1", "level2_final", "level2_source", "name", "annual_value",
    "annual_kind", "annual_number", "name_kind", "level2_proba", "name_kind_proba", "teach", "file", "line",
)  # fmt: skip
SEARCHED = ("name", "raw", "project", "department", "period_value", "annual_value")
STATUSES = ("todo", "reviewed", "dropped")
MAX_PER_PAGE = 200
SUSPECT_FLAGS = ("unparsed", "suspect")  # the reader could not read the row, or doubts it


class ReviewError(ValueError):
    """A request the store cannot answer: an unknown indicator or a value that is not allowed."""


@dataclass(frozen=True)
class Query:
    """Filters, search, sort and page of one table request (all optional; unknown values match nothing)."""

    department: str = ""
    project: str = ""
    flag: str = ""
    kind: str = ""
    source: str = ""
    status: str = ""
    q: str = ""
    sort: str = ""
    desc: bool = False
    page: int = 1
    per_page: int = 50
    queue: bool = False  # the "next" queue: unanswered rows, most useful answer first

    @classmethod
    def from_args(cls, args, queue: bool = False) -> Query:
        """A Query from request arguments (a MultiDict); bad numbers fall back to the defaults."""
        text = {f.name: str(args.get(f.name, "")).strip()[:200] for f in fields(cls) if f.type == "str"}

        def number(name: str, default: int, top: int) -> int:
            try:
                return min(max(int(args.get(name, default)), 1), top)
            except (TypeError, ValueError):
                return default

        sort = text["sort"] if text["sort"] in SORTABLE else ""
        return cls(
            **{**text, "sort": sort},
            desc=args.get("desc", "") in ("1", "true"),
            page=number("page", 1, 10**6),
            per_page=number("per_page", 50, MAX_PER_PAGE),
            queue=queue,
        )

    def args(self, **changes) -> dict[str, str]:
        """The query as URL arguments (non-default values only), with `changes` applied."""
        q = replace(self, **changes)
        out = {
            f.name: str(getattr(q, f.name)) for f in fields(self) if f.type == "str" and getattr(q, f.name)
        }
        if q.desc:
            out["desc"] = "1"
        if q.page != 1:
            out["page"] = str(q.page)
        if q.per_page != 50:
            out["per_page"] = str(q.per_page)
        return out


@dataclass
class Page:
    """One page of rows (dicts ready for display or JSON) and where it sits in the filtered table."""

    rows: list[dict]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _table(out: Path, name: str, kind: str | None) -> pd.DataFrame | None:
    """OUT_DIR's table `name` (Parquet, else CSV), checked as `kind`; None if neither file exists."""
    for suffix in (".parquet", ".csv"):
        path = out / f"{name}{suffix}"
        if path.is_file():
            return read_table(path, kind, dtype={"project_id": str, "doc": str, "family_id": str})
    return None


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[column].astype(object).where(frame[column].notna(), "").astype(str)


def _number(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index)
    return pd.to_numeric(frame[column], errors="coerce")


def value_kind(kind: str, unit: str) -> str:
    """What kind of name a value answers: rate, count, qualitative ("" when it cannot tell)."""
    if kind == "threshold":
        return "rate" if unit in RATE_UNITS else "count"
    return kind if kind in ("rate", "count", "qualitative") else ""


def teach_scores(rows: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """How much an answer would teach (higher first) and why, per row (uncertainty sampling).

    1 − the lowest classifier probability of the row (any `*_proba` column present), + 1 for an
    unparsed or suspect row, + 1 when the name's kind and the value's kind disagree, + 0.25 per
    penalty flag (at most 1).
    """
    probas = [c for c in rows.columns if c.endswith("_proba")]
    lowest = rows[probas].apply(pd.to_numeric, errors="coerce").min(axis=1) if probas else None
    flags = _text(rows, "flags").str.split(";")
    penalty = set(flag_table().query("penalty == 'yes'")["flag"])
    n_penalty = flags.map(lambda fs: sum(f in penalty for f in fs))
    suspect = flags.map(lambda fs: any(f in SUSPECT_FLAGS for f in fs)) | _text(rows, "annual_kind").eq(
        "unspecified"
    )
    value = [
        value_kind(k, u) for k, u in zip(_text(rows, "annual_kind"), _text(rows, "annual_unit"), strict=True)
    ]
    name_kind = _text(rows, "name_kind")
    disagree = pd.Series(
        [bool(n and v and n != v) for n, v in zip(name_kind, value, strict=True)], index=rows.index
    )
    score = suspect.astype(float) + disagree.astype(float) + (n_penalty * 0.25).clip(upper=1.0)
    if lowest is not None:
        score += (1 - lowest).fillna(0)
    low = lowest.tolist() if lowest is not None else [float("nan")] * len(rows)
    reasons = []
    for p, sus, dis, nk, vk, n in zip(
        low, suspect.tolist(), disagree.tolist(), name_kind.tolist(), value, n_penalty.tolist(), strict=True
    ):
        why = [f"confidence {p:.2f}"] if p == p else []  # p != p: NaN, no probability
        why += ["unparsed/suspect"] if sus else []
        why += [f"name says {nk}, value is {vk}"] if dis else []
        why += [f"{n} flag(s)"] if n else []
        reasons.append("; ".join(why))
    return score.round(3), pd.Series(reasons, index=rows.index)


class Store:
    """OUT_DIR's tables for the review page, and the corrections file answers are appended to."""

    def __init__(self, out_dir: str | Path):
        self.out = Path(out_dir)
        indicators = _table(self.out, "indicators", "indicators")
        if indicators is None:
            raise TableError(
                f"{self.out}: no indicators table (run `jixiao normalize PATH --out {self.out}`)"
            )
        projects = _table(self.out, "projects", "projects")
        self.projects = projects if projects is not None else pd.DataFrame(columns=["project_id", "project"])
        links = _table(self.out, "links", None)
        self.links = links if links is not None else pd.DataFrame(columns=["project_id_a", "project_id_b"])
        self.rows = self._prepare(indicators.reset_index(drop=True))
        self.corrections_path = self.out / CORRECTIONS
        self._lock = threading.RLock()  # answers may arrive on several request threads
        self.answers: dict[tuple[str, str, int], dict[str, corr.Correction]] = {}
        self.problems: list = []
        if self.corrections_path.is_file():
            found, self.problems = corr.read(self.corrections_path)
            self.answers = corr.latest(found)
        self.keys = {key: i for i, key in enumerate(self.rows["key"])}
        by_teach = self.rows.sort_values(
            ["teach", "doc", "project_id", "seq"], ascending=[False, True, True, True]
        )
        self.queue_order = by_teach.index.to_numpy()

    def _files(self) -> dict[str, str]:
        """doc → the document's file name (from report.json; the name only, never opened)."""
        try:
            report = json.loads((self.out / "report.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(d.get("doc")): Path(str(d.get("file", ""))).name for d in report.get("per_document", [])}

    def _prepare(self, ind: pd.DataFrame) -> pd.DataFrame:
        """Display columns, the department, origin, search text and teach score of every indicator."""
        out = pd.DataFrame(index=ind.index)
        for column in ind.columns:
            out[column] = _number(ind, column) if ind[column].dtype.kind in "fiu" else _text(ind, column)
        out["seq"] = _number(ind, "seq").fillna(-1).astype(int)
        out["line"] = _number(ind, "line")
        for column in ("level1", "level2_final", "level2_source", "name_kind", "raw", "flags", "annual_kind"):
            out[column] = _text(ind, column)
        for column in ("annual_number", "annual_number_max", "level2_proba", "name_kind_proba"):
            out[column] = _number(ind, column)
        by_project = self.projects.drop_duplicates("project_id").set_index("project_id")
        department = by_project["department"] if "department" in by_project else pd.Series(dtype=object)
        out["department"] = out["project_id"].map(department).fillna("").astype(str)
        out["file"] = out["doc"].map(self._files()).fillna(out["doc"]).astype(str)
        out["key"] = corr.row_keys(out)
        first, *rest = (out[c].astype(str) for c in SEARCHED)
        out["search"] = first.str.cat(rest, sep=" ").map(lambda t: fold(t).lower())
        out["teach"], out["why"] = teach_scores(out)
        return out

    # ---------------------------------------------------------------- reading

    def choices(self) -> dict[str, list[str]]:
        """The values each filter can take in this table (for the drop-down lists)."""
        flags = sorted({f for fs in self.rows["flags"] for f in fs.split(";") if f})
        distinct = {c: sorted(v for v in self.rows[c].unique() if v) for c in ("department", "annual_kind")}
        sources = sorted({*self.rows["level2_source"].unique(), corr.REVIEWED} - {""})
        return {**distinct, "flag": flags, "level2_source": sources, "status": list(STATUSES)}

    def _status(self) -> pd.Series:
        status = pd.Series("todo", index=self.rows.index, dtype=object)
        for key, answered in self.answers.items():
            if key in self.keys:
                status.iat[self.keys[key]] = "dropped" if corr.is_dropped(answered) else "reviewed"
        return status

    def _mask(self, query: Query, status: pd.Series) -> pd.Series:
        rows, mask = self.rows, pd.Series(True, index=self.rows.index)
        if query.department:
            mask &= rows["department"] == query.department
        if query.project:
            wanted = fold(query.project).lower()
            mask &= (rows["project_id"] == query.project) | rows["project"].map(
                lambda p: wanted in fold(p).lower()
            )
        if query.flag:
            mask &= rows["flags"].map(lambda fs: query.flag in fs.split(";"))
        if query.kind:
            mask &= rows["annual_kind"] == query.kind
        if query.source:
            mask &= self._shown_source() == query.source
        if query.status or query.queue:
            mask &= status == (query.status or "todo")
        if query.q:
            mask &= rows["search"].str.contains(fold(query.q).lower(), regex=False)
        return mask

    def _shown_source(self) -> pd.Series:
        source = self.rows["level2_source"].copy()
        for key, answered in self.answers.items():
            if key in self.keys and "level2_final" in answered:
                source.iat[self.keys[key]] = corr.REVIEWED
        return source

    def query(self, query: Query) -> Page:
        """The rows matching `query`, sorted, one page of them."""
        with self._lock:
            status = self._status()
            mask = self._mask(query, status)
            hit = self.rows[mask]
            if query.queue and not query.sort:  # the order of teach scores, computed once
                order = self.queue_order
                hit = self.rows.loc[order[mask.to_numpy()[order]]]
            elif query.sort:
                hit = hit.sort_values([query.sort, "doc", "project_id", "seq"], ascending=not query.desc,
                                      kind="stable", na_position="last")  # fmt: skip
            total = len(hit)
            last_page = max(1, -(-total // query.per_page))
            page = min(query.page, last_page)
            chunk = hit.iloc[(page - 1) * query.per_page : page * query.per_page]
            rows = [self._display(i, status.iat[i]) for i in chunk.index]
        return Page(rows, total, page, query.per_page)

    def _display(self, i: int, status: str) -> dict:
        """Row i as shown: the machine's reading with the answers so far laid over it."""
        r = self.rows.iloc[i]
        row = {c: _plain(r[c]) for c in self.rows.columns if c not in ("key", "search")}
        row["rid"] = int(i)
        row["flags"] = [f for f in str(r["flags"]).split(";") if f]
        row["status"] = status
        answered = self.answers.get(r["key"], {})
        for name, answer in answered.items():
            if name in corr.VALUE_FIELDS:
                row[name] = _plain(float(answer.value)) if "number" in name and answer.value else answer.value
                if name == "level2_final":
                    row["level2_source"] = corr.REVIEWED
                elif name == "name_kind":
                    row["name_kind_proba"] = 1.0  # a person's label, as nlp.corrections applies it
        row["answered"] = sorted(n for n in answered if n in corr.VALUE_FIELDS)
        row["accepted"] = "accept" in answered
        return row

    def row(self, doc: str, project_id: str, seq: int) -> dict:
        """One indicator as shown; ReviewError if it is not in the table."""
        i = self.keys.get((doc, project_id, seq))
        if i is None:
            raise ReviewError(f"no indicator {project_id} #{seq} in {self.out.name}")
        with self._lock:
            return self._display(i, self._status().iat[i])

    def project(self, project_id: str) -> dict | None:
        """A project, its indicators, its family across years and the links between them (None if unknown)."""
        match = self.projects[self.projects["project_id"].astype(str) == project_id]
        if match.empty:
            return None
        project = {c: _plain(v) for c, v in match.iloc[0].items()}
        family_id = str(project.get("family_id") or project_id)
        if "family_id" in self.projects.columns:
            family = self.projects[self.projects["family_id"].astype(str) == family_id]
        else:
            family = match
        family = (
            family.sort_values(["year", "project_id"], na_position="last") if "year" in family else family
        )
        members = set(family["project_id"].astype(str))
        links = self.links[
            self.links["project_id_a"].astype(str).isin(members)
            | self.links["project_id_b"].astype(str).isin(members)
        ]
        with self._lock:
            status = self._status()
            mine = self.rows.index[self.rows["project_id"] == project_id]
            rows = [self._display(i, status.iat[i]) for i in mine]
        return {
            "project": project,
            "indicators": rows,
            "family": [{c: _plain(v) for c, v in r.items()} for _, r in family.iterrows()],
            "links": [{c: _plain(v) for c, v in r.items()} for _, r in links.iterrows()],
        }

    # ---------------------------------------------------------------- answering

    def answer(self, doc: str, project_id: str, seq: int, action: str, values: dict, reviewer: str) -> dict:
        """Record one answer (accept, drop, undrop or correct) in corrections.csv at once; the row as shown.

        A correction writes one row per field whose value differs from what is shown.
        """
        current = self.row(doc, project_id, seq)
        reviewer = "".join(ch for ch in str(reviewer) if ch >= " ")[:80].strip() or "anonymous"
        at = corr.now()
        if action in ("accept", "drop", "undrop"):
            field, value = (
                ("drop", "yes" if action == "drop" else "no") if action != "accept" else ("accept", "")
            )
            changes = {field: value}
        elif action == "correct":
            changes = {}
            for name, value in (values or {}).items():
                if name not in corr.VALUE_FIELDS:
                    raise ReviewError(f"{name!r} cannot be corrected (one of {', '.join(corr.VALUE_FIELDS)})")
                try:
                    checked = corr.check_value(name, str(value if value is not None else ""))
                except ValueError as err:
                    raise ReviewError(str(err)) from None
                shown = current.get(name)
                same = _same(shown, checked)
                if not same:
                    changes[name] = checked
            if not changes:
                raise ReviewError("nothing changed (✓ Accept confirms the reading as it is)")
        else:
            raise ReviewError(f"unknown action {action!r} (accept, drop, undrop, correct)")
        answers = [corr.Correction(doc, project_id, seq, f, v, reviewer, at) for f, v in changes.items()]
        with self._lock:
            corr.append(self.corrections_path, answers)
            for a in answers:
                self.answers.setdefault(a.key, {})[a.field] = a
        return self.row(doc, project_id, seq)


def _plain(value: object) -> object:
    """A JSON- and template-friendly scalar: NaN → None, numpy → Python, whole floats → int."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _same(shown: object, given: str) -> bool:
    """Whether a reviewer's value equals the one shown (numbers compared as numbers)."""
    if shown is None or shown == "":
        return given == ""
    if isinstance(shown, int | float) and given:
        return float(shown) == float(given)
    return str(shown) == given
