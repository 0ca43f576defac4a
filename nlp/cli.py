"""Command line: thin commands over the pipeline; the only module that prints."""

from __future__ import annotations

import signal
from typing import Annotated

import typer

app = typer.Typer(
    help="jixiao (绩效): read budget performance tables and normalize their indicators.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _main() -> None:
    """jixiao (绩效): read budget performance tables and normalize their indicators."""


@app.command()
def normalize(
    paths: Annotated[list[str], typer.Argument(help="files and/or folders (text, Excel, Word, HTML, PDF)")],
    out: str = typer.Option(..., "--out", "-o", help="folder for the tables (csv, parquet) and report.json"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar"),
    no_link: bool = typer.Option(False, "--no-link", help="skip linking (every project is its own family)"),
    link_threshold: float | None = typer.Option(
        None,
        "--link-threshold",
        help="minimum link score, 0-1 (default 0.75: precision 1.0, recall 1.0 on the labeled pairs)",
    ),
    corrections: Annotated[
        list[str] | None,
        typer.Option("--corrections", help="reviewers' corrections.csv (`jixiao review`), applied last"),
    ] = None,
    xlsx: bool = typer.Option(False, "--xlsx", help="also write tables.xlsx (the four tables as sheets)"),
    workers: int = typer.Option(
        1, "--workers", "-w", min=1, help="processes that read and normalize documents, in chunks"
    ),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="run on the Dask cluster at this address (tcp://HOST:8786) instead"
    ),
    chunk_size: int = typer.Option(250, "--chunk-size", min=1, help="documents per chunk (memory)"),
) -> None:
    """Read and normalize budget documents: projects, indicators, quality and links tables + report.json."""
    from pathlib import Path

    from nlp.atomic import OutputError, check_out_dir, output_lock
    from nlp.corrections import CorrectionsError
    from nlp.linking import DEFAULT_THRESHOLD

    threshold = DEFAULT_THRESHOLD if link_threshold is None else link_threshold
    if not 0.0 <= threshold <= 1.0:
        typer.echo(f"error: --link-threshold must be between 0 and 1, got {threshold}", err=True)
        raise typer.Exit(code=2)
    from nlp.locations import LocationError, local_path

    try:  # file:// URLs (fsspec) name local or shared-disk paths
        paths, out = [local_path(p) for p in paths], local_path(out)
    except LocationError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(code=1) from err
    fixes = tuple(Path(c) for c in corrections or ())
    for path in fixes:
        if not path.is_file():
            typer.echo(f"error: {path}: corrections file not found", err=True)
            raise typer.Exit(code=1)
    chunked = workers > 1 or scheduler is not None
    try:
        with output_lock(check_out_dir(out)):  # --out is checked, and taken, before any work
            from nlp.pipeline import Options

            options = Options(link=not no_link, link_threshold=threshold, corrections=fixes)
            if chunked:
                chunking = (workers, scheduler, chunk_size)
                report = _normalize_chunked(paths, out, options, chunking, quiet, xlsx)
            else:
                report = _normalize_in_memory(paths, out, options, quiet, xlsx)
    except CorrectionsError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(code=1) from err
    except OutputError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(code=1) from err
    except OSError as err:
        typer.echo(f"error: cannot write the tables to {out}: {err.strerror or err}", err=True)
        raise typer.Exit(code=1) from err
    if "corrections" in report:
        _echo_corrections(report["corrections"])
    counts = report["problem_counts"]
    typer.echo(
        f"{report['documents']['read']} of {report['documents']['given']} documents read, "
        f"{report['projects']['written']} projects, {report['indicators']['written']} indicators, "
        f"{report['links']['written']} links, {counts.get('warning', 0)} warnings "
        f"-> {out} (details in report.json)"
    )
    if report["documents"]["failed"] or not report["documents"]["given"]:
        raise typer.Exit(code=1)


def _normalize_in_memory(paths: list[str], out: str, options, quiet: bool, xlsx: bool) -> dict:
    """One process, all tables in memory (nlp.pipeline.run), written all or nothing; returns the report."""
    from nlp.documents import SUFFIXES
    from nlp.pipeline import run

    result = run(paths, progress=not quiet, options=options, exclude=[out])
    for problem in result.skipped:
        typer.echo(f"warning: {problem}", err=True)
    for problem in result.errors:
        typer.echo(f"error: {problem}", err=True)
    if not result.report["documents"]["read"]:  # nothing readable: the previous output stays
        given, where = result.report["documents"]["given"], " ".join(paths)
        suffixes = " ".join(f"*{s}" for s in SUFFIXES)
        what = f"no documents ({suffixes}) under {where}"
        if given:
            what = f"none of the {given} documents could be read; nothing written to {out}"
        typer.echo(f"error: {what}", err=True)
        raise typer.Exit(code=1)
    result.write(out)
    if xlsx:
        t = result.tables
        tables = {"projects": t.projects, "indicators": t.indicators, "quality": t.quality, "links": t.links}
        _write_xlsx(tables, out)
    return result.report


def _normalize_chunked(
    paths: list[str], out: str, options, chunking: tuple[int, str | None, int], quiet: bool, xlsx: bool
) -> dict:
    """Chunks of documents in `workers` processes or on a Dask cluster (nlp.batch), written all or nothing.

    `chunking` is (workers, scheduler, chunk_size); with `xlsx`, tables.xlsx is made from the written
    Parquet tables inside the staging folder, so it is moved in with them."""
    from nlp.atomic import atomic_output_dir
    from nlp.batch import SchedulerError, errors_of, normalize_to
    from nlp.documents import SUFFIXES
    from nlp.pipeline import STALE_OUTPUTS

    workers, scheduler, chunk_size = chunking
    try:
        with atomic_output_dir(out, stale=STALE_OUTPUTS) as staging:
            report = normalize_to(
                paths, staging, options, workers=workers, scheduler=scheduler,
                chunk_size=chunk_size, progress=not quiet, exclude=[out], final_dir=out,
            )  # fmt: skip
            if not report["documents"]["read"]:
                suffixes = " ".join(f"*{s}" for s in SUFFIXES)
                typer.echo(f"error: no readable documents ({suffixes}) under {' '.join(paths)}", err=True)
                raise typer.Exit(code=1)
            if xlsx:
                import pandas as pd

                names = ("projects", "indicators", "quality", "links")
                _write_xlsx({n: pd.read_parquet(staging / f"{n}.parquet") for n in names}, str(staging))
    except SchedulerError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(code=1) from err
    for problem in errors_of(report):
        typer.echo(f"error: {problem}", err=True)
    return report


def _echo_corrections(summary: dict) -> None:
    """One warning line per correction that could not be applied, then what the corrections did."""
    for p in summary["problems"]:
        typer.echo(f"warning: {p['file']}:{p['line']}: {p['what']}", err=True)
    typer.echo(
        f"corrections: {summary['answers']} answers, {summary['rows']} rows reviewed, "
        f"{summary['dropped']} dropped, {summary['unmatched'] + summary['skipped']} not applied"
    )


def _write_xlsx(tables: dict, out: str) -> None:
    """tables.xlsx next to the CSV/Parquet tables (needs the formats extra: xlsxwriter)."""
    from pathlib import Path

    from nlp.outputs_xlsx import write_xlsx

    try:
        write_xlsx(tables, Path(out) / "tables.xlsx")
    except ImportError as err:
        typer.echo(f"error: --xlsx needs xlsxwriter: pip install 'jixiao[formats]' ({err})", err=True)
        raise typer.Exit(code=1) from err


@app.command()
def report(out_dir: str = typer.Argument(..., help="folder written by `jixiao normalize --out`")) -> None:
    """Write OUT_DIR/report.html: departments ranked by quality score, worst indicators, kinds, families."""
    from nlp.outputs import TableError
    from nlp.report import write_report

    try:
        path = write_report(out_dir)
    except (FileNotFoundError, TableError) as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(code=1) from err
    except OSError as err:
        typer.echo(f"error: cannot write {out_dir}/report.html: {err.strerror or err}", err=True)
        raise typer.Exit(code=1) from err
    typer.echo(f"wrote {path}")


@app.command()
def review(
    out_dir: str = typer.Argument(..., help="folder written by `jixiao normalize --out`"),
    host: str = typer.Option("127.0.0.1", "--host", help="address (not loopback: needs a token)"),
    port: int = typer.Option(8765, "--port", help="port to listen on"),
) -> None:
    """Serve a review page over OUT_DIR's tables; answers are appended to OUT_DIR/corrections.csv."""
    try:
        from nlp.review.app import serve
    except ImportError as err:  # flask is the optional `review` extra
        typer.echo(f"error: {err.name} is not installed: pip install 'jixiao[review]'", err=True)
        raise typer.Exit(code=1) from err
    from nlp.outputs import TableError

    try:
        serve(out_dir, host=host, port=port, echo=typer.echo)
    except TableError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(code=1) from err
    except OSError as err:  # port in use, address not available
        typer.echo(f"error: cannot listen on {host}:{port}: {err.strerror or err}", err=True)
        raise typer.Exit(code=1) from err


def _read_table(path: str, kind: str):  # -> pd.DataFrame
    """A projects or indicators table from disk; exit with a one-line error if it is not one."""
    from nlp.outputs import TableError, read_table

    try:
        return read_table(path, kind, dtype={"project_id": str})
    except TableError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(code=1) from err


@app.command()
def link(
    projects_file: str = typer.Argument(..., help="projects.csv or projects.parquet from `jixiao normalize`"),
    out: str = typer.Option(..., "--out", help="folder for links.csv/.parquet and projects with family_id"),
    threshold: float | None = typer.Option(None, "--threshold", help="minimum link score (default 0.75)"),
    indicators: str | None = typer.Option(None, help="indicators table (default: next to PROJECTS_FILE)"),
) -> None:
    """Link the same project across years and places: write links and projects with family_id."""
    from pathlib import Path

    from nlp.atomic import OutputError, atomic_output_dir, check_out_dir, output_lock
    from nlp.linking import DEFAULT_THRESHOLD, link_projects

    src = Path(projects_file)
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    if not 0.0 <= threshold <= 1.0:
        typer.echo(f"error: --threshold must be between 0 and 1, got {threshold}", err=True)
        raise typer.Exit(code=2)
    if not src.is_file():
        typer.echo(f"error: {src} not found (run `jixiao normalize PATH --out DIR` first)", err=True)
        raise typer.Exit(code=1)
    try:
        dest = check_out_dir(out)
    except OutputError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(code=1) from err
    projects = _read_table(str(src), "projects")
    repeated = projects["project_id"][projects["project_id"].duplicated()].unique()
    if len(repeated):
        ids = ", ".join(map(str, repeated[:5])) + (" …" if len(repeated) > 5 else "")
        typer.echo(f"error: {src}: {len(repeated)} project_ids occur more than once ({ids})", err=True)
        raise typer.Exit(code=1)
    sibling = [src.with_name(f"indicators{src.suffix}")] if indicators is None else [Path(indicators)]
    ind = _read_table(str(sibling[0]), "indicators") if sibling[0].is_file() else None
    result = link_projects(projects, ind, threshold=threshold)
    projects = projects.assign(family_id=result.family_id)
    try:
        with output_lock(dest), atomic_output_dir(dest) as staging:
            for name, table in (("links", result.links), ("projects", projects)):
                table.to_csv(staging / f"{name}.csv", index=False, encoding="utf-8-sig")
                table.to_parquet(staging / f"{name}.parquet", index=False)
    except OutputError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(code=1) from err
    except OSError as err:
        typer.echo(f"error: cannot write to {dest}: {err.strerror or err}", err=True)
        raise typer.Exit(code=1) from err
    n_fam = projects["family_id"].nunique()
    typer.echo(f"{len(projects)} projects, {len(result.links)} links, {n_fam} families -> {dest}")


@app.command("link-eval")
def link_eval(
    pairs: str = typer.Argument("training_data/project_pairs.csv", help="labeled project pairs (CSV)"),
    projects_file: str | None = typer.Option(
        None, "--projects", help="score pairs on this projects table (+ the indicators table next to it)"
    ),
) -> None:
    """Precision and recall of linking on labeled project pairs, at several thresholds."""
    from pathlib import Path

    import pandas as pd

    from nlp.linking import evaluate_pairs

    table = pd.read_csv(pairs, encoding="utf-8-sig", keep_default_na=False)
    projects = _read_table(projects_file, "projects") if projects_file else None
    src = Path(projects_file) if projects_file else None
    sibling = src.with_name(f"indicators{src.suffix}") if src else None
    indicators = _read_table(str(sibling), "indicators") if sibling and sibling.is_file() else None
    typer.echo(evaluate_pairs(table, projects, indicators).to_string(index=False))


@app.command()
def values(
    in_file: str | None = typer.Option(None, "--in", help="JSONL or CSV rows with `value` (default: stdin)"),
    out_file: str | None = typer.Option(None, "--out", help="where to write (default: stdout)"),
    fmt: str | None = typer.Option(None, "--format", help="input format: jsonl or csv (default: guessed)"),
) -> None:
    """Normalize a column of values: rows with `value` (+ name, op, unit, direction) get the value fields."""
    import sys

    from nlp import values_io as vio

    _check_row_files(in_file, out_file, fmt)
    source = open(in_file, encoding="utf-8-sig", newline="") if in_file else sys.stdin  # noqa: SIM115
    in_fmt, lines = _sniffed(source, fmt, in_file)
    unreadable = 0

    def report(rows):
        nonlocal unreadable
        for row in rows:
            if isinstance(row, vio.RowError):
                unreadable += 1
                typer.echo(f"{in_file or 'stdin'}: {row} (kept with flag unreadable_row)", err=True)
            yield row

    out_rows = vio.normalize_rows(report(vio.read_rows(lines, in_fmt)))
    out_fmt = vio.format_of_path(out_file) or in_fmt  # same format as the input unless --out says otherwise
    try:
        count = _write_rows(out_rows, out_fmt, out_file)
        if out_file:
            typer.echo(f"{count} rows ({unreadable} unreadable) -> {out_file}", err=True)
    except vio.MissingColumn as err:
        typer.echo(f"error: {in_file or 'stdin'}: {err}", err=True)
        raise typer.Exit(code=1) from err
    finally:
        if in_file:
            source.close()


@app.command()
def train(
    data: str | None = typer.Option(None, "--data", help="labeled names CSV [training_data/]"),
    models: str | None = typer.Option(None, "--models", help="folder for the skops files (default models/)"),
    corrections: Annotated[
        list[str] | None,
        typer.Option("--corrections", help="reviewers' corrections.csv (next to its indicators table)"),
    ] = None,
    reader: bool = typer.Option(False, "--reader", help="train the table reader's cell-role model instead"),
) -> None:
    """Train the level-2 and name-kind classifiers from DATA and save them to MODELS."""
    from nlp.classify import DEFAULT_DATA, DEFAULT_MODELS, TrainingDataError
    from nlp.classify import train as train_models
    from nlp.corrections import CorrectionsError, training_rows_from_files

    models = models or str(DEFAULT_MODELS)
    if reader:  # the table reader's model only; the name models are trained without --reader
        _train_reader(models)
        return
    try:
        extra, problems = training_rows_from_files(corrections) if corrections else (None, [])
        for problem in problems:
            typer.echo(f"warning: {problem}", err=True)
        meta = train_models(data or DEFAULT_DATA, models, extra=extra)
    except (OSError, TrainingDataError, CorrectionsError) as err:  # missing file, unwritable models folder
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(code=1) from err
    source = meta["training_data"]
    typer.echo(f"trained on {source['rows']} names ({source['path']}) -> {models}/")
    if extra is not None:
        typer.echo(f"  + {len(extra)} names labeled by reviewers ({', '.join(corrections or [])})")
    for task, info in meta["models"].items():
        cv = info["grouped_cv"]
        folds, acc, f1 = cv["n_splits"], cv["model"]["accuracy"], cv["model"]["macro_f1"]
        typer.echo(f"  {task}: grouped {folds}-fold accuracy {acc:.3f}, macro-F1 {f1:.3f}")


def _train_reader(models: str) -> None:
    """Train the cell-role model of the table reader from training_data/reader_rows.csv."""
    from pathlib import Path

    from nlp.documents.table.roles import train_roles

    try:
        meta = train_roles(models=Path(models))
    except (OSError, ValueError) as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(code=1) from err
    typer.echo(
        f"reader: cell-role CRF on {meta['files']} files ({meta['training_data']}), "
        f"{meta['rows_not_aligned']} rows not aligned -> {models}/{meta['model']}"
    )


def _evaluate_reader() -> None:
    """Leave-one-file-out row recall of the table reader, per file and overall (README table)."""
    from nlp.documents.table.evaluate import lofo, markdown_table

    folds = lofo(progress=lambda f: typer.echo(f"  fold: {f}", err=True))
    typer.echo(markdown_table(folds))


def _study(data_path) -> None:
    """Print the three tables of nlp.name_study (label agreement, changes, nested selection)."""
    import pandas as pd

    from nlp import name_study

    wide = ("display.width", 250, "display.max_columns", 40, "display.unicode.east_asian_width", True)
    with pd.option_context(*wide):
        typer.echo("label agreement (names grouped by indicator_key; nearest name of another document)")
        typer.echo(name_study.agreement_table(data_path).T.to_string(header=False))
        typer.echo("\nwhat each change buys (same grouped folds, labels as given)")
        typer.echo(name_study.changes(data_path).to_string(index=False, na_rep="-"))
        typer.echo("\nnested: estimator (and threshold) chosen on inner grouped folds of each training fold")
        typer.echo(name_study.nested(data_path).to_string(index=False, na_rep="-"))


@app.command()
def evaluate(
    data: str | None = typer.Option(None, "--data", help="labeled names CSV [training_data/]"),
    folds: int = typer.Option(5, "--folds", help="maximum number of folds (grouped by source document)"),
    by_source: bool = typer.Option(
        False, "--by-source", help="also: the figures with each dataset left out of training"
    ),
    compare: bool = typer.Option(False, "--compare", help="instead: grouped figures of every estimator"),
    study: bool = typer.Option(
        False, "--study", help="instead: label agreement, what each change buys, nested selection (minutes)"
    ),
    reader: bool = typer.Option(False, "--reader", help="evaluate the table reader (leave-one-file-out)"),
) -> None:
    """Cross-validate both name classifiers grouped by document (or, with --reader, the table reader)."""
    if reader:
        _evaluate_reader()
        return
    import pandas as pd

    from nlp import name_eval
    from nlp.classify import DEFAULT_DATA, TrainingDataError

    data_path = data or DEFAULT_DATA
    def wide():  # a fresh context each time: option_context can be entered once
        return pd.option_context("display.width", 200, "display.unicode.east_asian_width", True)

    try:
        if compare:
            with wide():
                typer.echo(name_eval.compare(data_path, folds).to_string(index=False))
            return
        if study:
            _study(data_path)
            return
        results = name_eval.evaluate(data_path, max_folds=folds)
        sources = name_eval.by_source(data_path, folds) if by_source else None
    except (FileNotFoundError, TrainingDataError) as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(code=1) from err
    for task, m in results.items():
        typer.echo(
            f"{task}: {m.rows} names from {m.documents} documents, {m.n_splits}-fold cross-validation "
            f"grouped by document ({m.estimator})"
        )
        typer.echo(f"  model     accuracy {m.model.accuracy:.3f}   macro-F1 {m.model.macro_f1:.3f}")
        typer.echo(f"  keywords  accuracy {m.baseline.accuracy:.3f}   macro-F1 {m.baseline.macro_f1:.3f}")
        if m.given_level1:
            typer.echo(
                f"  given the stated 一级: accuracy {m.given_level1.accuracy:.3f}   "
                f"macro-F1 {m.given_level1.macro_f1:.3f}"
            )
        if m.baseline_given_level1:
            typer.echo(
                f"  keywords given the stated 一级: accuracy {m.baseline_given_level1.accuracy:.3f}   "
                f"macro-F1 {m.baseline_given_level1.macro_f1:.3f}"
            )
        if m.threshold is not None and m.above_threshold:
            share, acc = m.above_threshold
            typer.echo(
                f"  uncertain below probability {m.threshold:.2f}: {share:.0%} of names at or above it, "
                f"accuracy {acc:.3f} there (given the stated 一级)"
            )
        per = ", ".join(f"{k} {v.accuracy:.3f}" for k, v in m.by_dataset.items())
        typer.echo(f"  accuracy by dataset of the tested names: {per}")
        if m.note:
            typer.echo(f"  note: {m.note}")
        table = m.confusion_frame()
        table.columns = [c.split("-")[0] for c in table.columns]  # codes only, to keep the table narrow
        with wide():
            typer.echo("  confusion (rows: stated, columns: predicted)")
            typer.echo("\n".join("  " + line for line in table.to_string().splitlines()))
            typer.echo("  reliability (top probability of the name-only prediction vs observed accuracy)")
            reliability = m.reliability_frame().to_string(index=False, na_rep="-")
            typer.echo("\n".join("  " + line for line in reliability.splitlines()))
            if m.reliability_given_level1:
                typer.echo("  reliability given the stated 一级 (the probability `uncertain` is set on)")
                reliability = m.reliability_frame(given_level1=True).to_string(index=False, na_rep="-")
                typer.echo("\n".join("  " + line for line in reliability.splitlines()))
        typer.echo("")
    if sources is not None:
        with wide():
            typer.echo("with and without each dataset in training (same grouped test folds):")
            typer.echo(sources.to_string(index=False))


@app.command()
def names(
    in_file: str | None = typer.Option(None, "--in", help="JSONL or CSV rows with `name` (default: stdin)"),
    out_file: str | None = typer.Option(None, "--out", help="where to write (default: stdout)"),
    fmt: str | None = typer.Option(None, "--format", help="input format: jsonl or csv (default: guessed)"),
) -> None:
    """Classify a column of indicator names: rows with `name` (+ id, level1) get level2 and name_kind."""
    import sys

    from nlp import values_io as vio
    from nlp.classify import DEFAULT_MODELS, ModelLoadError, ModelNotFound, classify_names

    _check_row_files(in_file, out_file, fmt)
    with open(in_file, encoding="utf-8-sig", newline="") if in_file else sys.stdin as source:
        in_fmt, lines = _sniffed(source, fmt, in_file)
        rows, unreadable, missing = [], 0, False
        try:
            for row in vio.read_rows(lines, in_fmt, required="name"):
                if isinstance(row, vio.RowError):
                    unreadable += 1
                    typer.echo(f"{in_file or 'stdin'}: {row} (kept with flag unreadable_row)", err=True)
                    row = {"line": row.line, "raw": row.text, "flags": "unreadable_row"}
                rows.append(row)
        except vio.MissingColumn:
            missing = True
    if missing or (rows and not any("name" in row for row in rows)):
        typer.echo(f"error: {in_file or 'stdin'}: no `name` column (the names to classify)", err=True)
        raise typer.Exit(code=1)
    try:
        out_rows = classify_names(rows, DEFAULT_MODELS)
    except (ModelNotFound, ModelLoadError) as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(code=1) from err
    out_fmt = vio.format_of_path(out_file) or in_fmt
    count = _write_rows(out_rows, out_fmt, out_file)
    if not out_file:
        return
    unnamed = sum(not str(r.get("name") or "").strip() for r in out_rows)
    typer.echo(f"{count} rows ({unreadable} unreadable, {unnamed} without a name) -> {out_file}", err=True)


def _check_row_files(in_file: str | None, out_file: str | None, fmt: str | None) -> None:
    """`jixiao values` / `names`: the format, the input and the output checked before any row is read."""
    from pathlib import Path

    from nlp import values_io as vio

    if fmt is not None and fmt not in vio.FORMATS:
        typer.echo(f"error: --format must be one of {', '.join(vio.FORMATS)}, got {fmt!r}", err=True)
        raise typer.Exit(code=2)
    if in_file is not None and not Path(in_file).is_file():
        typer.echo(f"error: {in_file} not found", err=True)
        raise typer.Exit(code=1)
    if out_file is not None and (not out_file.strip() or Path(out_file).is_dir()):
        what = "--out is empty" if not out_file.strip() else f"{out_file} is a folder"
        typer.echo(f"error: {what}: give a file for the rows (or no --out for stdout)", err=True)
        raise typer.Exit(code=1)


def _sniffed(source, fmt: str | None, in_file: str | None):
    """(format, lines): the input's format (given, from the file name, or guessed from its first line)."""
    import itertools

    from nlp import values_io as vio

    head: list[str] = []  # leading blank lines and the first line with text, to guess the format
    for line in source:
        head.append(line)
        if line.strip():
            break
    in_fmt = fmt or vio.format_of_path(in_file) or vio.sniff_format(head[-1] if head else "")
    return in_fmt, itertools.chain(head, source)


def _write_rows(rows, out_fmt: str, out_file: str | None) -> int:
    """Rows to stdout, or to `out_file` all or nothing (safe even when it is the input); the row count."""
    import sys

    from nlp import values_io as vio
    from nlp.atomic import atomic_file

    if not out_file:
        return vio.write_rows(rows, out_fmt, sys.stdout)
    encoding = "utf-8-sig" if out_fmt == "csv" else "utf-8"  # CSV with BOM, as the tables
    try:
        with atomic_file(out_file, encoding=encoding) as stream:
            return vio.write_rows(rows, out_fmt, stream)
    except OSError as err:
        typer.echo(f"error: cannot write {out_file}: {err.strerror or err}", err=True)
        raise typer.Exit(code=1) from err


def _interrupted(signum: int, _frame: object) -> None:
    """SIGINT/SIGTERM: one line, then exit 128+signal; staged outputs are discarded on the way out."""
    name = signal.Signals(signum).name
    typer.echo(f"error: interrupted ({name}); outputs are either as they were or complete", err=True)
    raise SystemExit(128 + signum)


def main() -> None:
    """The `jixiao` command: the app with SIGINT/SIGTERM turned into one line and exit 130/143."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupted)
    app()


if __name__ == "__main__":
    main()
