"""Name classifiers: the 二级指标 code and the kind of value an indicator name asks for.

Two scikit-learn pipelines (jieba words + character n-grams → logistic regression) trained from
`training_data/indicator_names.csv` by `jixiao train`, saved with skops in `models/` next to a
`metadata.json` (training-data hash, library versions, cross-validated metrics), and loaded
once per process with an explicit list of trusted types.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import zipfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib import metadata as importlib_metadata
from pathlib import Path

import numpy as np
import pandas as pd
import skops.io as sio
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import FeatureUnion, Pipeline

from nlp.corrections import with_extra
from nlp.schema import LEVEL1, LEVEL2
from nlp.segment import tokenize
from nlp.textnorm import fold

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_MODELS = Path(__file__).resolve().parent / "models"  # links to models/; shipped as package data
DEFAULT_DATA = ROOT / "training_data" / "indicator_names.csv"
DEFAULT_MODELS = Path(os.environ.get("JIXIAO_MODELS", PACKAGE_MODELS))
METADATA = "metadata.json"
NAME_KINDS = ("rate", "count", "qualitative")
TASKS = {"level2": LEVEL2, "name_kind": NAME_KINDS}  # model name = label column → allowed labels
MAX_FOLDS = 5
MIN_CV_ROWS = 3  # a class needs this many rows to be both trained on and tested in every fold
RANDOM_STATE = 0
LIBRARIES = ("scikit-learn", "skops", "jieba", "numpy")
# Types inside our model files that skops does not trust by default; anything else is refused.
TRUSTED_TYPES = ("nlp.classify.name_chars", "nlp.classify.name_words")

_LEVEL_CODE = re.compile(r"^\s*(?P<digit>[1-4])\d?\s*-")  # "31-服务对象满意度" → "3"


class ModelNotFound(FileNotFoundError):
    """A model file or its metadata is missing."""


class ModelLoadError(RuntimeError):
    """A model file exists but cannot be loaded safely (corrupt, or holds untrusted types)."""


class TrainingDataError(ValueError):
    """The training data file has a missing column or a label outside the taxonomy."""


@dataclass(frozen=True)
class TaskMetrics:
    """Cross-validated figures of one model: accuracy, macro-F1, folds used and the confusion table."""

    task: str
    rows: int
    n_splits: int
    accuracy: float
    macro_f1: float
    labels: tuple[str, ...]
    confusion: tuple[tuple[int, ...], ...]  # rows = stated label, columns = predicted, order of `labels`
    note: str = ""

    def confusion_frame(self) -> pd.DataFrame:
        """The confusion table as a DataFrame (index: stated, columns: predicted)."""
        return pd.DataFrame(list(self.confusion), index=list(self.labels), columns=list(self.labels))


@dataclass(frozen=True)
class Models:
    """The two loaded pipelines and the metadata they were trained with."""

    level2: Pipeline
    name_kind: Pipeline
    metadata: dict


def name_words(text: str) -> list[str]:
    """jieba words of an indicator name (the word analyzer of the pipelines)."""
    return list(tokenize(text))


def name_chars(text: str) -> str:
    """The folded name, for the character n-gram analyzer."""
    return fold(text)


def level1_of(level2: str | None) -> str | None:
    """The 一级指标 a 二级指标 code belongs to (its first digit), or None if it has no code.

    >>> level1_of("31-服务对象满意度")
    '3-满意度指标'
    >>> level1_of("数量指标") is None
    True
    """
    m = _LEVEL_CODE.match(fold(level2 or ""))
    return LEVEL1[int(m["digit"]) - 1] if m else None


def build_pipeline() -> Pipeline:
    """An untrained pipeline: word and character TF-IDF features → balanced logistic regression."""
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(analyzer=name_words, sublinear_tf=True)),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char", preprocessor=name_chars, ngram_range=(1, 3), sublinear_tf=True
                ),
            ),
        ]
    )
    model = LogisticRegression(C=10.0, max_iter=5000, class_weight="balanced", random_state=RANDOM_STATE)
    return Pipeline([("features", features), ("model", model)])


def load_training_data(data_path: str | Path = DEFAULT_DATA) -> pd.DataFrame:
    """Read the labeled names; raise TrainingDataError naming the file and line of a bad row."""
    path = Path(data_path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = {"name", *TASKS} - set(frame.columns)
    if missing:
        raise TrainingDataError(f"{path}: missing column(s) {sorted(missing)}")
    for task, allowed in TASKS.items():
        bad = frame.index[~frame[task].isin(allowed)]
        if len(bad):
            i = bad[0]
            raise TrainingDataError(
                f"{path}:{i + 2}: {task} {frame.at[i, task]!r} for {frame.at[i, 'name']!r} "
                f"is not one of {', '.join(allowed)}"
            )
    return frame[frame["name"].str.strip() != ""].reset_index(drop=True)


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries a saved model depends on."""
    return {lib: importlib_metadata.version(lib) for lib in LIBRARIES}


def _folds(labels: pd.Series, max_folds: int) -> tuple[int, str]:
    """Stratified folds: at most `max_folds`, fewer if the smallest class has fewer rows (say which)."""
    counts = labels.value_counts()
    n_splits = max(2, min(max_folds, int(counts.min())))
    if n_splits == max_folds:
        return n_splits, ""
    tiny = ", ".join(f"{label} ({n})" for label, n in counts.items() if n < max_folds)
    return n_splits, f"{n_splits} folds instead of {max_folds}: smallest classes {tiny}"


def cross_validate(
    frame: pd.DataFrame, task: str, max_folds: int = MAX_FOLDS, min_rows: int = MIN_CV_ROWS
) -> TaskMetrics:
    """Stratified k-fold predictions for every row (classes with < `min_rows` rows are left out)."""
    counts = frame[task].value_counts()
    dropped = sorted(counts.index[counts < min_rows])
    data = frame[~frame[task].isin(dropped)]
    n_splits, note = _folds(data[task], max_folds)
    if dropped:
        note = "; ".join(filter(None, [note, f"left out (under {min_rows} rows): {', '.join(dropped)}"]))
    cv = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=RANDOM_STATE)
    predicted = cross_val_predict(build_pipeline(), data["name"].tolist(), data[task].to_numpy(), cv=cv)
    return _scores(task, data[task], predicted, n_splits, note)


def _scores(task: str, truth: pd.Series, predicted: np.ndarray, n_splits: int, note: str) -> TaskMetrics:
    labels = tuple(label for label in TASKS[task] if label in set(truth) | set(predicted))
    table = pd.crosstab(truth.to_numpy(), predicted).reindex(index=labels, columns=labels, fill_value=0)
    return TaskMetrics(
        task=task,
        rows=len(truth),
        n_splits=n_splits,
        accuracy=round(float(accuracy_score(truth, predicted)), 4),
        macro_f1=round(float(f1_score(truth, predicted, average="macro", zero_division=0)), 4),
        labels=labels,
        confusion=tuple(tuple(int(v) for v in row) for row in table.to_numpy()),
        note=note,
    )


def _from_source(frame: pd.DataFrame, prefix: str) -> pd.Series:
    """Rows whose `source` (file:line) starts with prefix, e.g. `examples/realdata/`."""
    return frame.get("source", pd.Series("", index=frame.index)).str.startswith(prefix)


def evaluate(
    data_path: str | Path = DEFAULT_DATA, max_folds: int = MAX_FOLDS, exclude_source: str | None = None
) -> dict[str, TaskMetrics]:
    """Cross-validated metrics of both models on the training data, optionally without some sources."""
    frame = load_training_data(data_path)
    if exclude_source:
        frame = frame[~_from_source(frame, exclude_source)].reset_index(drop=True)
    return {task: cross_validate(frame, task, max_folds) for task in TASKS}


def evaluate_holdout(data_path: str | Path, source: str) -> dict[str, TaskMetrics]:
    """Train on the rows not from `source`, score on those that are: how the model does on new places."""
    frame = load_training_data(data_path)
    test = _from_source(frame, source)
    if not test.any() or test.all():
        raise TrainingDataError(f"{data_path}: no rows to train or to test with source {source!r}")
    n_train, n_test = int((~test).sum()), int(test.sum())
    note = f"trained on the {n_train} names not from {source}, tested on the {n_test} from it"
    results = {}
    for task in TASKS:
        model = build_pipeline().fit(frame.loc[~test, "name"].tolist(), frame.loc[~test, task].to_numpy())
        predicted = model.predict(frame.loc[test, "name"].tolist())
        results[task] = _scores(task, frame.loc[test, task], predicted, 0, note)
    return results


def train(
    data_path: str | Path = DEFAULT_DATA,
    model_dir: str | Path = DEFAULT_MODELS,
    extra: pd.DataFrame | None = None,
) -> dict:
    """Fit both models on all rows, save them with skops into `model_dir` with metadata.json.

    `extra`: more labeled rows (name, level2, name_kind, source; a label may be empty), e.g. reviewers'
    corrections (nlp.corrections.training_rows); they replace the base rows of the same name.
    """
    data_path, model_dir = Path(data_path), Path(model_dir)
    base = load_training_data(data_path)
    model_dir.mkdir(parents=True, exist_ok=True)
    models = {}
    for task in TASKS:
        frame = with_extra(base, extra, task)
        pipeline = build_pipeline().fit(frame["name"].tolist(), frame[task].to_numpy())
        sio.dump(pipeline, model_dir / f"{task}.skops", compression=zipfile.ZIP_DEFLATED, compresslevel=9)
        models[task] = {
            "file": f"{task}.skops",
            "classes": [str(c) for c in pipeline.classes_],
            "cv": asdict(cross_validate(frame, task)),
        }
    try:
        data_name = data_path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        data_name = str(data_path)
    meta = {
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "training_data": {"path": data_name, "sha256": file_sha256(data_path), "rows": len(base)},
        "versions": library_versions(),
        "random_state": RANDOM_STATE,
        "models": models,
    }
    if extra is not None:
        meta["extra_rows"] = {"rows": len(extra), "files": sorted(set(extra.get("file", [])))}
    (model_dir / METADATA).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    load_models.cache_clear()
    return meta


def _missing(path: Path) -> ModelNotFound:
    return ModelNotFound(
        f"model file {path} is missing; run `jixiao train` to build the models from training_data/"
    )


def _load_pipeline(path: Path) -> Pipeline:
    """Load one skops file, trusting only TRUSTED_TYPES beyond skops' defaults."""
    if not path.is_file():
        raise _missing(path)
    try:
        untrusted = sio.get_untrusted_types(file=path)
        unexpected = sorted(set(untrusted) - set(TRUSTED_TYPES))
        if unexpected:
            raise ModelLoadError(f"model file {path} holds untrusted types {unexpected}; refusing to load it")
        pipeline = sio.load(path, trusted=untrusted)
    except (zipfile.BadZipFile, json.JSONDecodeError, KeyError, TypeError, ValueError, OSError) as err:
        raise ModelLoadError(
            f"model file {path} cannot be loaded ({type(err).__name__}: {err}); "
            "run `jixiao train` to rebuild it from training_data/"
        ) from err
    if not isinstance(pipeline, Pipeline):
        raise ModelLoadError(f"model file {path} holds a {type(pipeline).__name__}, not a Pipeline")
    return pipeline


@lru_cache(maxsize=4)
def load_models(model_dir: str | Path = DEFAULT_MODELS) -> Models:
    """Load both models and their metadata once per process; warn if library versions differ."""
    model_dir = Path(model_dir)
    meta_path = model_dir / METADATA
    if not meta_path.is_file():
        raise _missing(meta_path)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ModelLoadError(f"{meta_path} is not valid JSON ({err}); run `jixiao train`") from err
    if not isinstance(meta, dict) or not isinstance(meta.get("versions", {}), dict):
        what = type(meta).__name__ if not isinstance(meta, dict) else "`versions` that is not an object"
        raise ModelLoadError(f"{meta_path} is not metadata of `jixiao train` (a {what}); run `jixiao train`")
    for lib, version in library_versions().items():
        trained = meta.get("versions", {}).get(lib)
        if trained != version:
            log.warning("models in %s were trained with %s %s, running %s", model_dir, lib, trained, version)
    pipelines = {task: _load_pipeline(model_dir / f"{task}.skops") for task in TASKS}
    return Models(metadata=meta, **pipelines)


def _within_level1(proba: np.ndarray, classes: np.ndarray, level1: list[str | None]) -> np.ndarray:
    """Keep only the level-2 classes under each row's stated 一级指标 and renormalize (others unchanged)."""
    parents = np.array([level1_of(str(c)) for c in classes])
    allowed = np.array([parents == l1 if l1 in LEVEL1 else np.ones(len(classes), bool) for l1 in level1])
    kept = np.where(allowed, proba, 0.0)
    total = kept.sum(axis=1, keepdims=True)
    return np.where(total > 0, kept / np.where(total > 0, total, 1.0), proba)


def predict_names(
    names: list[str], level1: list[str | None] | None = None, model_dir: str | Path = DEFAULT_MODELS
) -> pd.DataFrame:
    """Predictions for names, one batch per model (index: the names).

    Where `level1` gives a row's stated 一级指标, its level2 is chosen among that level's codes and
    `level2_proba` is the probability within them.
    """
    models = load_models(model_dir)
    level1 = list(level1) if level1 is not None else [None] * len(names)
    out = pd.DataFrame({"level1": level1}, index=pd.Index(names, name="name"), dtype=object)
    for task in TASKS:
        pipeline: Pipeline = getattr(models, task)
        if not names:
            out[task], out[f"{task}_proba"] = pd.Series(dtype=object), pd.Series(dtype=float)
            continue
        proba = pipeline.predict_proba(names)
        if task == "level2":
            proba = _within_level1(proba, pipeline.classes_, level1)
        best = proba.argmax(axis=1)
        out[task] = pipeline.classes_[best]
        out[f"{task}_proba"] = np.round(proba[np.arange(len(names)), best], 4)
    return out


def add_predictions(indicators: pd.DataFrame, model_dir: str | Path = DEFAULT_MODELS) -> pd.DataFrame:
    """Add level2_predicted, level2_proba, name_kind, name_kind_proba (null where a name is empty).

    Predicts once per distinct (name, level1); level2 stays under the row's stated level1 if any.
    """
    if "name" not in indicators.columns:
        raise ValueError("indicators table has no 'name' column")
    names = indicators["name"].where(indicators["name"].notna(), "").astype(str)
    stated = indicators.get("level1", pd.Series(None, index=indicators.index, dtype=object))
    keys = pd.DataFrame({"name": names, "level1": stated.where(stated.isin(LEVEL1), None)})
    distinct = keys[names.str.strip() != ""].drop_duplicates()
    predicted = predict_names(distinct["name"].tolist(), distinct["level1"].tolist(), model_dir)
    merged = keys.merge(predicted.reset_index(), on=["name", "level1"], how="left")
    out = indicators.copy()
    for column, source in (
        ("level2_predicted", "level2"),
        ("level2_proba", "level2_proba"),
        ("name_kind", "name_kind"),
        ("name_kind_proba", "name_kind_proba"),
    ):
        out[column] = merged[source].to_numpy()
    return out


def fill_level2(indicators: pd.DataFrame) -> pd.DataFrame:
    """Add level2_final (the stated code, else the prediction) and level2_source saying which.

    level2_source: `stated` (the document's code), `synonym` (a local level name the document wrote,
    mapped by nlp.levels), `predicted` (no 二级指标 in the document: the classifier's), or empty.
    """
    empty = pd.Series("", index=indicators.index, dtype=object)
    stated = indicators.get("level2", empty).fillna("").astype(str)
    raw = indicators.get("level2_raw", empty).fillna("").astype(str)
    predicted = indicators.get("level2_predicted", empty).fillna("").astype(str)
    has_stated, has_predicted = stated.ne(""), predicted.ne("")
    mapped = has_stated & raw.ne("") & raw.ne(stated)
    source = np.select(
        [mapped, has_stated, has_predicted], ["synonym", "stated", "predicted"], default=""
    ).astype(object)
    return indicators.assign(level2_final=stated.where(has_stated, predicted), level2_source=source)
