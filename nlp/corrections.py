"""Reviewers' corrections: appended one answer at a time to corrections.csv, applied over the machine.

A corrections file has one row per answer: `doc, project_id, seq` name the indicator, `field` is the
indicators-table column a reviewer set (`level2_final`, `annual_kind`, `annual_op`, `annual_number`,
`annual_number_max`, `annual_unit`, `name_kind`), or `accept` (the machine's reading is right), or
`drop` (`yes`: not an indicator; `no`: undo a drop). The last answer for a row and field wins.

`apply_corrections` runs after the classifier stage (a person wins over the machine); `training_rows`
turns the answers into extra labeled names for `jixiao train`.
"""

from __future__ import annotations

import csv
import math
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from nlp.schema import KINDS, LEVEL2, NAME_KINDS, OPS, Problem

COLUMNS = ("doc", "project_id", "seq", "field", "value", "reviewer", "at")
ANNUAL_FIELDS = ("annual_kind", "annual_op", "annual_number", "annual_number_max", "annual_unit")
VALUE_FIELDS = ("level2_final", *ANNUAL_FIELDS, "name_kind")  # fields a reviewer may set
ACTIONS = ("accept", "drop")
FIELDS = (*VALUE_FIELDS, *ACTIONS)
REVIEWED = "reviewed"  # flag of a row a person answered (nlp/data/flags.tsv); also a level2_source
MAX_TEXT = 40  # longest unit (characters) a reviewer may type
_CHOICES = {
    "level2_final": LEVEL2,
    "annual_kind": KINDS,
    "annual_op": ("", *OPS),
    "name_kind": NAME_KINDS,
    "drop": ("yes", "no"),
}
_lock = threading.Lock()


class CorrectionsError(ValueError):
    """A corrections file cannot be read, or lacks a column."""


@dataclass(frozen=True)
class Correction:
    """One answer: which indicator (doc, project_id, seq), which field, the value, who, when, where."""

    doc: str
    project_id: str
    seq: int
    field: str
    value: str
    reviewer: str = ""
    at: str = ""
    source: str = ""  # file:line it was read from

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.doc, self.project_id, self.seq)


@dataclass
class Applied:
    """The indicators with corrections applied, what was done (for report.json), and the warnings."""

    indicators: pd.DataFrame
    summary: dict
    problems: list[Problem] = field(default_factory=list)
    unmatched: list[tuple[str, str, int]] = field(default_factory=list)  # keys of rows not in the table


def check_value(name: str, value: str) -> str:
    """The value a reviewer gave for field `name`, normalized; raise ValueError saying what is allowed."""
    value = (value or "").strip()
    if name not in FIELDS:
        raise ValueError(f"unknown field {name!r} (one of {', '.join(FIELDS)})")
    if name == "drop":
        value = value or "yes"
    if name == "accept":
        return ""
    if name in ("annual_number", "annual_number_max"):
        if not value:
            return ""
        try:
            number = float(value.replace(",", ""))
        except ValueError:
            raise ValueError(f"{name} must be a number, got {value!r}") from None
        if not math.isfinite(number):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
        return repr(number)
    if name == "annual_unit":
        if len(value) > MAX_TEXT or any(ch < " " for ch in value):
            raise ValueError(f"annual_unit must be at most {MAX_TEXT} printable characters")
        return value
    allowed = _CHOICES[name]
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(a or '(empty)' for a in allowed)}, got {value!r}")
    return value


def now() -> str:
    """UTC time stamp of an answer (ISO 8601, seconds)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def append(path: str | Path, answers: Iterable[Correction]) -> int:
    """Append answers to a corrections file (header if new), flushed to disk before returning."""
    path = Path(path)
    rows = [[a.doc, a.project_id, a.seq, a.field, a.value, a.reviewer, a.at] for a in answers]
    with _lock:
        new = not path.exists() or path.stat().st_size == 0
        with path.open("a", encoding="utf-8-sig" if new else "utf-8", newline="") as stream:
            writer = csv.writer(stream)
            if new:
                writer.writerow(COLUMNS)
            writer.writerows(rows)
            stream.flush()
            os.fsync(stream.fileno())
    return len(rows)


def read(path: str | Path) -> tuple[list[Correction], list[Problem]]:
    """The answers of a corrections file in order, and a warning (file, line) for each unusable row."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.DictReader(stream)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise CorrectionsError(f"{path}: not a corrections file (no column {', '.join(missing)})")
            rows = [(reader.line_num, row) for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise CorrectionsError(f"{path}: cannot be read ({err})") from err
    answers, problems = [], []
    for line, row in rows:
        try:
            seq = int(str(row["seq"]).strip())
            value = check_value(str(row["field"]).strip(), str(row["value"] or ""))
        except ValueError as err:
            problems.append(Problem(str(path), line, f"correction skipped: {err}"))
            continue
        answers.append(
            Correction(
                doc=str(row["doc"]).strip(),
                project_id=str(row["project_id"]).strip(),
                seq=seq,
                field=str(row["field"]).strip(),
                value=value,
                reviewer=str(row["reviewer"] or ""),
                at=str(row["at"] or ""),
                source=f"{path}:{line}",
            )
        )
    return answers, problems


def latest(answers: Iterable[Correction]) -> dict[tuple[str, str, int], dict[str, Correction]]:
    """The last answer per indicator and field (a later answer replaces an earlier one)."""
    final: dict[tuple[str, str, int], dict[str, Correction]] = {}
    for answer in answers:
        final.setdefault(answer.key, {})[answer.field] = answer
    return final


def row_keys(indicators: pd.DataFrame) -> pd.Series:
    """(doc, project_id, seq) of every row, as a Series of tuples on the table's index."""
    seq = pd.to_numeric(indicators["seq"], errors="coerce").fillna(-1).astype(int)
    return pd.Series(
        list(zip(indicators["doc"].astype(str), indicators["project_id"].astype(str), seq, strict=True)),
        index=indicators.index,
    )


def is_dropped(fields: dict[str, Correction]) -> bool:
    """Whether the last drop answer of a row says it is not an indicator."""
    return "drop" in fields and fields["drop"].value == "yes"


def _typed(column: str, value: str) -> object:
    if column in ("annual_number", "annual_number_max"):
        return float(value) if value else float("nan")
    return value or None


def _add_flag(flags: object, flag: str) -> str:
    have = [f for f in str(flags or "").split(";") if f and f != "nan"]
    return ";".join(have if flag in have else [*have, flag])


def apply_corrections(indicators: pd.DataFrame, answers: Iterable[Correction]) -> Applied:
    """Apply the last answer per row and field: a person's value wins over the machine's.

    A corrected level2_final gets level2_source `reviewed`; corrected annual values replace the values
    stage's annual_flags with `reviewed`; a corrected name_kind gets name_kind_proba 1.0; every answered
    row gets the flag `reviewed`; `drop = yes` rows leave the table. Answers for a row that is not in
    the table are warned about (file, line) and counted.
    """
    answers = list(answers)
    final = latest(answers)
    out = indicators.copy()
    for column in (*VALUE_FIELDS, "level2_source", "annual_flags", "name_kind_proba", "flags"):
        if column not in out.columns:
            out[column] = None
    keys = row_keys(out)
    position = {key: i for i, key in enumerate(keys)}
    problems: list[Problem] = []
    summary = {"answers": len(answers), "rows": 0, "fields": 0, "accepted": 0, "dropped": 0, "unmatched": 0}
    drop, unmatched = [], []
    for key, fields in final.items():
        if key not in position:
            problems.append(unmatched_problem(key, fields))
            unmatched.append(key)
            summary["unmatched"] += 1
            continue
        row = out.index[position[key]]
        summary["rows"] += 1
        if is_dropped(fields):
            drop.append(row)
            summary["dropped"] += 1
            continue
        summary["accepted"] += "accept" in fields
        for name, answer in fields.items():
            if name not in VALUE_FIELDS:
                continue
            summary["fields"] += 1
            out.at[row, name] = _typed(name, answer.value)
            if name == "level2_final":
                out.at[row, "level2_source"] = REVIEWED
            elif name == "name_kind":
                out.at[row, "name_kind_proba"] = 1.0
            else:
                out.at[row, "annual_flags"] = REVIEWED
        out.at[row, "flags"] = _add_flag(out.at[row, "flags"], REVIEWED)
    return Applied(out.drop(index=drop).reset_index(drop=True), summary, problems, unmatched)


def unmatched_problem(key: tuple[str, str, int], fields: dict[str, Correction]) -> Problem:
    """The warning for answers about a row that is not in the run (file and line of the first answer)."""
    first = next(iter(fields.values()))
    file, _, line = first.source.rpartition(":")
    return Problem(
        file or first.source,
        int(line) if line.isdigit() else None,
        f"correction for {key[1]} #{key[2]} ({', '.join(fields)}): no such indicator in this run",
    )


def read_files(paths: Iterable[str | Path]) -> tuple[list[Correction], list[Problem], list[str]]:
    """The answers of corrections files (in order, later files win), the rows skipped, the file names."""
    answers, problems, files = [], [], []
    for path in paths:
        found, bad = read(path)
        answers += found
        problems += bad
        files.append(str(path))
    return answers, problems, files


def files_summary(
    files: list[str],
    answers: list[Correction],
    skipped: list[Problem],
    counts: Iterable[dict],
    unmatched: Iterable[tuple[str, str, int]],
) -> tuple[dict, list[Problem]]:
    """report.json's `corrections` and its warnings, from the counts of apply_corrections on one or more
    parts of the run (summed) and the keys found in none of them (warned about in answer order)."""
    counts = list(counts)
    missing = set(unmatched)
    final = latest(answers)
    problems = skipped + [unmatched_problem(key, fields) for key, fields in final.items() if key in missing]
    summary = {
        "files": files,
        "answers": len(answers),
        **{k: sum(c[k] for c in counts) for k in ("rows", "fields", "accepted", "dropped")},
        "unmatched": len(missing),
        "skipped": len(skipped),
        "problems": [
            {"file": p.file, "line": p.line, "what": p.what, "severity": p.severity} for p in problems
        ],
    }
    return summary, problems


def apply_files(indicators: pd.DataFrame, paths: Iterable[str | Path]) -> Applied:
    """Read corrections files (in order, later files win) and apply them; warnings of both steps."""
    answers, skipped, files = read_files(paths)
    applied = apply_corrections(indicators, answers)
    applied.summary, applied.problems = files_summary(
        files, answers, skipped, [applied.summary], applied.unmatched
    )
    return applied


def training_rows(answers: Iterable[Correction], indicators: pd.DataFrame) -> pd.DataFrame:
    """Extra labeled names from the answers: name, level2, name_kind (empty if not given), source, file.

    A corrected level2_final / name_kind is a label; `accept` confirms the row's level2_final and
    name_kind as the table shows them. Dropped rows and rows not in `indicators` give nothing.
    """
    final = latest(answers)
    keys = row_keys(indicators)
    position = {key: i for i, key in enumerate(keys)}
    rows = []
    for key, fields in final.items():
        if key not in position or is_dropped(fields):
            continue
        row = indicators.iloc[position[key]]
        accepted = "accept" in fields
        labels = {}
        for task, column in (("level2", "level2_final"), ("name_kind", "name_kind")):
            if column in fields:
                labels[task] = fields[column].value
            elif accepted:
                labels[task] = "" if pd.isna(row.get(column)) else str(row.get(column))
            else:
                labels[task] = ""
        name = "" if pd.isna(row.get("name")) else str(row["name"]).strip()
        if not name or not any(labels.values()):
            continue
        answer = max(fields.values(), key=lambda a: a.at)
        labels["level2"] = labels["level2"] if labels["level2"] in LEVEL2 else ""
        labels["name_kind"] = labels["name_kind"] if labels["name_kind"] in NAME_KINDS else ""
        file = answer.source.rsplit(":", 1)[0]
        rows.append(
            {"name": name, **labels, "source": f"{answer.source} {answer.reviewer} {answer.at}", "file": file}
        )
    return pd.DataFrame(rows, columns=["name", "level2", "name_kind", "source", "file"])


def with_extra(base: pd.DataFrame, extra: pd.DataFrame | None, task: str) -> pd.DataFrame:
    """Training rows for `task`: the base rows plus the extra rows labeled for it (a reviewer's label
    replaces the base rows of the same name)."""
    if extra is None or extra.empty:
        return base
    labeled = extra[extra[task].fillna("") != ""]
    kept = base[~base["name"].isin(set(labeled["name"]))]
    return pd.concat([kept, labeled[[c for c in labeled.columns if c in base.columns]]], ignore_index=True)


def training_rows_from_files(paths: Iterable[str | Path]) -> tuple[pd.DataFrame, list[Problem]]:
    """training_rows of each corrections file against the indicators table next to it (the one reviewed)."""
    from nlp.outputs import TableError, read_table

    frames, problems = [], []
    for path in map(Path, paths):
        answers, bad = read(path)
        problems += bad
        tables = [path.with_name(f"indicators{s}") for s in (".parquet", ".csv")]
        table = next((t for t in tables if t.is_file()), None)
        if table is None:
            raise CorrectionsError(f"{path}: no indicators table next to it (the `jixiao normalize` output)")
        try:
            indicators = read_table(table, "indicators", dtype={"project_id": str, "doc": str})
        except TableError as err:
            raise CorrectionsError(str(err)) from err
        frames.append(training_rows(answers, indicators))
    rows = pd.concat(frames, ignore_index=True) if frames else training_rows([], pd.DataFrame())
    return rows.drop_duplicates(subset=["name", "level2", "name_kind"], keep="last"), problems
