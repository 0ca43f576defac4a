"""The study behind the README's name-model tables: label agreement, the variants compared, and
whether a gain is beyond chance (nlp/name_study.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nlp import name_study
from nlp.classify import DEFAULT_DATA, keyword_predict_within, load_training_data, task_rows
from nlp.name_eval import grouped_folds
from nlp.schema import LEVEL2


@pytest.fixture(scope="module")
def training() -> pd.DataFrame:
    return load_training_data(DEFAULT_DATA)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("支出及时率（%）", "支出及时率"),
        ("支出及时率", "支出及时率"),
        ("購置**數(shù)量(臺/件/輛/套)", "购置数量"),
        ("★受助对象满意度(≥**%)", "受助对象满意度"),
        ("围墙300米", "围墙米"),
    ],
)
def test_indicator_key_sets_aside_brackets_digits_placeholders_and_script(name: str, key: str) -> None:
    assert name_study.indicator_key(name) == key


def test_label_agreement_counts_conflicts_oracle_and_nearest_names() -> None:
    frame = pd.DataFrame(
        {
            "name": ["支出及时率", "支出及时率（%）", "培训人数", "培训人次数", "设备采购数量"],
            "level2": ["11-数量指标", "13-时效指标", "11-数量指标", "11-数量指标", "11-数量指标"],
            "document": ["a", "b", "a", "b", "c"],
            "count": ["4", "1", "1", "1", "1"],
            "level2_conflicts": ["", "", "", "", ""],
        }
    )
    a = name_study.label_agreement(frame, "level2")
    assert (a.names, a.keys, a.conflicting_keys) == (5, 4, 1)
    assert a.majority_oracle == 0.8  # one of the two 支出及时率 names is against its key's majority
    assert a.occurrence_oracle == 1.0  # no name is stated under two codes
    exact = dict((r, (n, same)) for r, n, same in a.near)[100]
    assert exact == (2, 0.0)  # the two spellings of 支出及时率, in two documents, disagree


def test_label_agreement_of_the_training_data(training: pd.DataFrame) -> None:
    a = name_study.label_agreement(training, "level2")
    assert a.names == len(task_rows(training, "level2")) and a.keys <= a.names
    assert 0.9 < a.majority_oracle <= 1.0  # exact repeats hardly disagree ...
    ratios = {r: (n, same) for r, n, same in a.near}
    assert ratios[80][0] > ratios[100][0] and ratios[80][1] < 0.9  # ... near-identical names do


def test_mcnemar_p_is_symmetric_and_small_only_for_uneven_splits() -> None:
    assert name_study.mcnemar_p(3, 9) == name_study.mcnemar_p(9, 3)
    assert name_study.mcnemar_p(0, 0) == 1.0
    assert name_study.mcnemar_p(20, 2) < 0.001 < name_study.mcnemar_p(12, 8)


def test_gain_counts_fixed_and_broken_names_and_resamples_documents() -> None:
    truth = np.array(["a", "a", "b", "b", "a", "b"])
    before = pd.DataFrame({"truth": truth, "predicted": ["a", "b", "b", "a", "b", "b"]})
    after = pd.DataFrame({"truth": truth, "predicted": ["a", "a", "b", "b", "b", "a"]})
    documents = pd.Series(["d1", "d1", "d2", "d2", "d3", "d3"])
    g = name_study.gain(before, after, documents, "predicted")
    assert (g["fixed"], g["broken"]) == (2, 1)
    lo, hi = (float(x) for x in g["gain_ci"].strip("[]").split(","))
    assert -1 <= lo <= 1 / 6 <= hi <= 1


def test_value_variant_reads_the_target_and_predicts_taxonomy_codes(training: pd.DataFrame) -> None:
    rows = name_study.study_rows(task_rows(training, "level2"))
    folds = grouped_folds(rows)[:1]
    oof = name_study.oof_predictions(rows, "level2", lambda: name_study.variant("logreg", value=True), folds)
    assert len(oof) == len(folds[0][1]) and set(oof["predicted"]) <= set(LEVEL2)
    assert ((oof["within_proba"] > 0) & (oof["within_proba"] <= 1)).all()
    assert "unit:元" in name_study.value_features("≤1000万元")


def test_keyword_baseline_given_level1_stays_under_it() -> None:
    names = ["资金拨付及时率", "资金拨付及时率", "群众满意度"]
    level1 = ["1-产出指标", "2-效益指标", "3-满意度指标"]
    defaults = {"1-产出指标": "11-数量指标", "2-效益指标": "22-社会效益"}
    assert keyword_predict_within(names, level1, defaults).tolist() == [
        "13-时效指标",  # the rule 及时 → 13 lies under 产出
        "22-社会效益",  # no rule under 效益 matches: that level's most frequent code
        "31-服务对象满意度",
    ]
