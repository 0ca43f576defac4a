"""The cell-role model: a linear-chain CRF (CRFsuite) over the cells of a table.

Trained from training_data/reader_rows.csv (roles derived by `labels.align`), saved as CRFsuite's
own model file (`models/reader_roles.crfsuite`, loading it runs no code) with its metadata
(`models/reader_roles.json`: training-data SHA-256, library versions, files, role counts).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import pycrfsuite

from nlp.documents.table.augment import renderings
from nlp.documents.table.features import Features, cell_features
from nlp.documents.table.labels import Row, align, labeled_span, load_rows
from nlp.documents.table.tokens import Cell, tokenize

ROOT = Path(__file__).resolve().parents[3]
# the models folder of the package (nlp/models links to models/), or $JIXIAO_MODELS, as nlp/classify.py
MODELS = Path(os.environ.get("JIXIAO_MODELS", Path(__file__).resolve().parents[2] / "models"))
DEFAULT_ROWS = ROOT / "training_data" / "reader_rows.csv"
MODEL_NAME = "reader_roles.crfsuite"
SEEDS = "examples/documents/"
FEATURES_VERSION = 3  # bump when features.py changes what it emits; a stale model is refused
# train on the layout renderings of augment.py too (README, "Table reader": measured both ways)
AUGMENT = True
_PARAMS = {"c1": 3.0, "c2": 0.01, "max_iterations": 150, "feature.possible_transitions": True}


class RoleModelError(RuntimeError):
    """The cell-role model is missing or was trained for other features; says what to run."""


@dataclass(frozen=True)
class Example:
    """One file's cells (or a rendering's), their derived roles, and how many labeled rows were not found."""

    file: str
    cells: tuple[Cell, ...]
    roles: tuple[str, ...]
    missed: int
    rendering: str = ""  # the layout of a rendering of the file (augment.py); "" for the file itself
    features: tuple[Features, ...] = ()


def table_rows(rows_by_file: dict[str, list[Row]]) -> dict[str, list[Row]]:
    """The labeled rows of table files: the seeds are project lists read by the Guangzhou layout
    readers (nlp/documents/tabbed.py, wrapped.py, selfeval.py), not tables of cells."""
    return {f: r for f, r in rows_by_file.items() if not f.startswith(SEEDS)}


def _example(file: str, text: str, rows: Sequence[Row], rendering: str = "") -> Example:
    cells = tokenize(text).cells
    roles, missed = align(cells, rows)
    start, end = labeled_span(roles)
    kept = cells[start:end]
    return Example(file, kept, tuple(roles[start:end]), missed, rendering, tuple(cell_features(kept)))


def examples(rows_by_file: dict[str, list[Row]], root: Path = ROOT, augment: bool = False) -> list[Example]:
    """Cells and derived role labels of every labeled file that exists under root; with `augment`, also
    of each file's renderings into other layouts (augment.py), which carry the file's name."""
    out: list[Example] = []
    for file, rows in sorted(rows_by_file.items()):
        path = root / file
        if not path.exists():
            raise FileNotFoundError(f"training_data/reader_rows.csv: labeled file {file} not found")
        out.append(_example(file, path.read_text(encoding="utf-8"), rows))
        if augment:  # a rendering whose rows the tokenizer does not give back whole teaches noise: left out
            rendered = (_example(file, r.text, r.rows, r.layout) for r in renderings(file, rows))
            out += [e for e in rendered if not e.missed]
    return out


def fit(train: Iterable[Example], model_path: Path) -> None:
    """Train a CRF on the examples and write it to model_path (CRFsuite format)."""
    trainer = pycrfsuite.Trainer(verbose=False)
    for ex in train:
        if ex.cells:
            trainer.append(list(ex.features) or cell_features(ex.cells), list(ex.roles))
    trainer.set_params(_PARAMS)
    model_path.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(model_path))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def train_roles(rows_path: Path = DEFAULT_ROWS, models: Path = MODELS, augment: bool = AUGMENT) -> dict:
    """Train the model on every labeled file and save it with its metadata; returns the metadata."""
    exs = examples(table_rows(load_rows(rows_path)), augment=augment)
    path = models / MODEL_NAME
    fit(exs, path)
    meta = {
        "model": MODEL_NAME,
        "features_version": FEATURES_VERSION,
        "training_data": str(rows_path.relative_to(ROOT))
        if rows_path.is_relative_to(ROOT)
        else str(rows_path),
        "training_data_sha256": _sha256(rows_path),
        "files": sum(1 for e in exs if not e.rendering),
        "renderings": sum(1 for e in exs if e.rendering),
        "rows_not_aligned": sum(e.missed for e in exs if not e.rendering),
        "rendered_rows_not_aligned": sum(e.missed for e in exs if e.rendering),
        "roles": dict(Counter(r for e in exs for r in e.roles).most_common()),
        "python": platform.python_version(),
        "python-crfsuite": version("python-crfsuite"),
    }
    path.with_suffix(".json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return meta


class RoleTagger:
    """A loaded cell-role model: `tag(cells)` gives one role per cell."""

    def __init__(self, model_path: Path) -> None:
        meta_path = model_path.with_suffix(".json")
        if not model_path.exists() or not meta_path.exists():
            raise RoleModelError(f"{model_path}: no cell-role model; run `jixiao train --reader`")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("features_version") != FEATURES_VERSION:
            raise RoleModelError(f"{model_path}: trained for other features; run `jixiao train --reader`")
        self.meta = meta
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(model_path))

    def tag(self, cells: Sequence[Cell]) -> list[str]:
        """One role per cell (see labels.ROLES)."""
        return list(self._tagger.tag(cell_features(cells))) if cells else []


@lru_cache(maxsize=2)
def default_tagger(models: Path = MODELS) -> RoleTagger:
    """The shipped model (nlp/models/reader_roles.crfsuite, or $JIXIAO_MODELS), loaded once."""
    return RoleTagger(models / MODEL_NAME)
