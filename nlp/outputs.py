"""Tables and report from Documents: projects and indicators DataFrames, CSV (BOM) + Parquet, report.json."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import fields
from operator import attrgetter
from pathlib import Path

import pandas as pd
import pyarrow as pa

from nlp.documents.common import amount_checks
from nlp.documents.formats import format_counts
from nlp.report_json import write_report
from nlp.schema import Document, Problem, Project

PROJECT_COLUMNS = (
    "doc",
    "department",
    "district",
    "unit",
    "project",
    "project_id",
    "year",
    "total",
    "fiscal",
    "special_account",
    "other",
    "executed",
    "execution_rate",
    "total_score",
    "goal",
    "n_indicators",
    "line",
    "flags",
    "sheet",
    "cell",
)
INDICATOR_COLUMNS = (
    "doc",
    "project_id",
    "project",
    "seq",
    "level1",
    "level2",
    "level1_raw",
    "level2_raw",
    "name",
    "period_value",
    "annual_value",
    "actual_value",
    "stated_op",
    "stated_unit",
    "stated_direction",
    "weight",
    "score",
    "raw",
    "line",
    "flags",
    "sheet",
    "cell",
)
# the columns a later stage needs in a table read back from disk (`jixiao link`, `jixiao report`)
REQUIRED_COLUMNS = {"projects": ("project_id", "project"), "indicators": ("project_id", "name")}
_INTS = ("year", "n_indicators", "line", "seq")  # nullable integer columns (pandas Int64)
# table column ← Indicator attribute, where they differ: the separate 指标性质 / 计量单位 / 指标方向性
# cells of other provinces' tables, kept apart from the normalized `*_op` / `*_unit` value fields
_PROJECT_FIELDS = {f.name for f in fields(Project)}
_INDICATOR_ATTRS = {"stated_op": "op", "stated_unit": "unit", "stated_direction": "direction"}


class TableError(ValueError):
    """A table read back from disk is not one `jixiao normalize` wrote (a required column is missing)."""


def read_table(path: str | Path, kind: str | None = None, dtype: object = None) -> pd.DataFrame:
    """A table written by `jixiao normalize` (.parquet, else CSV with BOM), checked as `kind` if given.

    `dtype` applies to CSV only (Parquet keeps its types). Raises TableError naming the file when it
    cannot be read or lacks the REQUIRED_COLUMNS of `kind`.
    """
    path = Path(path)
    try:
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, dtype=dtype)
    except (ValueError, OSError, UnicodeDecodeError) as err:  # pyarrow's errors are ValueErrors
        raise TableError(f"{path}: cannot be read as a table ({err})") from err
    return frame if kind is None else check_table(frame, kind, path)


def check_table(frame: pd.DataFrame, kind: str, source: str | Path) -> pd.DataFrame:
    """Return `frame` if it has the REQUIRED_COLUMNS of `kind`; else raise TableError naming the file."""
    missing = [c for c in REQUIRED_COLUMNS[kind] if c not in frame.columns]
    if missing:
        raise TableError(
            f"{source}: not a {kind} table of `jixiao normalize` (no column {', '.join(missing)}; "
            f"has {', '.join(map(str, frame.columns[:8])) or 'no columns'})"
        )
    return frame


_STR = pd.Series(["text"]).dtype  # the dtype pandas gives a column of strings (and missing values)


def _strings(cells: list) -> pd.api.extensions.ExtensionArray | list:
    """A column of strings and Nones as the _STR array pandas would infer, built by Arrow in one pass
    (pandas copies it to an object array and checks every cell first); any other column as it is.
    Arrow would take bytes too, which pandas makes an object column of: the schema's text fields are str."""
    if getattr(_STR, "storage", None) != "pyarrow":
        return cells
    try:
        array = pa.array(cells, type=pa.large_string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):  # a cell that is not a string: pandas infers the dtype
        return cells
    if array.null_count == len(array):  # all missing: pandas makes an object column
        return cells
    return pd.arrays.ArrowStringArray(array, dtype=_STR)


def _frame(rows: list[dict] | dict[str, list], columns: tuple[str, ...]) -> pd.DataFrame:
    if isinstance(rows, dict):  # column lists: converted here, with the dtypes pandas would infer
        rows = {c: pd.array(v, dtype="Int64") if c in _INTS else _strings(v) for c, v in rows.items()}
    frame = pd.DataFrame(rows, columns=list(columns))
    for col in _INTS:
        if col in frame and frame[col].dtype != "Int64":
            frame[col] = frame[col].astype("Int64")
    return frame


def _columns(records: list, attrs: list[str], names: list[str]) -> dict[str, list]:
    """Attributes `attrs` of the records as lists named `names` (one attrgetter call per record: each
    record is read once, which in a chunk just read beats a pass per attribute over all of them)."""
    rows = list(map(attrgetter(*attrs), records))
    if not rows:
        return {name: [] for name in names}
    return {name: list(cells) for name, cells in zip(names, zip(*rows, strict=True), strict=True)}


def projects_frame(docs: Iterable[Document]) -> pd.DataFrame:
    """One row per project, columns PROJECT_COLUMNS (flags joined by ";")."""
    projects = [p for d in docs for p in d.projects]
    attrs = [c for c in PROJECT_COLUMNS if c in _PROJECT_FIELDS and c != "flags"]
    columns = _columns(projects, attrs, attrs)
    columns["n_indicators"] = [len(p.indicators) for p in projects]
    columns["flags"] = [";".join(p.flags) for p in projects]
    return _frame(columns if projects else [], PROJECT_COLUMNS)


def indicators_frame(docs: Iterable[Document]) -> pd.DataFrame:
    """One row per indicator, columns INDICATOR_COLUMNS (flags joined by ";"), built column by column."""
    pairs = [(p, i) for d in docs for p in d.projects for i in p.indicators]
    if not pairs:
        return _frame([], INDICATOR_COLUMNS)
    plain = [c for c in INDICATOR_COLUMNS if c not in ("project", "flags")]
    columns = _columns([i for _, i in pairs], [_INDICATOR_ATTRS.get(c, c) for c in plain], plain)
    columns["project"] = [p.project for p, _ in pairs]
    columns["flags"] = [";".join(i.flags) for _, i in pairs]
    return _frame(columns, INDICATOR_COLUMNS)


def _problem(p: Problem) -> dict:
    return {"file": p.file, "line": p.line, "what": p.what, "severity": p.severity}


def _flag_counts(frame: pd.DataFrame) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for flags in frame.get("flags", pd.Series(dtype=str)).dropna():
        counts.update(f for f in str(flags).split(";") if f)
    return dict(sorted(counts.items()))


def build_report(docs: list[Document], projects: pd.DataFrame, indicators: pd.DataFrame) -> dict:
    """report.json content: counts read and written, per-document counts, every problem, amount checks."""
    read = [d for d in docs if d.layout != "unknown"]
    problems = [_problem(p) for d in docs for p in d.problems]
    return {
        "documents": {"given": len(docs), "read": len(read), "failed": len(docs) - len(read)},
        "formats": format_counts(docs),
        "projects": {"read": sum(len(d.projects) for d in docs), "written": len(projects)},
        "indicators": {
            "read": sum(len(p.indicators) for d in docs for p in d.projects),
            "written": len(indicators),
        },
        "per_document": [
            {
                "file": d.path,
                "doc": d.doc,
                "layout": d.layout,
                "department": d.department,
                "district": d.district,
                "projects": len(d.projects),
                "units": sum(1 for s in d.subtotals if s.unit),
                "indicators": sum(len(p.indicators) for p in d.projects),
                "problems": len(d.problems),
            }
            for d in docs
        ],
        "problems": problems,
        "problem_counts": dict(Counter(p["severity"] for p in problems)),
        # an AmountCheck holds plain values: its dict is what asdict gives, without the deep copy
        "amount_checks": [dict(vars(c)) for d in docs for c in amount_checks(d)],
        "flags": {"projects": _flag_counts(projects), "indicators": _flag_counts(indicators)},
    }


def write_tables(tables: dict[str, pd.DataFrame], report: dict, out_dir: str | Path) -> list[Path]:
    """Write each table as <name>.csv (UTF-8 with BOM) and <name>.parquet, plus report.json."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        csv_path, parquet_path = out / f"{name}.csv", out / f"{name}.parquet"
        frame.to_csv(csv_path, index=False, encoding="utf-8-sig")
        frame.to_parquet(parquet_path, index=False)
        written += [csv_path, parquet_path]
    return [*written, write_report(report, out / "report.json")]
