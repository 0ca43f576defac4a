"""What limits the name classifiers, and what each change buys, on the grouped folds of nlp.name_eval.

`jixiao evaluate --study` prints three tables (README, "How good they are"):

- **label agreement**: how often the labels of one name (after `indicator_key`) disagree, the accuracy
  of an oracle that predicts each key's majority label, and how often a name and its nearest name in
  another document (character similarity) carry the same label: a ceiling for any model of the name;
- **changes**: the kept pipelines next to variants (value features for the 二级, name head/prefix words,
  other estimators, training labels cleaned by inner cross-validation), all on the same grouped folds
  and always scored against the labels as given;
- **nested**: the estimator (and, for the 二级, whether to add the value) chosen on inner grouped folds
  of each training fold, so the outer figure does not profit from the choice; the `uncertain` threshold
  chosen the same way.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from rapidfuzz.process import cdist
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import TruncatedSVD
from sklearn.ensemble import HistGradientBoostingClassifier, VotingClassifier
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from threadpoolctl import threadpool_limits

from nlp.classify import (
    CALIBRATION_FOLDS,
    DEFAULT_DATA,
    ESTIMATOR,
    RANDOM_STATE,
    TASKS,
    _estimator,
    level1_of,
    load_training_data,
    name_chars,
    name_endings,
    name_keywords,
    name_words,
    task_rows,
    trainable,
    within_level1,
)
from nlp.name_eval import Scores, choose_threshold, grouped_folds
from nlp.segment import strip_ruby, tokenize
from nlp.textnorm import fold
from nlp.values import parse_value

_BRACKET = re.compile(r"[(（][^()（）]*[)）]?")
_NOISE = re.compile(r"[\d*\s%.,，、:：;；\-—_/★≥≤<>=＊]+")
NEAR_RATIOS = (100, 90, 80, 70)  # character similarity (rapidfuzz ratio, 0-100) of "the same name"
INNER_FOLDS = 3


def indicator_key(name: str) -> str:
    """A name without brackets, digits, placeholders, punctuation and 的, to find the same indicator.

    >>> indicator_key("購置**的驗收通過率(%)"), indicator_key("支出及时率（%）")
    ('购置验收通过率', '支出及时率')
    """
    text = _NOISE.sub("", _BRACKET.sub("", fold(strip_ruby(name))))
    return text.replace("的", "")


@dataclass(frozen=True)
class Agreement:
    """How consistent the labels of one task are across names and documents."""

    task: str
    names: int
    keys: int  # distinct indicator_key
    conflicting_keys: int  # keys whose names carry more than one label
    majority_oracle: float  # accuracy of predicting each key's majority label (over names)
    occurrence_oracle: float | None  # level2: the same over every occurrence (count, level2_conflicts)
    near: tuple[tuple[int, int, float], ...]  # (min ratio, names with such a neighbour, same label)


def _occurrence_oracle(rows: pd.DataFrame) -> float | None:
    """Share of all occurrences whose stated 二级 is their name's majority (`count`, `level2_conflicts`)."""
    if "count" not in rows.columns or "level2_conflicts" not in rows.columns:
        return None
    counts = pd.to_numeric(rows["count"], errors="coerce").fillna(1)
    others = rows["level2_conflicts"].str.findall(r"×(\d+)").map(lambda ns: sum(int(n) for n in ns))
    return round(float(counts.sum() / (counts.sum() + others.sum())), 4)


def label_agreement(frame: pd.DataFrame, task: str) -> Agreement:
    """Label conflicts among names of one key, the majority oracle, and nearest-name agreement across
    documents (each name against its most similar name of another document)."""
    rows = task_rows(frame, task)
    keys = rows["name"].map(indicator_key)
    votes = rows.groupby(keys)[task].agg(lambda labels: labels.value_counts().iat[0])
    kinds = rows.groupby(keys)[task].nunique()
    sim = cdist(keys.tolist(), keys.tolist(), scorer=fuzz.ratio, workers=1).astype(float)
    documents = rows["document"].to_numpy()
    sim[documents[:, None] == documents[None, :]] = -1.0  # only names of other documents
    nearest, best = sim.argmax(axis=1), sim.max(axis=1)
    same = rows[task].to_numpy() == rows[task].to_numpy()[nearest]
    near = tuple(
        (r, int((best >= r).sum()), round(float(same[best >= r].mean()), 3) if (best >= r).any() else 0.0)
        for r in NEAR_RATIOS
    )
    return Agreement(
        task=task,
        names=len(rows),
        keys=int(keys.nunique()),
        conflicting_keys=int((kinds > 1).sum()),
        majority_oracle=round(float(votes.sum() / len(rows)), 4),
        occurrence_oracle=_occurrence_oracle(rows) if task == "level2" else None,
        near=near,
    )


# --- the variants compared -----------------------------------------------------------------------------


def name_column(frame: pd.DataFrame) -> list[str]:
    """The `name` column as a list (the input of the kept pipelines)."""
    return frame["name"].tolist()


def head_words(text: str) -> list[str]:
    """The first and the last jieba word of a name (its object and its head noun)."""
    words = tokenize(text)
    return [f"first:{words[0]}", f"head:{words[-1]}"] if words else []


def value_features(text: str) -> list[str]:
    """What the target value says (nlp.values.parse_value): kind, operator, unit, and its jieba words.

    >>> value_features("≤1000万元")
    ['kind:threshold', 'op:<=', 'unit:元', 'kind_op_unit:threshold:<=:元', 'word:1000', 'word:万元']
    """
    value = parse_value(text or None)
    out = [f"kind:{value.kind}"]
    out += [f"op:{value.op}"] if value.op else []
    out += [f"unit:{value.unit}"] if value.unit else []
    out += [f"kind_op_unit:{value.kind}:{value.op}:{value.unit}"] if value.unit else []
    return out + [f"word:{w}" for w in tokenize(text or "")]


Columns = list[tuple[str, object, str | list[str]]]  # ColumnTransformer's (name, transformer, column)


def _name_transformers(head: bool = False) -> Columns:
    """The kept pipelines' features of the `name` column (and, optionally, head/prefix words)."""
    out: Columns = [
        ("words", TfidfVectorizer(analyzer=name_words, sublinear_tf=True), "name"),
        (
            "chars",
            TfidfVectorizer(analyzer="char", preprocessor=name_chars, ngram_range=(1, 3), sublinear_tf=True),
            "name",
        ),
        ("endings", CountVectorizer(analyzer=name_endings, binary=True), "name"),
        ("keywords", CountVectorizer(analyzer=name_keywords, binary=True), "name"),
    ]
    if head:
        out.append(("head", CountVectorizer(analyzer=head_words, binary=True), "name"))
    return out


def _calibrated(estimator) -> CalibratedClassifierCV:
    return CalibratedClassifierCV(estimator, method="sigmoid", cv=CALIBRATION_FOLDS, ensemble=False)


def variant(
    estimator: str = "logreg",
    value: bool = False,
    head: bool = False,
    svd: bool = False,
    level1: bool = False,
) -> Pipeline:
    """A pipeline over a frame with `name` (and `value`, `level1`): the kept features, optionally the
    value's, head/prefix words, the stated 一级 as an input (not only as a filter on the codes), or an
    SVD to 150 dimensions before the estimator (for gradient boosting)."""
    columns = _name_transformers(head)
    if value:
        columns.append(("value", CountVectorizer(analyzer=value_features, binary=True), "value"))
    if level1:
        columns.append(("level1", OneHotEncoder(handle_unknown="ignore"), ["level1"]))
    steps: list[tuple[str, object]] = [("features", ColumnTransformer(columns))]
    if svd:
        steps.append(("svd", TruncatedSVD(150, random_state=RANDOM_STATE)))
    if estimator == "hgb":
        model = HistGradientBoostingClassifier(
            max_iter=150, class_weight="balanced", random_state=RANDOM_STATE
        )
    elif estimator == "vote":  # soft vote of the three linear models, each calibrated
        model = VotingClassifier(
            [(name, _calibrated(_estimator(name))) for name in ("logreg", "svm", "nb")], voting="soft"
        )
    else:
        model = _estimator(estimator)
    steps.append(("model", model if estimator == "vote" else _calibrated(model)))
    return Pipeline(steps)


Maker = Callable[[], Pipeline]


def _fit(maker: Maker, train: pd.DataFrame, task: str) -> Pipeline:
    train = train[trainable(train[task])]
    with threadpool_limits(limits=1):
        return maker().fit(train, train[task].to_numpy())


def cleaned(train: pd.DataFrame, task: str, maker: Maker, drop: float) -> pd.DataFrame:
    """The training rows minus the share `drop` whose given label gets the lowest probability from
    models trained on the other documents of the training rows (inner grouped folds)."""
    train = train[trainable(train[task])].reset_index(drop=True)
    given = np.zeros(len(train))
    n_splits = min(INNER_FOLDS, train["document"].nunique())
    for inner_train, inner_test in GroupKFold(n_splits=n_splits).split(train, groups=train["document"]):
        model = _fit(maker, train.iloc[inner_train], task)
        proba = model.predict_proba(train.iloc[inner_test])
        column = {label: i for i, label in enumerate(model.classes_)}
        labels = train[task].iloc[inner_test]
        given[inner_test] = [proba[j, column[y]] if y in column else 0.0 for j, y in enumerate(labels)]
    return train[given >= np.quantile(given, drop)]


def oof_predictions(
    rows: pd.DataFrame, task: str, maker: Maker, folds, clean: float = 0.0
) -> pd.DataFrame:
    """Out-of-fold predictions (columns truth, predicted, proba, within, within_proba) of a variant."""
    parts = []
    for train_idx, test_idx in folds:
        train, test = rows.iloc[train_idx], rows.iloc[test_idx]
        if clean:
            train = cleaned(train, task, maker, clean)
        model = _fit(maker, train, task)
        proba, classes = model.predict_proba(test), model.classes_
        part = pd.DataFrame(
            {"truth": test[task].to_numpy(), "predicted": classes[proba.argmax(1)], "proba": proba.max(1)},
            index=test.index,
        )
        within = within_level1(proba, classes, [level1_of(c) for c in test[task]])
        part["within"], part["within_proba"] = classes[within.argmax(1)], within.max(1)
        parts.append(part)
    return pd.concat(parts).sort_index()


def study_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The `rows` of the training data, with `value` = the example value (the target the name came with)."""
    return frame.assign(value=frame.get("example_value", pd.Series("", index=frame.index)).fillna(""))


def changes(data_path: str | Path = DEFAULT_DATA) -> pd.DataFrame:
    """Grouped figures of the kept pipeline and of each variant, on the same folds, labels as given."""
    frame = study_rows(load_training_data(data_path))
    out = []
    for task in TASKS:
        kept = ESTIMATOR[task]
        others = [e for e in ("logreg", "svm", "nb", "vote") if e != kept]
        variants: list[tuple[str, Maker, float]] = [(f"kept ({kept})", partial(variant, kept), 0.0)]
        if task == "level2":  # the value is in the document; the name-kind model must not see it
            variants.append(("+ value features", partial(variant, kept, value=True), 0.0))
            variants.append(("+ the stated 一级 as a feature", partial(variant, kept, level1=True), 0.0))
        variants.append(("+ head/prefix words", partial(variant, kept, head=True), 0.0))
        variants += [(f"estimator {e}", partial(variant, e), 0.0) for e in others]
        variants.append(("estimator HistGradientBoosting on SVD-150", partial(variant, "hgb", svd=True), 0.0))
        variants += [
            (f"training labels cleaned: lowest {d:.0%} dropped", partial(variant, kept), d)
            for d in (0.05, 0.1)
        ]
        rows = task_rows(frame, task)
        folds = grouped_folds(rows)
        reference = None
        for label, maker, clean in variants:
            oof = oof_predictions(rows, task, maker, folds, clean)
            scores = Scores.of(oof["truth"], oof["predicted"])
            record = {"model": task, "change": label, **scores.__dict__}
            if task == "level2":
                given = Scores.of(oof["truth"], oof["within"])
                record |= {"given_level1_accuracy": given.accuracy, "given_level1_macro_f1": given.macro_f1}
            if reference is None:
                reference = oof
            else:
                column = "within" if task == "level2" else "predicted"
                record |= gain(reference, oof, rows["document"], column)
            out.append(record)
    table = pd.DataFrame(out)
    return table.astype({c: "Int64" for c in ("fixed", "broken") if c in table.columns})


def mcnemar_p(fixed: int, broken: int) -> float:
    """Exact two-sided McNemar p-value: the chance of a split at least this uneven if fixing and
    breaking a name were equally likely.

    >>> mcnemar_p(10, 10), round(mcnemar_p(12, 2), 4)
    (1.0, 0.0129)
    """
    n = fixed + broken
    tail = sum(math.comb(n, k) for k in range(min(fixed, broken) + 1)) / 2**n if n else 0.5
    return min(1.0, 2 * tail)


def gain(before: pd.DataFrame, after: pd.DataFrame, documents: pd.Series, column: str) -> dict:
    """Is `after` better than `before` beyond chance: names fixed/broken, exact McNemar p, and a 95 %
    interval of the accuracy gain from resampling whole documents (2,000 draws, fixed seed)."""
    right_before = before[column] == before["truth"]
    right_after = after[column] == after["truth"]
    fixed, broken = int((right_after & ~right_before).sum()), int((right_before & ~right_after).sum())
    p = mcnemar_p(fixed, broken)
    change = right_after.astype(int) - right_before.astype(int)
    per_doc = change.groupby(documents.to_numpy()).agg(["sum", "count"])
    rng = np.random.default_rng(RANDOM_STATE)
    draws = rng.integers(0, len(per_doc), size=(2000, len(per_doc)))
    sums, counts = per_doc["sum"].to_numpy()[draws].sum(1), per_doc["count"].to_numpy()[draws].sum(1)
    lo, hi = np.percentile(sums / counts, [2.5, 97.5])
    return {"fixed": fixed, "broken": broken, "p": round(float(p), 3), "gain_ci": f"[{lo:+.3f}, {hi:+.3f}]"}


# --- nested selection ----------------------------------------------------------------------------------


def candidates(task: str) -> dict[str, Maker]:
    """What the nested selection chooses among: the linear estimators (and, for the 二级, the value)."""
    out: dict[str, Maker] = {e: partial(variant, e) for e in ("logreg", "svm", "nb")}
    if task == "level2":
        out |= {f"{e}+value": partial(variant, e, value=True) for e in ("logreg", "svm", "nb")}
    return out


def _score(oof: pd.DataFrame, task: str) -> float:
    """What selection maximizes: 二级 accuracy given the 一级 (the pipeline's case); name-kind macro-F1."""
    if task == "level2":
        return float((oof["within"] == oof["truth"]).mean())
    return Scores.of(oof["truth"], oof["predicted"]).macro_f1


def nested(data_path: str | Path = DEFAULT_DATA) -> pd.DataFrame:
    """Outer grouped folds; in each, the candidate and the `uncertain` threshold are chosen on inner
    grouped folds of the training documents only, then scored on the outer test documents."""
    frame = study_rows(load_training_data(data_path))
    out = []
    for task in TASKS:
        rows = task_rows(frame, task)
        parts, chosen = [], []
        for train_idx, test_idx in grouped_folds(rows):
            train = rows.iloc[train_idx].reset_index(drop=True)
            inner = grouped_folds(train, INNER_FOLDS)
            scored = {name: oof_predictions(train, task, f, inner) for name, f in candidates(task).items()}
            best = max(scored, key=lambda name: _score(scored[name], task))
            picked = scored[best]
            threshold = choose_threshold(
                (picked["within"] == picked["truth"]).to_numpy(), picked["within_proba"].to_numpy()
            )
            chosen.append(f"{best}@{threshold:.2f}" if task == "level2" else best)
            oof = oof_predictions(rows, task, candidates(task)[best], [(train_idx, test_idx)])
            parts.append(oof.assign(threshold=threshold))
        oof = pd.concat(parts).sort_index()
        scores, given = Scores.of(oof["truth"], oof["predicted"]), Scores.of(oof["truth"], oof["within"])
        record = {"model": task, "chosen per fold": ", ".join(chosen), **scores.__dict__}
        if task == "level2":
            kept = oof["within_proba"] >= oof["threshold"]
            right = oof["within"] == oof["truth"]
            record |= {
                "given_level1_accuracy": given.accuracy,
                "predicted_share": round(float(kept.mean()), 3),
                "predicted_accuracy": round(float(right[kept].mean()), 3),
            }
        out.append(record)
    return pd.DataFrame(out)


def agreement_table(data_path: str | Path = DEFAULT_DATA) -> pd.DataFrame:
    """label_agreement of both tasks as one table."""
    frame = load_training_data(data_path)
    out = []
    for task in TASKS:
        a = label_agreement(frame, task)
        record = {
            "model": task,
            "names": a.names,
            "keys": a.keys,
            "conflicting keys": a.conflicting_keys,
            "majority oracle": a.majority_oracle,
            "occurrence oracle": a.occurrence_oracle,
        }
        record |= {f"nearest ≥{r}: names": n for r, n, _ in a.near}
        record |= {f"nearest ≥{r}: same label": s for r, _, s in a.near}
        out.append(record)
    return pd.DataFrame(out)



