"""Records that travel between the pipeline stages; TAXONOMY.md is their contract.

Every record keeps where it came from (file and line) and the raw text it was read from,
so that nothing the reader could not understand is silently lost.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("rate", "count", "threshold", "qualitative", "unspecified")
OPS = ("=", ">=", ">", "<=", "<", "between")
NAME_KINDS = ("rate", "count", "qualitative")  # what a name asks for: the labels of the name_kind model

LEVEL1 = ("1-产出指标", "2-效益指标", "3-满意度指标", "4-成本指标")
LEVEL2 = (
    "11-数量指标",
    "12-质量指标",
    "13-时效指标",
    "14-成本指标",
    "21-经济效益",
    "22-社会效益",
    "23-生态效益",
    "24-可持续影响",
    "31-服务对象满意度",
    "41-经济成本指标",
    "42-社会成本指标",
    "43-生态环境成本指标",
)


@dataclass(frozen=True)
class Problem:
    """Something the reader noticed: a file, a line (1-based, None for the whole file) and what."""

    file: str
    line: int | None
    what: str
    severity: str = "warning"  # "warning" (data kept, flagged) or "error" (file not read)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.what}"


@dataclass(frozen=True)
class Value:
    """One indicator value normalized onto TAXONOMY.md section 3; `raw` is the text as found."""

    raw: str
    kind: str
    op: str | None = None
    number: float | None = None
    number_max: float | None = None
    unit: str | None = None
    unit_source: str | None = None
    flags: tuple[str, ...] = ()
    direction: str | None = None  # 正向/反向 from a separate 指标方向性 column; never changes `op`
    text: str = ""  # the folded text that was parsed (nlp.textnorm.fold of raw)


@dataclass(frozen=True)
class Indicator:
    """One 三级指标 row as the document states it (values still raw strings); built once by its reader."""

    doc: str
    project_id: str
    seq: int
    name: str
    level1: str = ""
    level2: str = ""
    period_value: str | None = None
    annual_value: str | None = None
    actual_value: str | None = None
    weight: float | None = None
    score: float | None = None
    raw: str = ""
    line: int | None = None
    flags: tuple[str, ...] = ()
    # separate columns of other provinces' tables (nlp/documents/table/), as found
    op: str | None = None  # 指标性质 (≥ ≤ ＝, 定量/定性)
    unit: str | None = None  # 计量单位 / 度量单位
    direction: str | None = None  # 正向/反向 (指标方向性)
    level1_raw: str = ""  # the level cells as the document writes them (level1/level2 hold codes)
    level2_raw: str = ""
    sheet: str = ""  # structured files (nlp/documents/grid): the sheet, table or page of the row
    cell: str = ""  # and its cell: Sheet1!C12, or page:line for PDF


@dataclass(frozen=True)
class Project:
    """One project row of a performance table, or the project of a self-evaluation; built once by a reader."""

    doc: str
    project_id: str
    project: str
    department: str = ""
    district: str = ""
    unit: str = ""
    year: int | None = None
    total: float | None = None
    fiscal: float | None = None
    special_account: float | None = None
    other: float | None = None
    executed: float | None = None  # self-evaluations: 年度预算执行数
    execution_rate: float | None = None  # self-evaluations: 预算执行率 (%)
    total_score: float | None = None  # self-evaluations: 总分
    goal: str = ""
    raw: str = ""
    line: int | None = None
    flags: tuple[str, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    sheet: str = ""  # structured files: the sheet, table or page of the 项目名称 (or of the table)
    cell: str = ""  # and its cell


@dataclass(frozen=True)
class UnitTotal:
    """A subtotal row (资金使用单位) or the document's 合计 (unit == "")."""

    unit: str
    total: float | None
    fiscal: float | None
    line: int | None = None


@dataclass(frozen=True)
class Document:
    """A whole document as read: its projects, its subtotals and the problems found.

    Documents, projects and indicators are frozen: a reader builds each once, and a later stage that
    derives something (amount checks, a new document id, the original spelling) makes a new record
    with `dataclasses.replace`, so no stage sees a record another stage has changed under it.
    """

    path: str
    doc: str
    layout: str
    department: str = ""
    district: str = ""
    year: int | None = None
    projects: tuple[Project, ...] = ()
    subtotals: tuple[UnitTotal, ...] = ()
    problems: tuple[Problem, ...] = ()
    source: str = ""  # the `source:` URL line of an excerpt, when the file has one
