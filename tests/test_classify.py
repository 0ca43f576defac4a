"""The shipped name classifiers: they load safely, predict the seeds' stated labels, and stay fresh."""

from __future__ import annotations

import importlib.util
import json
import logging
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from typer.testing import CliRunner

from nlp import classify
from nlp.classify import (
    DEFAULT_DATA,
    DEFAULT_MODELS,
    METADATA,
    NAME_KINDS,
    ModelLoadError,
    ModelNotFound,
    add_predictions,
    file_sha256,
    level1_of,
    load_models,
    load_training_data,
    predict_names,
)
from nlp.cli import app
from nlp.documents import read_document
from nlp.schema import LEVEL1, LEVEL2
from nlp.textnorm import fold

ROOT = Path(__file__).resolve().parents[1]
SEED_001 = ROOT / "examples" / "documents" / "001_9bd8c889aec7234b.txt"

# Names as the seeds 000/003/004 state them, with the 二级指标 they state (in training_data/).
SEEN_LEVEL2 = [
    ("验收合格率（%）", "12-质量指标"),
    ("服务对象满意度", "31-服务对象满意度"),
    ("接待省市调研次数", "11-数量指标"),
    ("支出及时率（%）", "13-时效指标"),
    ("项目持续发挥作用的期限", "24-可持续影响"),
    ("总成本小于预算", "41-经济成本指标"),
    ("采购程序的规范性", "12-质量指标"),
]
# Paraphrases no seed uses (not in training_data/).
UNSEEN_LEVEL2 = [
    ("游客满意度", "31-服务对象满意度"),
    ("资金拨付及时率", "13-时效指标"),
    ("会议召开次数", "11-数量指标"),
    ("档案整理合格率", "12-质量指标"),
]
SEEN_NAME_KIND = [
    ("服务对象投诉次数", "count"),  # the seed says 100%; the team labeled what the name asks for
    ("支出及时率", "rate"),  # the seed says 及时完成
    ("验收合格率（%）", "rate"),
    ("政府雇员在编人数", "count"),
    ("项目持续发挥作用的期限", "qualitative"),
]
UNSEEN_NAME_KIND = [
    ("投诉次数", "count"),
    ("办公设备采购数量", "count"),
    ("参训人员满意度（%）", "rate"),
    ("工作开展情况", "qualitative"),
]


@pytest.fixture(scope="module")
def training() -> pd.DataFrame:
    return load_training_data(DEFAULT_DATA)


@pytest.fixture
def model_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped models/ to break."""
    dest = tmp_path / "models"
    shutil.copytree(DEFAULT_MODELS, dest)
    return dest


def _known(training: pd.DataFrame, name: str) -> pd.Series:
    rows = training[training["name"] == name]
    assert len(rows) == 1, f"{name!r} should be one row of {DEFAULT_DATA}"
    return rows.iloc[0]


@pytest.mark.parametrize(("name", "level2"), SEEN_LEVEL2, ids=[n for n, _ in SEEN_LEVEL2])
def test_level2_of_seed_names(training: pd.DataFrame, name: str, level2: str) -> None:
    assert _known(training, name)["level2"] == level2
    assert predict_names([name]).loc[name, "level2"] == level2


@pytest.mark.parametrize(("name", "level2"), UNSEEN_LEVEL2, ids=[n for n, _ in UNSEEN_LEVEL2])
def test_level2_of_unseen_paraphrases(training: pd.DataFrame, name: str, level2: str) -> None:
    assert name not in set(training["name"])
    assert predict_names([name]).loc[name, "level2"] == level2


@pytest.mark.parametrize(("name", "kind"), SEEN_NAME_KIND, ids=[n for n, _ in SEEN_NAME_KIND])
def test_name_kind_of_seed_names(training: pd.DataFrame, name: str, kind: str) -> None:
    assert _known(training, name)["name_kind"] == kind
    assert predict_names([name]).loc[name, "name_kind"] == kind


@pytest.mark.parametrize(("name", "kind"), UNSEEN_NAME_KIND, ids=[n for n, _ in UNSEEN_NAME_KIND])
def test_name_kind_of_unseen_paraphrases(training: pd.DataFrame, name: str, kind: str) -> None:
    assert name not in set(training["name"])
    assert predict_names([name]).loc[name, "name_kind"] == kind


@pytest.fixture(scope="module")
def predicted_001() -> pd.DataFrame:
    doc = read_document(SEED_001)
    rows = [{"name": i.name, "level1": i.level1} for p in doc.projects for i in p.indicators]
    return add_predictions(pd.DataFrame(rows))


def test_001_has_indicators_without_level2(predicted_001: pd.DataFrame) -> None:
    assert len(predicted_001) >= 20


@pytest.mark.parametrize(
    ("column", "allowed"),
    [("level2_predicted", LEVEL2), ("name_kind", NAME_KINDS)],
    ids=["level2_predicted", "name_kind"],
)
def test_001_predictions_are_valid_labels(predicted_001: pd.DataFrame, column: str, allowed) -> None:
    assert set(predicted_001[column]) <= set(allowed)


@pytest.mark.parametrize("column", ["level2_proba", "name_kind_proba"])
def test_001_probabilities_in_range(predicted_001: pd.DataFrame, column: str) -> None:
    assert predicted_001[column].between(0, 1).all()


def test_001_level2_stays_under_the_stated_level1(predicted_001: pd.DataFrame) -> None:
    assert predicted_001["level1"].isin(LEVEL1).all()
    assert (predicted_001["level2_predicted"].map(level1_of) == predicted_001["level1"]).all()


def test_add_predictions_keeps_rows_and_leaves_empty_names_null() -> None:
    frame = pd.DataFrame({"name": ["服务对象满意度", "", None, "服务对象满意度"]}, index=[7, 8, 9, 10])
    out = add_predictions(frame)
    assert list(out.index) == [7, 8, 9, 10]
    assert out["level2_predicted"].isna().tolist() == [False, True, True, False]
    assert out.loc[10, "level2_predicted"] == "31-服务对象满意度"


@pytest.mark.parametrize(
    ("level2", "level1"),
    [
        ("11-数量指标", "1-产出指标"),
        ("24-可持续影响", "2-效益指标"),
        ("31-服务对象满意度", "3-满意度指标"),
        ("４１-经济成本指标", "4-成本指标"),  # full-width digits
        ("数量指标", None),
        ("", None),
        (None, None),
    ],
    ids=["11", "24", "31", "fullwidth-41", "no-code", "empty", "none"],
)
def test_level1_of(level2: str | None, level1: str | None) -> None:
    assert level1_of(level2) == level1
    assert level1 is None or level1 in LEVEL1


@pytest.mark.parametrize("file", ["level2.skops", "name_kind.skops", METADATA])
def test_missing_model_file_says_run_train(model_copy: Path, file: str) -> None:
    (model_copy / file).unlink()
    with pytest.raises(ModelNotFound, match=r"jixiao train") as err:
        load_models(model_copy)
    assert file in str(err.value)


@pytest.mark.parametrize(
    "damage",
    [b"not a zip file at all", b"PK\x03\x04 truncated"],
    ids=["garbage", "truncated-zip"],
)
def test_corrupt_model_file_says_run_train(model_copy: Path, damage: bytes) -> None:
    (model_copy / "level2.skops").write_bytes(damage)
    with pytest.raises(ModelLoadError, match=r"level2\.skops.*jixiao train"):
        load_models(model_copy)


def test_corrupt_metadata_says_run_train(model_copy: Path) -> None:
    (model_copy / METADATA).write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelLoadError, match=r"jixiao train"):
        load_models(model_copy)


def test_untrusted_type_in_model_file_is_refused(model_copy: Path) -> None:
    rogue = Pipeline([("features", FunctionTransformer(func=json.dumps)), ("model", LogisticRegression())])
    sio.dump(rogue, model_copy / "level2.skops")
    with pytest.raises(ModelLoadError, match=r"untrusted types \['json\.dumps'\]"):
        load_models(model_copy)


def test_version_mismatch_is_a_warning(model_copy: Path, caplog: pytest.LogCaptureFixture) -> None:
    meta = json.loads((model_copy / METADATA).read_text(encoding="utf-8"))
    meta["versions"]["scikit-learn"] = "0.0.1"
    (model_copy / METADATA).write_text(json.dumps(meta), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="nlp.classify"):
        models = load_models(model_copy)
    assert models.level2 is not None
    assert "scikit-learn 0.0.1" in caplog.text


def test_models_are_fresh() -> None:
    meta = json.loads((DEFAULT_MODELS / METADATA).read_text(encoding="utf-8"))
    data = ROOT / meta["training_data"]["path"]
    assert meta["training_data"]["sha256"] == file_sha256(data), (
        f"{data} changed since the models were trained: run `jixiao train`"
    )


def _build_script(monkeypatch: pytest.MonkeyPatch):
    path = ROOT / "training_data" / "build_indicator_names.py"
    spec = importlib.util.spec_from_file_location("build_indicator_names", path)
    build = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, build)  # dataclasses look their module up there
    spec.loader.exec_module(build)
    return build


def test_training_file_matches_its_build_script(
    training: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = _build_script(monkeypatch)
    occurrences = [occ for rel in build.SEEDS for occ in build.read_seed(rel)]
    rebuilt = pd.DataFrame(build.build_rows(occurrences, build.load_corrections()))
    shipped = training[training["source"].str.startswith(build.SEEDS)].reset_index(drop=True)
    assert rebuilt[["name", "level2", "name_kind"]].equals(shipped[["name", "level2", "name_kind"]]), (
        "training_data/indicator_names.csv is stale: run `python training_data/build_indicator_names.py`"
    )


def test_realdata_rows_match_their_build_script(
    training: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = _build_script(monkeypatch)
    corrections = build.load_corrections()
    seed_rows = build.build_rows([occ for rel in build.SEEDS for occ in build.read_seed(rel)], corrections)
    rebuilt = pd.DataFrame(build.build_realdata_rows(seed_rows, corrections))
    shipped = training[training["dataset"] == "realdata"].reset_index(drop=True)
    columns = ["name", "level1", "level2", "name_kind", "name_kind_source", "source", "document"]
    assert len(shipped) > 100
    assert rebuilt[columns].equals(shipped[columns]), (
        "realdata rows of training_data/indicator_names.csv are stale: "
        "run `python training_data/build_indicator_names.py`"
    )


def test_library_rows_match_their_build_script(
    training: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = _build_script(monkeypatch)
    earlier = training[training["dataset"].isin(["seeds", "realdata"])]
    written = dict(zip(earlier["name"].map(fold), earlier["level2"], strict=True))
    rebuilt, noise = build.build_library_rows(written)
    shipped = training[training["dataset"] == "library"].reset_index(drop=True)
    columns = ["name", "level1", "level2", "name_kind", "source", "document"]
    assert len(shipped) > 100
    assert pd.DataFrame(rebuilt)[columns].equals(shipped[columns]), (
        "library rows of training_data/indicator_names.csv are stale: "
        "run `python training_data/build_indicator_names.py`"
    )
    assert noise["name already in an earlier section"] > 0  # counted, not silently merged


def test_library_names_lose_their_pinyin_ruby(training: pd.DataFrame) -> None:
    library = training[training["dataset"] == "library"]
    assert "購置**數量(臺/件/輛/套)" in set(library["name"])
    assert not library["name"].str.contains(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)").any()


@pytest.mark.parametrize(
    ("dataset", "column", "allowed"),
    [
        ("seeds", "level2_source", {"stated"}),
        ("seeds", "name_kind_source", {"value_rule", "team"}),
        ("realdata", "level2_source", {"stated"}),
        ("realdata", "name_kind_source", {"value_rule", "team"}),
        ("library", "level2_source", {"library"}),
        ("library", "name_kind_source", {"distant", ""}),
        ("distant", "level2_source", {"distant"}),
        ("distant", "name_kind_source", {"distant"}),
    ],
)
def test_training_rows_say_how_they_were_labeled(
    training: pd.DataFrame, dataset: str, column: str, allowed
) -> None:
    assert set(training.loc[training["dataset"] == dataset, column]) <= allowed
    assert set(training["dataset"]) <= {"seeds", "realdata", "library", "distant"}


def test_every_row_names_its_source_document(training: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    assert training["document"].ne("").all()
    build = _build_script(monkeypatch)
    library = pd.read_csv(build.LIBRARY, dtype=str, keep_default_na=False)
    # a realdata excerpt is known by the address its library rows cite, so they share evaluation folds
    ningjin = build.document_of("examples/realdata/39_ningjin-jiaoyu-2019-gaozhong-zhuxuejin.txt")
    assert ningjin == "https://www.ningjin.gov.cn/content/26279.html"
    assert ningjin in set(library["source"])


def test_evaluate_prints_both_models() -> None:
    result = CliRunner().invoke(app, ["evaluate"])
    assert result.exit_code == 0, result.output
    for text in ("level2:", "name_kind:", "accuracy", "macro-F1", "confusion", "31-服务对象满意度"):
        assert text in result.output


def test_evaluate_without_a_source_counts_only_the_other_rows(training: pd.DataFrame) -> None:
    seeds = training[~training["source"].str.startswith("examples/realdata/") & training["name_kind"].ne("")]
    results = classify.evaluate(DEFAULT_DATA, exclude_source="examples/realdata/")
    assert results["name_kind"].rows == len(seeds) < len(training)


def test_holdout_trains_on_the_rest_and_tests_on_the_source(training: pd.DataFrame) -> None:
    realdata = training["source"].str.startswith("examples/realdata/")
    results = classify.evaluate_holdout(DEFAULT_DATA, "examples/realdata/")
    m = results["name_kind"]
    assert (m.rows, m.n_splits, sum(map(sum, m.confusion))) == (int(realdata.sum()), 0, int(realdata.sum()))
    assert 0.0 <= m.accuracy <= 1.0


def test_holdout_of_an_unknown_source_is_an_error() -> None:
    result = CliRunner().invoke(app, ["evaluate", "--holdout-source", "nowhere/"])
    assert result.exit_code == 1
    assert "no rows to train or to test with source 'nowhere/'" in result.stderr


@pytest.mark.parametrize("task", ["level2", "name_kind"])
def test_training_is_deterministic(training: pd.DataFrame, task: str) -> None:
    names = [n for n, _ in UNSEEN_LEVEL2 + UNSEEN_NAME_KIND]
    fits = [classify.build_pipeline().fit(training["name"].tolist(), training[task]) for _ in range(2)]
    assert np.array_equal(fits[0].predict_proba(names), fits[1].predict_proba(names))


def test_train_command_writes_small_fresh_models(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["train", "--models", str(tmp_path)])
    assert result.exit_code == 0, result.output
    meta = json.loads((tmp_path / METADATA).read_text(encoding="utf-8"))
    assert meta["training_data"]["sha256"] == file_sha256(DEFAULT_DATA)
    assert all((tmp_path / f).stat().st_size < 1_000_000 for f in ("level2.skops", "name_kind.skops"))


def test_train_into_a_path_that_is_a_file_is_one_error_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("", encoding="utf-8")
    result = CliRunner().invoke(app, ["train", "--models", str(blocker)])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and str(blocker) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
