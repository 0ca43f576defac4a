"""`jixiao report OUT_DIR` on the real `jixiao normalize` output of the bundled examples."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from matplotlib import font_manager
from typer.testing import CliRunner

from nlp.cli import app
from nlp.plotting import use_cjk_font
from nlp.report import SECTIONS

DOCUMENTS = Path(__file__).resolve().parent.parent / "examples" / "documents"


@pytest.fixture(scope="module")
def report_html(tmp_path_factory) -> str:
    """Normalize the examples with the CLI, then write the report from that folder."""
    out = tmp_path_factory.mktemp("out")
    runner = CliRunner()
    normalized = runner.invoke(app, ["normalize", str(DOCUMENTS), "--out", str(out)])
    assert normalized.exit_code == 0, normalized.output
    reported = runner.invoke(app, ["report", str(out)])
    assert reported.exit_code == 0, reported.output
    return (out / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("title", list(SECTIONS.values()), ids=list(SECTIONS))
def test_report_has_section(report_html, title):
    assert f">{title}</h2>" in report_html


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("绩效指标质量报告", id="title"),
        pytest.param("保障区人代会审议事项顺利开展", id="seed-002-score-mismatch"),
        pytest.param("广州市天河区人民代表大会常务委员会办公室", id="seed-001-department"),
        pytest.param("待单位补充", id="seed-000-placeholder-in-worst-table"),
        pytest.param("占位文字", id="flag-explanation-zh"),
    ],
)
def test_report_has_chinese_text(report_html, text):
    assert text in report_html


def test_report_embeds_png_charts(report_html):
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', report_html)
    assert len(images) >= 2  # departments ranking and kinds by 二级指标


def test_report_is_self_contained(report_html):
    assert not re.search(r'(src|href)="(https?:|file:|/)', report_html)


def test_report_on_missing_folder_exits_with_message(tmp_path):
    result = CliRunner().invoke(app, ["report", str(tmp_path / "nothing")])
    assert result.exit_code == 1
    assert "jixiao normalize" in result.output


def test_cjk_font_is_the_bundled_one():
    family = use_cjk_font()
    path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    assert Path(path).name == "NotoSansCJK-Regular.ttc"
