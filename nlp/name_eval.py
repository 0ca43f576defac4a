"""Evaluate the name classifiers on documents they were not trained on.

Cross-validation grouped by source document (GroupKFold on the training data's `document` column:
a seed file, a realdata excerpt, a library page), never by random name, with on the same folds: the
keyword rules of `nlp/data/name_keywords.tsv` as a baseline, a confusion table, a reliability table
(predicted probability bins against observed accuracy) and, for the 二级指标, the probability below
which a prediction is reported as `uncertain`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GroupKFold

from nlp.classify import (
    CALIBRATION_FOLDS,
    DEFAULT_DATA,
    ESTIMATOR,
    MAX_FOLDS,
    TASKS,
    TrainingDataError,
    fit_task,
    keyword_predict,
    keyword_predict_within,
    level1_of,
    load_training_data,
    task_rows,
    within_level1,
)

BINS = (0.0, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)  # reliability table: top probability in [lo, hi)
TARGET_ACCURACY = 0.85  # `predicted` must be at least this accurate on unseen documents, else `uncertain`
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.0, 0.951, 0.05))  # candidates for that threshold


@dataclass(frozen=True)
class Scores:
    """Accuracy and macro-F1 of one set of predictions."""

    accuracy: float
    macro_f1: float

    @classmethod
    def of(cls, truth, predicted) -> Scores:
        """Scores of predictions against the labels (rounded to 4 places)."""
        acc = accuracy_score(truth, predicted)
        f1 = f1_score(truth, predicted, average="macro", zero_division=0)
        return cls(round(float(acc), 4), round(float(f1), 4))


@dataclass(frozen=True)
class Bin:
    """One row of a reliability table: predictions whose top probability is in [lo, hi)."""

    lo: float
    hi: float
    n: int
    mean_proba: float | None
    accuracy: float | None


@dataclass(frozen=True)
class TaskEvaluation:
    """Grouped figures of one model and of the keyword baseline on the same folds."""

    task: str
    estimator: str
    rows: int
    documents: int
    n_splits: int
    model: Scores
    baseline: Scores
    labels: tuple[str, ...]
    confusion: tuple[tuple[int, ...], ...]  # rows = stated label, columns = predicted, order of `labels`
    reliability: tuple[Bin, ...]
    given_level1: Scores | None = None  # level2 chosen among the codes of the row's stated 一级
    baseline_given_level1: Scores | None = None  # the keyword rules under the row's stated 一级
    reliability_given_level1: tuple[Bin, ...] = ()  # level2: of the probability the threshold is set on
    threshold: float | None = None  # level2: below it a prediction is `uncertain`
    above_threshold: tuple[float, float] | None = None  # (share of rows, accuracy) at or above it
    by_dataset: dict[str, Scores] = field(default_factory=dict)  # the same predictions, per dataset
    note: str = ""

    def confusion_frame(self) -> pd.DataFrame:
        """The confusion table as a DataFrame (index: stated, columns: predicted)."""
        return pd.DataFrame(list(self.confusion), index=list(self.labels), columns=list(self.labels))

    def reliability_frame(self, given_level1: bool = False) -> pd.DataFrame:
        """The reliability table as a DataFrame (one row per probability bin); `given_level1`: that of
        the level-2 prediction among the codes of the stated 一级 (the one the threshold is set on)."""
        bins = self.reliability_given_level1 if given_level1 else self.reliability
        return pd.DataFrame(
            [(f"{b.lo:.1f}-{b.hi:.1f}", b.n, b.mean_proba, b.accuracy) for b in bins],
            columns=["probability", "names", "mean_proba", "accuracy"],
        )


def grouped_folds(frame: pd.DataFrame, max_folds: int = MAX_FOLDS) -> list[tuple[np.ndarray, np.ndarray]]:
    """GroupKFold on the `document` column: no document has rows on both sides of a fold."""
    documents = frame["document"]
    n_splits = min(max_folds, documents.nunique())
    if n_splits < 2:
        raise TrainingDataError("grouped cross-validation needs rows from at least two documents")
    return list(GroupKFold(n_splits=n_splits).split(frame, groups=documents))


def out_of_fold(
    frame: pd.DataFrame,
    task: str,
    estimator: str | None = None,
    folds: list[tuple[np.ndarray, np.ndarray]] | None = None,
    leave_out: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Predictions for every row from a model trained on the other documents' rows.

    Columns: truth, dataset, level1, predicted + proba (name only), within + within_proba (among the
    codes of the stated 一级, level2 only), baseline (keyword rules; baseline_within: among the codes of
    the stated 一级, level2 only), fold. `leave_out` drops those
    datasets from every training fold (the test rows stay the same, so figures compare).
    """
    estimator = estimator or ESTIMATOR[task]
    folds = folds if folds is not None else grouped_folds(frame)
    parts = []
    for k, (train_idx, test_idx) in enumerate(folds):
        train, test = frame.iloc[train_idx], frame.iloc[test_idx]
        train = train[~train["dataset"].isin(leave_out)]
        model = fit_task(train["name"], train[task], estimator)
        proba = model.predict_proba(test["name"].tolist())
        classes = model.classes_
        part = pd.DataFrame(
            {
                "truth": test[task].to_numpy(),
                "dataset": test["dataset"].to_numpy(),
                "predicted": classes[proba.argmax(axis=1)],
                "proba": proba.max(axis=1),
                "baseline": keyword_predict(test["name"].tolist(), task, train[task].mode().iat[0]),
                "fold": k,
            },
            index=test.index,
        )
        if task == "level2":
            stated = [level1_of(code) for code in test[task]]  # training rows state their 一级
            within = within_level1(proba, classes, stated)
            part["within"] = classes[within.argmax(axis=1)]
            part["within_proba"] = within.max(axis=1)
            parents = train[task].map(level1_of)
            defaults = {str(l1): codes.mode().iat[0] for l1, codes in train[task].groupby(parents)}
            part["baseline_within"] = keyword_predict_within(test["name"].tolist(), stated, defaults)
        parts.append(part)
    return pd.concat(parts).sort_index()


def reliability(truth: np.ndarray, predicted: np.ndarray, proba: np.ndarray) -> tuple[Bin, ...]:
    """Observed accuracy of the predictions in each bin of their top probability."""
    right = np.asarray(truth) == np.asarray(predicted)
    out = []
    for lo, hi in itertools.pairwise(BINS):
        inside = (proba >= lo) & ((proba < hi) if hi < 1.0 else (proba <= hi))
        n = int(inside.sum())
        mean = round(float(proba[inside].mean()), 3) if n else None
        acc = round(float(right[inside].mean()), 3) if n else None
        out.append(Bin(lo, hi, n, mean, acc))
    return tuple(out)


def choose_threshold(right: np.ndarray, proba: np.ndarray, target: float = TARGET_ACCURACY) -> float:
    """The lowest candidate threshold at or above which predictions are at least `target` accurate.

    If none reaches it, the candidate with the best accuracy above it among those keeping at least
    a tenth of the rows.
    """
    best, best_acc = THRESHOLDS[-1], -1.0
    for t in THRESHOLDS:
        kept = proba >= t
        if kept.sum() < max(1, len(proba) // 10):
            break
        acc = float(right[kept].mean())
        if acc >= target:
            return t
        if acc > best_acc:
            best, best_acc = t, acc
    return best


def evaluate_task(
    frame: pd.DataFrame, task: str, estimator: str | None = None, max_folds: int = MAX_FOLDS
) -> TaskEvaluation:
    """Grouped figures of one model, its baseline, confusion and reliability tables (and threshold)."""
    rows = task_rows(frame, task)
    folds = grouped_folds(rows, max_folds)
    oof = out_of_fold(rows, task, estimator, folds)
    truth, predicted = oof["truth"].to_numpy(), oof["predicted"].to_numpy()
    labels = tuple(label for label in TASKS[task] if label in set(truth) | set(predicted))
    table = pd.crosstab(truth, predicted).reindex(index=labels, columns=labels, fill_value=0)
    extra: dict = {}
    if task == "level2":
        right, proba = oof["within"].to_numpy() == truth, oof["within_proba"].to_numpy()
        threshold = choose_threshold(right, proba)
        kept = proba >= threshold
        extra = {
            "given_level1": Scores.of(truth, oof["within"]),
            "baseline_given_level1": Scores.of(truth, oof["baseline_within"]),
            "reliability_given_level1": reliability(truth, oof["within"].to_numpy(), proba),
            "threshold": threshold,
            "above_threshold": (round(float(kept.mean()), 3), round(float(right[kept].mean()), 3)),
        }
    counts = rows[task].value_counts()
    rare = sorted(set(counts.index[counts < CALIBRATION_FOLDS]))
    return TaskEvaluation(
        task=task,
        estimator=estimator or ESTIMATOR[task],
        rows=len(rows),
        documents=int(rows["document"].nunique()),
        n_splits=len(folds),
        model=Scores.of(truth, predicted),
        baseline=Scores.of(truth, oof["baseline"]),
        labels=labels,
        confusion=tuple(tuple(int(v) for v in row) for row in table.to_numpy()),
        reliability=reliability(truth, predicted, oof["proba"].to_numpy()),
        by_dataset={
            name: Scores.of(group["truth"], group["predicted"]) for name, group in oof.groupby("dataset")
        },
        note=f"under {CALIBRATION_FOLDS} names, not trained: {', '.join(rare)}" if rare else "",
        **extra,
    )


def evaluate(
    data_path: str | Path = DEFAULT_DATA, max_folds: int = MAX_FOLDS, estimator: str | None = None
) -> dict[str, TaskEvaluation]:
    """Grouped figures of both models on the training data."""
    frame = load_training_data(data_path)
    return {task: evaluate_task(frame, task, estimator, max_folds) for task in TASKS}


BEFORE_ISSUE_12 = ("seeds", "realdata")  # the datasets the models were trained on before the library


def by_source(data_path: str | Path = DEFAULT_DATA, max_folds: int = MAX_FOLDS) -> pd.DataFrame:
    """Grouped figures with all data, with each dataset left out of training, and with the reviewed
    seeds + realdata alone (the training data before issue 12); the test rows are always all rows."""
    frame = load_training_data(data_path)
    out = []
    for task in TASKS:
        rows = task_rows(frame, task)
        folds = grouped_folds(rows, max_folds)
        datasets = sorted(rows["dataset"].unique())
        variants = [("all", ())] + [(f"without {d}", (d,)) for d in datasets]
        others = tuple(d for d in datasets if d not in BEFORE_ISSUE_12)
        if others:
            variants.append((" + ".join(BEFORE_ISSUE_12) + " only", others))
        for label, leave_out in variants:
            oof = out_of_fold(rows, task, folds=folds, leave_out=leave_out)
            model, base = Scores.of(oof["truth"], oof["predicted"]), Scores.of(oof["truth"], oof["baseline"])
            out.append(
                {
                    "model": task,
                    "training data": label,
                    "names": int((~rows["dataset"].isin(leave_out)).sum()),
                    "accuracy": model.accuracy,
                    "macro_f1": model.macro_f1,
                    "baseline_accuracy": base.accuracy,
                    "baseline_macro_f1": base.macro_f1,
                }
            )
    return pd.DataFrame(out)


def compare(data_path: str | Path = DEFAULT_DATA, max_folds: int = MAX_FOLDS) -> pd.DataFrame:
    """Grouped figures of every estimator of nlp.classify.ESTIMATORS on both tasks."""
    from nlp.classify import ESTIMATORS

    frame = load_training_data(data_path)
    out = []
    for task in TASKS:
        rows = task_rows(frame, task)
        folds = grouped_folds(rows, max_folds)
        for estimator in ESTIMATORS:
            oof = out_of_fold(rows, task, estimator, folds)
            scores = Scores.of(oof["truth"], oof["predicted"])
            out.append({"model": task, "estimator": estimator, **scores.__dict__})
    return pd.DataFrame(out)
