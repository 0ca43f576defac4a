"""The shipped name classifiers: they load safely, predict the seeds' stated labels, stay fresh, and are
evaluated grouped by source document against the keyword baseline; `jixiao names` and its API."""

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

from nlp import classify, name_eval
from nlp.classify import (
    DEFAULT_DATA,
    DEFAULT_MODELS,
    METADATA,
    NAME_KINDS,
    ModelLoadError,
    ModelNotFound,
    add_predictions,
    classify_names,
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


def test_a_name_is_predicted_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """The second table asks the models only about its new pairs (a name under another level1 is new),
    and gets what a fresh batch gets."""
    first = pd.DataFrame({"name": ["图书馆借阅人次", "道路保洁覆盖率"], "level1": [None, "1-产出指标"]})
    second = pd.DataFrame({"name": ["道路保洁覆盖率", "图书馆借阅人次", "游客投诉处理率"]})
    asked: list[list[str]] = []
    real = classify.predict_names

    def counting(names, level1=None, model_dir=classify.DEFAULT_MODELS):
        asked.append(list(names))
        return real(names, level1, model_dir)

    monkeypatch.setattr(classify, "_SEEN", {})
    monkeypatch.setattr(classify, "predict_names", counting)
    add_predictions(first)
    out = add_predictions(second)
    assert asked == [["图书馆借阅人次", "道路保洁覆盖率"], ["道路保洁覆盖率", "游客投诉处理率"]]
    monkeypatch.setattr(classify, "_SEEN", {})
    pd.testing.assert_frame_equal(out, add_predictions(second))


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


def test_distant_rows_match_their_build_script(
    training: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = _build_script(monkeypatch)
    earlier = training[training["dataset"] != "distant"]
    written = dict(zip(earlier["name"].map(fold), earlier["level2"], strict=True))
    rebuilt = pd.DataFrame(build.build_distant_rows(written, build.load_corrections()))
    shipped = training[training["dataset"] == "distant"].reset_index(drop=True)
    columns = ["name", "level1", "level2", "name_kind", "name_kind_source", "source", "document"]
    assert len(shipped) > 0
    assert rebuilt[columns].equals(shipped[columns]), (
        "distant rows of training_data/indicator_names.csv are stale: "
        "run `python training_data/build_indicator_names.py`"
    )


def test_labeled_reader_rows_are_an_input_of_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = _build_script(monkeypatch)
    rows = tmp_path / "rows.csv"
    rows.write_text(
        "file,line,project,level1,level2,name,stated_op,value,stated_unit,actual,labeled_by,note\n"
        "examples/realdata/999_x.txt,5,p,產(chǎn)出指標(50分),數(shù)量指標 (必填),培训人数,,30人,,,team,\n"
        "examples/realdata/999_x.txt,6,p,效益指标,服务对象满意度指标,满意度,,95%,,,team,\n"
        "examples/realdata/999_x.txt,7,p,实施效果指标,产出指标,完成率,,100%,,,team,\n",
        encoding="utf-8",
    )
    occs = build.labeled_reader_rows(rows)["examples/realdata/999_x.txt"]
    assert [(o.name, o.level1, o.level2) for o in occs] == [
        ("培训人数", "1-产出指标", "11-数量指标"),
        ("满意度", "", ""),  # a 31 code under 效益指标: not taught
        ("完成率", "", ""),  # a shifted hierarchy: no 二级 code
    ]
    assert occs[0].source == "examples/realdata/999_x.txt:5"
    assert build.build_rows(occs, {}, "distant")[0]["name_kind"] == "count"


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


@pytest.fixture(scope="module")
def evaluation() -> dict:
    return name_eval.evaluate(DEFAULT_DATA)


def test_evaluate_prints_grouped_figures_baseline_confusion_and_reliability() -> None:
    result = CliRunner().invoke(app, ["evaluate"])
    assert result.exit_code == 0, result.output
    for text in (
        "level2:", "name_kind:", "grouped by document", "keywords  accuracy", "given the stated 一级",
        "keywords given the stated 一级", "reliability given the stated 一级",
        "uncertain below probability", "confusion", "reliability", "31-服务对象满意度",
    ):  # fmt: skip
        assert text in result.output


def test_grouped_folds_never_split_a_document(training: pd.DataFrame) -> None:
    folds = name_eval.grouped_folds(training)
    assert len(folds) == 5
    for train_idx, test_idx in folds:
        assert not set(training["document"].iloc[train_idx]) & set(training["document"].iloc[test_idx])
    tested = np.concatenate([test for _, test in folds])
    assert sorted(tested) == list(range(len(training)))  # every name is tested exactly once


@pytest.mark.parametrize("task", ["level2", "name_kind"])
def test_grouped_figures_are_consistent(evaluation: dict, training: pd.DataFrame, task: str) -> None:
    m = evaluation[task]
    labeled = training[training[task] != ""]
    assert m.rows == len(labeled) == sum(map(sum, m.confusion)) == sum(b.n for b in m.reliability)
    assert m.documents == labeled["document"].nunique()
    diagonal = sum(m.confusion[i][i] for i in range(len(m.labels)))
    assert m.model.accuracy == round(diagonal / m.rows, 4)
    assert 0 < m.baseline.accuracy < 1 and 0 < m.baseline.macro_f1 < 1
    assert set(m.by_dataset) == set(labeled["dataset"])


def test_level2_threshold_keeps_predictions_that_reach_the_target(evaluation: dict) -> None:
    m = evaluation["level2"]
    share, accuracy = m.above_threshold
    assert 0 < m.threshold < 1 and 0 < share < 1
    assert accuracy >= name_eval.TARGET_ACCURACY
    assert m.given_level1.accuracy >= m.model.accuracy  # the stated 一级 narrows the choice


def test_choose_threshold_takes_the_lowest_that_reaches_the_target() -> None:
    proba = np.array([0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1])
    right = np.array([True, True, True, True, True, True, False, False, False, False])
    assert name_eval.choose_threshold(right, proba, target=1.0) == 0.45  # keeps 0.5 and up: all right
    assert name_eval.choose_threshold(right, proba, target=0.75) == 0.25  # keeps 0.3 and up: 6 of 8


def test_reliability_bins_count_and_score_the_predictions() -> None:
    proba = np.array([0.35, 0.45, 0.95, 1.0])
    bins = name_eval.reliability(np.array(["a", "a", "b", "b"]), np.array(["a", "b", "b", "a"]), proba)
    table = {(b.lo, b.hi): (b.n, b.accuracy) for b in bins}
    assert table[(0.0, 0.4)] == (1, 1.0)
    assert table[(0.4, 0.5)] == (1, 0.0)
    assert table[(0.9, 1.0)] == (2, 0.5)  # 1.0 falls in the last bin
    assert table[(0.5, 0.6)] == (0, None)


def test_keyword_baseline_reads_its_rules_from_data() -> None:
    rules = classify.keyword_rules()
    assert set(rules) == {"level2", "name_kind"} and len(rules["level2"]) >= 12
    predicted = classify.keyword_predict(["宣传活动次数", "完成时间", "项目实施情况"], "name_kind", "count")
    assert predicted.tolist() == ["count", "qualitative", "qualitative"]


def test_name_endings_come_from_the_suffix_list() -> None:
    assert "suffix:满意度" in classify.name_endings("游客满意度（%）")
    assert "bracket:%" in classify.name_endings("游客满意度（%）")
    assert "suffix:时间" in classify.name_endings("驗收入庫時(shí)間")  # folded, ruby dropped


def test_by_source_leaves_each_dataset_out_of_training_only(training: pd.DataFrame) -> None:
    table = name_eval.by_source(DEFAULT_DATA)
    kinds = table[table["model"] == "name_kind"].set_index("training data")
    labeled = training[training["name_kind"] != ""]
    assert kinds.loc["all", "names"] == len(labeled)
    for dataset in set(labeled["dataset"]):
        assert kinds.loc[f"without {dataset}", "names"] == int((labeled["dataset"] != dataset).sum())
    reviewed = labeled["dataset"].isin(["seeds", "realdata"]).sum()
    assert kinds.loc["seeds + realdata only", "names"] == reviewed
    assert kinds["accuracy"].between(0, 1).all() and kinds["baseline_accuracy"].between(0, 1).all()


def test_metadata_records_the_grouped_figures_and_the_threshold() -> None:
    meta = load_models().metadata
    level2 = meta["models"]["level2"]
    assert 0 < level2["uncertain_below"] < 1
    assert level2["grouped_cv"]["baseline"]["accuracy"] > 0
    assert meta["models"]["name_kind"]["estimator"] in classify.ESTIMATORS


def test_fill_level2_says_uncertain_below_the_threshold() -> None:
    threshold = classify.uncertain_below()
    frame = pd.DataFrame(
        {
            "level2": ["", "", "12-质量指标", ""],
            "level2_predicted": ["11-数量指标", "13-时效指标", "11-数量指标", None],
            "level2_proba": [threshold, threshold - 0.01, 0.2, None],
        }
    )
    out = classify.fill_level2(frame)
    assert out["level2_source"].tolist() == ["predicted", "uncertain", "stated", ""]
    assert out["level2_final"].tolist() == ["11-数量指标", "13-时效指标", "12-质量指标", ""]


def test_classify_names_api_keeps_every_row_and_field() -> None:
    rows = [
        {"id": 1, "name": "游客满意度"},
        {"id": 2, "name": "资金拨付及时率", "level1": "产出指标"},
        {"id": 3, "name": "资金拨付及时率", "level1": "效益指标", "extra": "x"},
        {"id": 4, "name": None},
    ]
    out = classify_names(rows)
    assert [r["id"] for r in out] == [1, 2, 3, 4] and out[2]["extra"] == "x"
    assert out[0]["level2"] == "31-服务对象满意度" and out[0]["name_kind"] == "rate"
    assert out[1]["level2"].startswith("1") and out[2]["level2"].startswith("2")  # within the stated 一级
    assert 0 < out[0]["level2_proba"] <= 1 and isinstance(out[0]["level2_proba"], float)
    assert out[3]["level2"] is None and out[3]["name_kind_proba"] is None
    assert "level2" not in rows[0]  # the input rows are not changed


def test_names_command_on_a_csv_column(tmp_path: Path) -> None:
    source = tmp_path / "names.csv"
    source.write_text("id,name,level1\n7,办公设备采购数量,\n8,工作开展情况,效益指标\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(app, ["names", "--in", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert list(table.columns) == ["id", "name", "level1", *classify.NAME_FIELDS]
    assert table["name_kind"].tolist() == ["count", "qualitative"]
    assert table.loc[1, "level2"].startswith("2")
    assert "2 rows (0 unreadable, 0 without a name)" in result.stderr


def test_names_command_keeps_a_bad_jsonl_line_with_a_flag() -> None:
    lines = '{"id": 1, "name": "会议召开次数"}\nnot json\n'
    result = CliRunner().invoke(app, ["names"], input=lines)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0]["level2"] == "11-数量指标" and rows[0]["name_kind"] == "count"
    assert rows[1]["flags"] == "unreadable_row" and rows[1]["raw"] == "not json"
    assert "stdin: line 2: not valid JSON" in result.stderr


def test_names_command_missing_input_is_one_error_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["names", "--in", str(tmp_path / "nope.csv")])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {tmp_path / 'nope.csv'} not found"


def test_names_command_without_a_name_column_is_one_error_line(tmp_path: Path) -> None:
    source = tmp_path / "values.csv"
    source.write_text("id,value\n1,95%\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["names", "--in", str(source)])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {source}: no `name` column (the names to classify)"


@pytest.mark.parametrize("task", ["level2", "name_kind"])
def test_training_is_deterministic(training: pd.DataFrame, task: str) -> None:
    names = [n for n, _ in UNSEEN_LEVEL2 + UNSEEN_NAME_KIND]
    rows = training[training[task] != ""]
    fits = [classify.fit_task(rows["name"], rows[task], classify.ESTIMATOR[task]) for _ in range(2)]
    assert np.array_equal(fits[0].predict_proba(names), fits[1].predict_proba(names))


def test_train_command_writes_small_fresh_models(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["train", "--models", str(tmp_path)])
    assert result.exit_code == 0, result.output
    meta = json.loads((tmp_path / METADATA).read_text(encoding="utf-8"))
    assert meta["training_data"]["sha256"] == file_sha256(DEFAULT_DATA)
    assert all((tmp_path / f).stat().st_size < 1_000_000 for f in ("level2.skops", "name_kind.skops"))


def test_a_plain_labeled_file_trains_and_evaluates(tmp_path: Path, training: pd.DataFrame) -> None:
    plain = tmp_path / "names.csv"
    training[["name", "level2", "name_kind", "source"]].to_csv(plain, index=False)
    frame = load_training_data(plain)
    assert frame["document"].iloc[0] == "examples/documents/000_e4e529e5a252bb3b.txt"  # from `source`
    assert set(frame["dataset"]) == {"all"}
    result = CliRunner().invoke(app, ["train", "--data", str(plain), "--models", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert "grouped 5-fold accuracy" in result.output


def test_extra_rows_are_their_own_dataset_in_the_grouped_figures(tmp_path: Path) -> None:
    extra = pd.DataFrame(
        {
            "name": ["游客满意度", "会议召开次数", "档案整理合格率"],
            "level2": ["31-服务对象满意度", "11-数量指标", ""],
            "name_kind": ["rate", "count", "rate"],
            "source": ["out/corrections.csv:2", "out/corrections.csv:3", "out/corrections.csv:4"],
        }
    )
    meta = classify.train(DEFAULT_DATA, tmp_path, extra=extra)
    assert "corrections" in meta["models"]["level2"]["grouped_cv"]["by_dataset"]
    kinds = int((load_training_data()["name_kind"] != "").sum())
    assert meta["models"]["name_kind"]["grouped_cv"]["rows"] == kinds + 3  # names no base row has


def test_train_into_a_path_that_is_a_file_is_one_error_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("", encoding="utf-8")
    result = CliRunner().invoke(app, ["train", "--models", str(blocker)])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and str(blocker) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
