"""The HTML quality report: one self-contained page (inline PNG charts, HTML tables) from an output folder.

`write_report(out_dir)` reads the tables `jixiao normalize` wrote (projects, indicators, and quality
and links when present; Parquet preferred, CSV otherwise), runs the stages whose columns are
missing (`nlp.pipeline.complete_tables`), and writes `out_dir/report.html`.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path

import pandas as pd

from nlp.achievement_tables import SUMMARY_COLUMNS, missed_and_mismatched
from nlp.atomic import atomic_file
from nlp.linking import no_links
from nlp.outputs import TableError, read_table
from nlp.pipeline import Tables, complete_tables
from nlp.plotting import KIND_COLORS, figure_to_png_base64, new_figure, use_cjk_font
from nlp.quality import target_values
from nlp.quality_rules import flag_table, is_penalty, split_flags

log = logging.getLogger(__name__)

SECTIONS = {
    "departments": "部门质量排名 Departments ranked by score",
    "worst": "问题最多的指标 Worst indicators and their flags",
    "kinds": "各二级指标的值类型 Value kinds by 二级指标",
    "families": "跨年度项目族 Linked families across years",
    "selfeval": "未完成的目标与对不上的得分 Targets missed and scores that do not add up",
    "flags": "标记说明 Flag glossary",
}
KIND_ORDER = tuple(KIND_COLORS)
WORST_LIMIT = 40


def _read(out_dir: Path, name: str, check: bool = False) -> pd.DataFrame | None:
    """The table `name` of out_dir (Parquet preferred, else CSV, all text), or None if it has neither.

    With `check`, a table without the columns `name` needs (nlp.outputs.REQUIRED_COLUMNS) is refused.
    """
    path = next((p for p in (out_dir / f"{name}.parquet", out_dir / f"{name}.csv") if p.is_file()), None)
    return None if path is None else read_table(path, name if check else None, dtype=str)


def load_tables(out_dir: str | Path) -> Tables:
    """Read an output folder of `jixiao normalize`; run the stages whose columns are missing."""
    out = Path(out_dir)
    projects, indicators = _read(out, "projects", check=True), _read(out, "indicators", check=True)
    if projects is None or indicators is None:
        raise FileNotFoundError(
            f"{out}: no projects/indicators tables (.parquet or .csv); "
            f"run `jixiao normalize PATH --out {out}` first"
        )
    if projects.empty:  # header only: no department to rank, nothing to chart
        raise TableError(f"{out}: the projects table has no rows; nothing to report")
    quality, links = _read(out, "quality"), _read(out, "links")
    if quality is None or "quality_score" not in projects.columns:
        return complete_tables(projects, indicators, links)
    return Tables(projects, indicators, quality, no_links() if links is None else links)


def _table_html(frame: pd.DataFrame) -> str:
    frame = frame.astype(object).where(frame.notna(), "")
    return frame.to_html(index=False, escape=True, border=0, classes="t", na_rep="")


def _img(fig) -> str:
    return f'<img alt="chart" src="data:image/png;base64,{figure_to_png_base64(fig)}">'


def _departments(t: Tables) -> str:
    dept = t.quality[t.quality["scope"] == "department"].copy()
    dept["quality_score"] = dept["quality_score"].astype(float)
    dept = dept.sort_values("quality_score", ascending=False)
    columns = ["department", "n_projects", "n_indicators", "share_quantitative", "share_with_unit"]
    columns += ["n_levels", "share_flagged", "quality_score"]
    fig, ax = new_figure(8, 0.5 + 0.45 * max(len(dept), 1))
    ax.barh(dept["department"].astype(str)[::-1], dept["quality_score"][::-1], color="#4a7ab0")
    ax.set_xlim(0, 100)
    ax.set_xlabel("质量得分 (0–100)")
    ax.set_title("各部门绩效指标质量得分")
    return _img(fig) + _table_html(dept[[c for c in columns if c in dept.columns]])


def _worst(t: Tables) -> str:
    ind = t.indicators.copy()
    ind["_flags"] = ind["flags"].map(split_flags)
    ind["n_flags"] = ind["_flags"].map(lambda fs: sum(is_penalty(f) for f in fs))
    worst = ind[ind["n_flags"] > 0].sort_values("n_flags", ascending=False, kind="stable").head(WORST_LIMIT)
    names = t.projects.set_index("project_id")["project"].to_dict() if "project" in t.projects else {}
    worst["project"] = worst["project_id"].map(names).fillna(worst.get("project", ""))
    columns = ["project", "level1", "level2", "name", "period_value", "annual_value", "flags", "n_flags"]
    total = int((ind["n_flags"] > 0).sum())
    intro = f"<p>{total} / {len(ind)} 个指标至少有一个问题标记；下表列出标记最多的 {len(worst)} 个。</p>"
    return intro + _table_html(worst[[c for c in columns if c in worst.columns]])


def _kinds(t: Tables) -> str:
    ind = t.indicators
    level2 = ind.get("level2", pd.Series("", index=ind.index)).fillna("").astype(str)
    if "level2_predicted" in ind.columns:
        level2 = level2.where(level2 != "", ind["level2_predicted"].fillna("").astype(str) + "（预测）")
    level2 = level2.replace("", "（无二级指标）")
    kinds = target_values(ind)["kind"].replace("", "unspecified")
    mix = pd.crosstab(level2, kinds).reindex(columns=[k for k in KIND_ORDER if k in set(kinds)], fill_value=0)
    fig, ax = new_figure(9, 0.6 + 0.4 * max(len(mix), 1))
    mix.plot.barh(stacked=True, ax=ax, color=[KIND_COLORS[k] for k in mix.columns])
    ax.legend(title="类型", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_xlabel("指标数")
    ax.set_ylabel("二级指标")
    ax.set_title("各二级指标的目标值类型（年度指标值，缺失时用实施周期指标值）")
    return _img(fig) + _table_html(mix.reset_index().rename(columns={"index": "level2"}))


def _families(t: Tables) -> str:
    p = t.projects
    if "family_id" not in p.columns:
        return (
            "<p>没有项目族信息：链接阶段（family_id）尚未运行。No family_id column: linking has not run.</p>"
        )
    p = p.assign(family_id=p["family_id"].astype(str))
    sizes = p.groupby("family_id")["project_id"].transform("count")
    multi = p[sizes > 1]
    columns = [
        c for c in ("family_id", "year", "doc", "department", "project", "total", "quality_score") if c in p
    ]
    out = f"<p>{multi['family_id'].nunique()} 个项目族包含多个项目（跨年度或跨区）。</p>"
    out += _table_html(multi.sort_values([c for c in ("family_id", "year", "doc") if c in p])[columns])
    if len(t.links):
        out += "<h3>链接证据 Link evidence</h3>" + _table_html(t.links.head(100))
    return out


def _selfeval(t: Tables) -> str:
    """Per department: targets met and missed, stated vs recomputed 总分; then the ranked indicators."""
    q = t.quality
    if "targets_compared" not in q.columns:
        return "<p>没有自评表指标。No self-evaluation indicators.</p>"
    numbers = q[list(SUMMARY_COLUMNS)].apply(pd.to_numeric, errors="coerce")
    seen = numbers["targets_compared"].notna() | numbers["targets_not_comparable"].notna()
    dept = pd.concat([q[["scope", "department"]], numbers], axis=1)[seen & (q["scope"] == "department")]
    dept = dept.sort_values(["targets_missed", "score_mismatches"], ascending=False, kind="stable")
    ranked = missed_and_mismatched(t.projects, t.indicators)
    intro = (
        f"<p>{int(seen[q['scope'] == 'project'].sum())} 个自评项目；{len(ranked)} 个指标未完成目标或得分与"
        "按规则（财预〔2020〕10号）重算的得分不符，按得分差（自评得分 − 重算得分）排序。</p>"
    )
    return intro + _table_html(dept.drop(columns="scope")) + _table_html(ranked)


def _glossary() -> str:
    return _table_html(flag_table())


_STYLE = """body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em;max-width:1200px}
table.t{border-collapse:collapse;font-size:13px;margin:1em 0}table.t td,table.t th{border:1px solid #ccc;
padding:3px 6px;text-align:left;vertical-align:top}img{max-width:100%}h2{border-bottom:2px solid #4a7ab0}"""


def render_report(tables: Tables) -> str:
    """The report page as an HTML string."""
    use_cjk_font()
    parts = {
        "departments": _departments(tables),
        "worst": _worst(tables),
        "kinds": _kinds(tables),
        "families": _families(tables),
        "selfeval": _selfeval(tables),
        "flags": _glossary(),
    }
    body = "".join(f'<h2 id="{key}">{html.escape(SECTIONS[key])}</h2>\n{parts[key]}\n' for key in SECTIONS)
    head = (
        f"<p>{len(tables.projects)} 个项目，{len(tables.indicators)} 个绩效指标。"
        "得分 = 40·定量占比 + 20·有单位占比 + 20·一级指标覆盖/4 + 20·(1 − 有问题指标占比)。</p>"
    )
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>绩效指标质量报告</title><style>{_STYLE}</style></head><body>"
        f"<h1>绩效指标质量报告 Indicator quality report</h1>{head}{body}</body></html>"
    )


def write_report(out_dir: str | Path) -> Path:
    """Write OUT_DIR/report.html from the tables in OUT_DIR and return its path."""
    out = Path(out_dir)
    path = out / "report.html"
    page = render_report(load_tables(out))
    with atomic_file(path, encoding="utf-8") as stream:  # a killed run leaves the previous page
        stream.write(page)
    log.info("wrote %s", path)
    return path
