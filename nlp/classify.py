"""Name classifiers: the 二级指标 code and the kind of value an indicator name asks for.

Two scikit-learn pipelines (jieba words + character n-grams + name endings → a linear model with
calibrated probabilities) trained from `training_data/indicator_names.csv` by `jixiao train`, saved
with skops in `models/` next to a `metadata.json` (training-data hash, library versions, grouped
figures, the `uncertain` threshold), and loaded once per process with an explicit list of trusted
types. `nlp/name_eval.py` evaluates them grouped by source document.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from nlp import vocab
from nlp.corrections import with_extra
from nlp.levels import level1_of
from nlp.schema import LEVEL1, LEVEL2, NAME_KINDS
from nlp.segment import strip_ruby, tokenize
from nlp.tablecells import taken, unique_rows
from nlp.textnorm import fold

if TYPE_CHECKING:  # scikit-learn and skops are imported where a model is built or loaded: importing
    from sklearn.pipeline import Pipeline  # them costs 2 s, which a process that only reads need not pay

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_MODELS = Path(__file__).resolve().parent / "models"  # links to models/; shipped as package data
DEFAULT_DATA = ROOT / "training_data" / "indicator_names.csv"
DEFAULT_MODELS = Path(os.environ.get("JIXIAO_MODELS", PACKAGE_MODELS))
METADATA = "metadata.json"
TASKS = {"level2": LEVEL2, "name_kind": NAME_KINDS}  # model name = label column → allowed labels
MAX_FOLDS = 5
CALIBRATION_FOLDS = 3  # CalibratedClassifierCV's folds; a class needs as many training rows
RANDOM_STATE = 0
LIBRARIES = ("scikit-learn", "skops", "jieba", "numpy")
# Types inside our model files that skops does not trust by default; anything else is refused.
TRUSTED_TYPES = (
    "nlp.classify.name_chars",
    "nlp.classify.name_words",
    "nlp.classify.name_endings",
    "nlp.classify.name_keywords",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
)
# The estimators `jixiao evaluate --compare` tries; ESTIMATOR is the one kept (README, "Models").
ESTIMATORS = ("logreg", "svm", "nb", "boost")
ESTIMATOR = {"level2": "logreg", "name_kind": "svm"}

_TRAILING_BRACKET = re.compile(r"\s*[(（](?P<inside>[^()（）]*)[)）]?\s*$")  # 验收合格率（%）


class ModelNotFound(FileNotFoundError):
    """A model file or its metadata is missing."""


class ModelLoadError(RuntimeError):
    """A model file exists but cannot be loaded safely (corrupt, or holds untrusted types)."""


class TrainingDataError(ValueError):
    """The training data file has a missing column or a label outside the taxonomy."""


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
    """The folded name without pinyin ruby, for the character n-gram analyzer."""
    return fold(strip_ruby(text))


@lru_cache(maxsize=1)
def name_suffixes() -> tuple[str, ...]:
    """The name endings of `nlp/data/name_suffixes.txt`."""
    return tuple(fold(word.strip()) for (word,) in vocab.rows("name_suffixes.txt"))


def name_endings(text: str) -> list[str]:
    """Features of how a name ends: its last one and two characters, the listed endings it has
    (`nlp/data/name_suffixes.txt`) and the unit of a trailing bracket.

    >>> name_endings("验收合格率（%）")
    ['end1:率', 'end2:格率', 'suffix:率', 'suffix:合格率', 'bracket:%']
    """
    name = name_chars(text)
    bracket = _TRAILING_BRACKET.search(name)
    bare = (name[: bracket.start()] if bracket else name).strip()
    out = [f"end1:{bare[-1:]}", f"end2:{bare[-2:]}"] if bare else []
    out += [f"suffix:{s}" for s in name_suffixes() if bare.endswith(s)]
    if bracket and bracket["inside"].strip():
        out.append(f"bracket:{bracket['inside'].strip()}")
    return out


@lru_cache(maxsize=1)
def keyword_rules() -> dict[str, tuple[tuple[str, str], ...]]:
    """The keyword rules of `nlp/data/name_keywords.tsv` per task, in file order: (folded keyword, label)."""
    rules: dict[str, list[tuple[str, str]]] = {task: [] for task in TASKS}
    for task, keyword, label in vocab.rows("name_keywords.tsv"):
        if task not in rules or label not in TASKS[task]:
            bad = f"{task} {keyword!r} → {label!r}"
            raise vocab.VocabError(f"nlp/data/name_keywords.tsv: {bad}: no such task or label")
        rules[task].append((fold(keyword), label))
    return {task: tuple(r) for task, r in rules.items()}


def keyword_predict(names: list[str], task: str, default: str) -> np.ndarray:
    """The keyword baseline: the first rule whose keyword a name contains gives its label, else `default`.

    >>> keyword_predict(["游客满意度", "会议召开次数", "工作开展"], "level2", "11-数量指标").tolist()
    ['31-服务对象满意度', '11-数量指标', '11-数量指标']
    """
    rules = keyword_rules()[task]
    out = []
    for name in names:
        text = name_chars(name)
        out.append(next((label for keyword, label in rules if keyword in text), default))
    return np.array(out, dtype=object)


def keyword_predict_within(
    names: list[str], level1: list[str | None], defaults: dict[str, str]
) -> np.ndarray:
    """The keyword baseline given each name's stated 一级: the first level-2 rule that matches and whose
    code lies under that 一级, else `defaults[一级]` (the training rows' most frequent code under it).

    >>> keyword_predict_within(["会议召开次数", "工作开展"], ["1-产出指标", "2-效益指标"],
    ...                        {"1-产出指标": "11-数量指标", "2-效益指标": "22-社会效益"}).tolist()
    ['11-数量指标', '22-社会效益']
    """
    rules = keyword_rules()["level2"]
    out = []
    for name, l1 in zip(names, level1, strict=True):
        text = name_chars(name)
        hits = (label for keyword, label in rules if keyword in text and level1_of(label) == l1)
        out.append(next(hits, defaults.get(l1 or "", "")))
    return np.array(out, dtype=object)


def name_keywords(text: str) -> list[str]:
    """Features from the keyword rules: the label of every rule a name matches, and of the first.

    >>> name_keywords("资金拨付及时率")
    ['level2:13-时效指标', 'first:level2:13-时效指标', 'name_kind:rate', 'first:name_kind:rate']
    """
    name, out = name_chars(text), []
    for task, rules in keyword_rules().items():
        hits = [label for keyword, label in rules if keyword in name]
        out += [f"{task}:{label}" for label in dict.fromkeys(hits)]
        out += [f"first:{task}:{hits[0]}"] if hits else []
    return out


def _estimator(name: str):
    """An untrained scikit-learn classifier by its short name (ESTIMATORS)."""
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import ComplementNB
    from sklearn.svm import LinearSVC

    if name == "logreg":
        return LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced", random_state=RANDOM_STATE)
    if name == "svm":
        return LinearSVC(C=0.5, class_weight="balanced", random_state=RANDOM_STATE)
    if name == "nb":
        return ComplementNB(alpha=0.3)
    if name == "boost":
        return GradientBoostingClassifier(n_estimators=100, max_depth=3, random_state=RANDOM_STATE)
    raise ValueError(f"unknown estimator {name!r}; one of {', '.join(ESTIMATORS)}")


def build_pipeline(estimator: str = "logreg") -> Pipeline:
    """An untrained pipeline: word and character TF-IDF + name endings → estimator (sigmoid-calibrated)."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(analyzer=name_words, sublinear_tf=True)),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char", preprocessor=name_chars, ngram_range=(1, 3), sublinear_tf=True
                ),
            ),
            ("endings", CountVectorizer(analyzer=name_endings, binary=True)),
            ("keywords", CountVectorizer(analyzer=name_keywords, binary=True)),
        ]
    )
    model = CalibratedClassifierCV(  # one model on all rows, calibrated on its cross-validated scores
        _estimator(estimator), method="sigmoid", cv=CALIBRATION_FOLDS, ensemble=False
    )
    return Pipeline([("features", features), ("model", model)])


def trainable(labels: pd.Series, min_rows: int = CALIBRATION_FOLDS) -> pd.Series:
    """Which rows belong to a class with at least `min_rows` rows (rarer classes cannot be calibrated)."""
    counts = labels.value_counts()
    return labels.isin(counts.index[counts >= min_rows])


def fit_task(names: Iterable[str], labels: Iterable[str], estimator: str = "logreg") -> Pipeline:
    """Fit a calibrated pipeline on names and labels, leaving out classes with too few rows to calibrate.

    One BLAS thread: these models are small, and many threads on a shared machine make lbfgs ~20× slower.
    """
    from threadpoolctl import threadpool_limits

    frame = pd.DataFrame({"name": list(names), "label": list(labels)})
    frame = frame[trainable(frame["label"])]
    with threadpool_limits(limits=1):
        return build_pipeline(estimator).fit(frame["name"].tolist(), frame["label"].to_numpy())


def load_training_data(data_path: str | Path = DEFAULT_DATA) -> pd.DataFrame:
    """Read the labeled names; raise TrainingDataError naming the file and line of a bad row.

    An empty label means unknown for that model (a library row without value or unit has no name kind):
    the row is used by the other model only (`task_rows`). A file without `document` (the unit the
    evaluation groups on) takes it from the file part of `source`; without either, a row is its own
    document. A file without `dataset` is one dataset, `all`.
    """
    path = Path(data_path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = {"name", *TASKS} - set(frame.columns)
    if missing:
        raise TrainingDataError(f"{path}: missing column(s) {sorted(missing)}")
    if "document" not in frame.columns:
        rows = pd.Series([f"row {i + 2}" for i in range(len(frame))], index=frame.index)
        source = frame.get("source", pd.Series("", index=frame.index)).str.rsplit(":", n=1).str[0]
        frame["document"] = source.where(source != "", rows)
    if "dataset" not in frame.columns:
        frame["dataset"] = "all"
    for task, allowed in TASKS.items():
        bad = frame.index[~frame[task].isin((*allowed, ""))]
        if len(bad):
            i = bad[0]
            raise TrainingDataError(
                f"{path}:{i + 2}: {task} {frame.at[i, task]!r} for {frame.at[i, 'name']!r} "
                f"is not one of {', '.join(allowed)}"
            )
    return frame[frame["name"].str.strip() != ""].reset_index(drop=True)


def task_rows(frame: pd.DataFrame, task: str) -> pd.DataFrame:
    """The rows that have a label for `task`."""
    return frame[frame[task] != ""].reset_index(drop=True)


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries a saved model depends on."""
    return {lib: importlib_metadata.version(lib) for lib in LIBRARIES}


def _as_training(extra: pd.DataFrame | None) -> pd.DataFrame | None:
    """Extra labeled rows with the columns the evaluation groups on: dataset `corrections`, document
    from the file part of `source`."""
    if extra is None or extra.empty:
        return extra
    out = extra.copy()
    for task in TASKS:
        out[task] = out[task].fillna("") if task in out.columns else ""
    source = out.get("source", pd.Series("", index=out.index)).fillna("").astype(str)
    out["document"] = source.str.rsplit(":", n=1).str[0].where(source != "", "corrections")
    out["dataset"] = "corrections"
    return out


def train(
    data_path: str | Path = DEFAULT_DATA,
    model_dir: str | Path = DEFAULT_MODELS,
    extra: pd.DataFrame | None = None,
) -> dict:
    """Fit both models on all rows, save them with skops into `model_dir` with metadata.json.

    `extra`: more labeled rows (name, level2, name_kind, source; a label may be empty), e.g. reviewers'
    corrections (nlp.corrections.training_rows); they replace the base rows of the same name. The
    metadata keeps the training data's SHA-256, the grouped figures of `nlp.name_eval` and the level-2
    threshold below which a prediction is `uncertain` (chosen on the grouped folds).
    """
    import skops.io as sio

    from nlp.name_eval import evaluate_task

    data_path, model_dir = Path(data_path), Path(model_dir)
    base = load_training_data(data_path)
    model_dir.mkdir(parents=True, exist_ok=True)
    models: dict[str, dict] = {}
    for task in TASKS:
        frame = with_extra(base, _as_training(extra), task)
        rows = task_rows(frame, task)
        pipeline = fit_task(rows["name"], rows[task], ESTIMATOR[task])
        sio.dump(pipeline, model_dir / f"{task}.skops", compression=zipfile.ZIP_DEFLATED, compresslevel=9)
        figures = evaluate_task(frame, task)
        models[task] = {
            "file": f"{task}.skops",
            "estimator": ESTIMATOR[task],
            "classes": [str(c) for c in pipeline.classes_],
            "grouped_cv": asdict(figures),
        }
        if figures.threshold is not None:
            models[task]["uncertain_below"] = figures.threshold
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
    import skops.io as sio
    from sklearn.pipeline import Pipeline
    from skops.io.exceptions import UntrustedTypesFoundException

    if not path.is_file():
        raise _missing(path)
    try:
        pipeline = sio.load(path, trusted=list(TRUSTED_TYPES))  # refuses any other type before building
    except UntrustedTypesFoundException as err:
        unexpected = sorted(set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES))
        refused = f"model file {path} holds untrusted types {unexpected}; refusing to load it"
        raise ModelLoadError(refused) from err
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


def within_level1(proba: np.ndarray, classes: np.ndarray, level1: list[str | None]) -> np.ndarray:
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
            proba = within_level1(proba, pipeline.classes_, level1)
        best = proba.argmax(axis=1)
        out[task] = pipeline.classes_[best]
        out[f"{task}_proba"] = np.round(proba[np.arange(len(names)), best], 4)
    return out


PREDICTED_FIELDS = ("level2", "level2_proba", "name_kind", "name_kind_proba")  # predict_names' columns
KEEP_PREDICTIONS = 50_000  # (name, level1) pairs whose predictions a process keeps (about 30 MB at most)


@dataclass
class _Seen:
    """The predictions a process made with one loaded Models, by (name, level1)."""

    models: Models
    rows: dict[tuple[str, str | None], tuple]


_SEEN: dict[str, _Seen] = {}


def _predicted(names: list[str], level1: list[str | None], model_dir: str | Path) -> list[tuple]:
    """PREDICTED_FIELDS of each (name, level1), each pair predicted once per process and loaded models
    (up to KEEP_PREDICTIONS pairs kept): a name's prediction does not depend on the other names of its
    batch, and a chunked run meets the same names in chunk after chunk."""
    models = load_models(model_dir)
    seen = _SEEN.get(str(model_dir))
    if seen is None or seen.models is not models:  # first use, or the models were loaded again
        seen = _SEEN[str(model_dir)] = _Seen(models, {})
    keys = list(zip(names, level1, strict=True))
    new = [key for key in dict.fromkeys(keys) if key not in seen.rows]
    fresh: dict[tuple[str, str | None], tuple] = {}
    if new:
        predicted = predict_names([n for n, _ in new], [l1 for _, l1 in new], model_dir)
        columns = [predicted[field].to_numpy() for field in PREDICTED_FIELDS]
        fresh = dict(zip(new, zip(*columns, strict=True), strict=True))
        if len(seen.rows) + len(fresh) <= KEEP_PREDICTIONS:
            seen.rows.update(fresh)
    return [fresh[key] if key in fresh else seen.rows[key] for key in keys]


def add_predictions(indicators: pd.DataFrame, model_dir: str | Path = DEFAULT_MODELS) -> pd.DataFrame:
    """Add level2_predicted, level2_proba, name_kind, name_kind_proba (null where a name is empty).

    Predicts once per distinct (name, level1); level2 stays under the row's stated level1 if any.
    """
    if "name" not in indicators.columns:
        raise ValueError("indicators table has no 'name' column")
    names = indicators["name"].where(indicators["name"].notna(), "").astype(str)
    stated = indicators.get("level1", pd.Series(None, index=indicators.index, dtype=object))
    codes, keys = unique_rows([names, stated.where(stated.isin(LEVEL1), None)])  # (name, level1) once each
    named = (pd.Series([name for name, _ in keys], dtype=names.dtype).str.strip() != "").to_numpy()
    wanted = np.flatnonzero(named)
    predicted = _predicted([keys[i][0] for i in wanted], [keys[i][1] for i in wanted], model_dir)
    out = indicators.copy()
    for k, column in enumerate(("level2_predicted", "level2_proba", "name_kind", "name_kind_proba")):
        values = np.full(len(keys), np.nan, dtype=float if column.endswith("_proba") else object)
        if len(wanted):
            values[wanted] = [row[k] for row in predicted]  # an empty name: no prediction (NaN)
        out[column] = taken(values, codes)
    return out


def uncertain_below(model_dir: str | Path = DEFAULT_MODELS) -> float:
    """The level-2 probability below which a prediction is `uncertain` (models' metadata; 0 if none)."""
    try:
        meta = load_models(model_dir).metadata
    except (ModelNotFound, ModelLoadError):
        return 0.0
    return float(meta.get("models", {}).get("level2", {}).get("uncertain_below", 0.0))


def fill_level2(indicators: pd.DataFrame, model_dir: str | Path = DEFAULT_MODELS) -> pd.DataFrame:
    """Add level2_final (the stated code, else the prediction) and level2_source saying which.

    level2_source: `stated` (the document's code), `synonym` (a local level name the document wrote,
    mapped by nlp.levels), `predicted` (no 二级指标 in the document: the classifier's), `uncertain`
    (the same, but with `level2_proba` below the threshold chosen on the grouped evaluation and kept in
    the models' metadata: a suggestion to check), or empty.
    """
    empty = pd.Series("", index=indicators.index, dtype=object)
    stated = indicators.get("level2", empty).fillna("").astype(str)
    raw = indicators.get("level2_raw", empty).fillna("").astype(str)
    predicted = indicators.get("level2_predicted", empty).fillna("").astype(str)
    proba = pd.to_numeric(indicators.get("level2_proba", empty), errors="coerce").fillna(1.0)
    has_stated, has_predicted = stated.ne(""), predicted.ne("")
    mapped = has_stated & raw.ne("") & raw.ne(stated)
    low = has_predicted & (proba < uncertain_below(model_dir)) if has_predicted.any() else has_predicted
    source = np.select(
        [mapped, has_stated, low, has_predicted], ["synonym", "stated", "uncertain", "predicted"], default=""
    ).astype(object)
    return indicators.assign(level2_final=stated.where(has_stated, predicted), level2_source=source)


NAME_FIELDS = ("level2", "level2_proba", "name_kind", "name_kind_proba")


def classify_names(rows: Iterable[dict], model_dir: str | Path = DEFAULT_MODELS) -> list[dict]:
    """Rows with `name` (and optional `id`, `level1`) → the same rows with NAME_FIELDS added.

    `level1` may be a code (`1-产出指标`) or a local name (`产出指标`, `項目產出`); where it is known,
    level2 is chosen among its codes. A row without a name gets empty fields; every other key is kept.

    >>> classify_names([{"id": 1, "name": "游客满意度"}])[0]["level2"]
    '31-服务对象满意度'
    """
    from nlp.levels import canonical_level1

    rows = [dict(row) for row in rows]
    names = [str(row.get("name") or "").strip() for row in rows]
    level1 = [canonical_level1(str(row.get("level1") or "")) or None for row in rows]
    keys = sorted({(n, l1 or "") for n, l1 in zip(names, level1, strict=True) if n})
    predicted = predict_names([n for n, _ in keys], [l1 or None for _, l1 in keys], model_dir)
    found = {
        key: predicted.iloc[i][list(NAME_FIELDS)].to_dict() for i, key in enumerate(keys)
    }
    for row, name, l1 in zip(rows, names, level1, strict=True):
        fields = found.get((name, l1 or ""), dict.fromkeys(NAME_FIELDS))
        row.update({k: (v.item() if isinstance(v, np.generic) else v) for k, v in fields.items()})
    return rows
