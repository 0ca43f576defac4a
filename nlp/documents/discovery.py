"""Which files a run reads, and under which document id: every document once, whatever its name.

Folders are walked recursively (symlinked folders followed, each folder once, so a link loop ends),
keeping *.txt/*.tsv/*.csv/*.md files that are not hidden and not README. A folder that cannot be
listed, a file given twice (or with its folder, or through a link) and a link loop each give a
warning Problem and a count, never a silent skip; the tables of the run's own --out are not read
back. Document ids are file stems; stems shared by several files become their paths relative to
the folder they have in common (`2023/report`).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath

from nlp.documents.formats import SUFFIXES as STRUCTURED_SUFFIXES
from nlp.schema import Document, Problem

# files a folder is expanded to (README files are skipped): text, and the structured formats
# (workbooks, .docx, web pages, PDF) that nlp/documents/formats reads through the grid reader
SUFFIXES = (".txt", ".tsv", ".csv", ".md", *STRUCTURED_SUFFIXES)
OUTPUT_TABLES = frozenset({"projects.csv", "indicators.csv", "quality.csv", "links.csv"})  # jixiao writes


@dataclass(frozen=True)
class Source:
    """One file to read and the document id it gets."""

    path: str
    doc_id: str


@dataclass
class Discovery:
    """The files of a run, what was skipped and why (Problems and counts for report.json)."""

    sources: list[Source] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    def summary(self) -> dict:
        """The counts for report.json (files found, and each kind of skip)."""
        return {"files": len(self.sources), **dict(sorted(self.counts.items()))}

    def _skip(self, kind: str, path: str | Path, what: str) -> None:
        self.counts[kind] += 1
        self.problems.append(Problem(str(path), None, what))


def _wanted(root: Path, path: Path) -> bool:
    hidden = any(part.startswith(".") for part in path.relative_to(root).parts)
    readme = path.stem.lower().startswith("readme")
    lock = path.name.startswith("~$")  # the lock file Excel/Word keep next to an open file
    return path.suffix.lower() in SUFFIXES and not (hidden or readme or lock)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _walk(root: Path, found: Discovery, excluded: set[tuple[int, int]]) -> list[Path]:
    """The wanted files under `root`, following links to folders, each folder once."""
    files: list[Path] = []
    seen: dict[tuple[int, int], str] = {}

    def unreadable(err: OSError) -> None:
        found._skip("unreadable_folders", err.filename, f"folder not read: {err.strerror or err}")

    for folder, dirs, names in os.walk(root, onerror=unreadable, followlinks=True):
        key = _identity(Path(folder))
        if key is not None and key in seen:
            found._skip(
                "link_loops", folder, f"folder already read as {seen[key]} (a link loop): not read again"
            )
            dirs[:] = []
            continue
        if key is not None:
            seen[key] = folder
        if key is not None and key in excluded:  # the run's own --out: its tables are not documents
            own = [n for n in names if n in OUTPUT_TABLES]
            found.counts["output_tables_skipped"] += len(own)
            names = [n for n in names if n not in own]
        files += [p for p in (Path(folder) / n for n in names) if _wanted(root, p) and p.is_file()]
    return sorted(files)


def _doc_ids(paths: list[Path]) -> list[str]:
    """Stems, or, for stems several files share, the paths relative to those files' common folder."""
    by_stem: dict[str, list[Path]] = {}
    for p in paths:
        by_stem.setdefault(p.stem, []).append(p)
    ids = {}
    for stem, group in by_stem.items():
        if len(group) == 1:
            ids[group[0]] = stem
            continue
        common = Path(os.path.commonpath([str(p.parent.absolute()) for p in group]))
        relative = [PurePath(p.absolute().relative_to(common)) for p in group]
        no_suffix = [r.with_suffix("").as_posix() for r in relative]
        keep = len(set(no_suffix)) < len(no_suffix)  # report.txt next to report.csv: keep the suffix
        for p, r, n in zip(group, relative, no_suffix, strict=True):
            ids[p] = r.as_posix() if keep else n
    return [ids[p] for p in paths]


def discover(paths: Iterable[str | Path], exclude: Iterable[str | Path] = ()) -> Discovery:
    """The files under `paths` with unique document ids; jixiao's own tables in `exclude` are not read."""
    found = Discovery()
    excluded = {key for key in map(_identity, map(Path, exclude)) if key is not None}
    files: list[Path] = []
    for p in map(Path, paths):
        files += _walk(p, found, excluded) if p.is_dir() else [p]  # a missing path is read (and reported)
    first: dict[tuple[int, int], Path] = {}
    unique: list[Path] = []
    for f in files:
        key = _identity(f)
        if key is not None and key in first:
            again = "given twice" if str(first[key]) == str(f) else f"same file as {first[key]}"
            found._skip("duplicates", f, f"{again}: read once")
            continue
        if key is not None:
            first[key] = f
        unique.append(f)
    found.sources = [Source(str(f), d) for f, d in zip(unique, _doc_ids(unique), strict=True)]
    return found


def relabel(doc: Document, doc_id: str) -> Document:
    """The document under id `doc_id`: its projects' and indicators' ids follow (`<doc_id>-NNN`)."""
    if doc.doc == doc_id:
        return doc
    old = doc.doc
    projects = []
    for project in doc.projects:
        suffix = project.project_id[len(old) :] if project.project_id.startswith(old) else project.project_id
        pid = doc_id + suffix
        indicators = tuple(replace(ind, doc=doc_id, project_id=pid) for ind in project.indicators)
        projects.append(replace(project, doc=doc_id, project_id=pid, indicators=indicators))
    return replace(doc, doc=doc_id, projects=tuple(projects))
