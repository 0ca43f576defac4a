"""Project-name keys: prefix, years, places set aside; abbreviations folded; boilerplate weighted."""

from __future__ import annotations

import pytest

from nlp.names import normalize_name

ZC = "广州市增城区人民代表大会常务委员会办公室"
TH = "广州市天河区人民代表大会常务委员会办公室"
GZ = "广州市人民政府办公厅"
GWJ = "广州地区公文交换站（广州市人民政府公报编辑部）"

# (id, name, department, unit, expected key, expected year, expected place)
SEED_NAMES = [
    ("zc-wrapped-2024", ZC[:13] + "\n" + ZC[13:] + "2024年预算联\n网监督系统运维项目", ZC, ZC,
     "预算联网监督系统运维项目", 2024, "增城"),
    ("zc-2025-sanji", ZC + "2025年三级联络站视频互联互通运维项目", ZC, ZC,
     "三级联络站视频互联互通运维项目", 2025, "增城"),
    ("th-place-and-body", "广州市天河区人大预算联网监督系统运维服务", TH, TH,
     "预算联网监督系统运维服务", None, "天河"),
    ("th-23n", "区人大常委会机关日常办公经费（23n）", TH, TH,
     "人大常委会机关日常办公经费", 2023, ""),
    ("th-range-bracket", TH + "政务云资源租赁项目（2023-2024）", TH, TH,
     "政务云资源租赁项目", 2023, "天河"),
    ("th-office-prefix-no-dept", "广州市天河区人大常委会办公室2023年天河人大公众号升级项目", "", "",
     "人大公众号升级项目", 2023, "天河"),
    ("gz-range-niandu", GZ + "2025-2026年度信息化整体运维服务项目", GZ, GZ,
     "信息化整体运维服务项目", 2025, "广州"),
    ("gz-unit-bracket-halfwidth",
     "广州地区公文交换站(广州市人民政府公报编辑部)2026-2027年度信息化运维服务", GZ, GWJ,
     "信息化运维服务", 2026, "广州"),
    ("generic-pattern-no-columns", "广州市人民政府办公厅2025年度政务信息化建设项目", "", "",
     "政务信息化建设项目", 2025, "广州"),
    ("place-mid-name", "全国各地人大来天河调研考察专项经费", TH, TH,
     "全国各地人大来调研考察专项经费", None, "天河"),
    ("abbrev-renda", "人代会会议经费", ZC, ZC,
     "人大会议会议经费", None, ""),
    ("abbrev-long-form", "区人民代表大会常务委员会机关日常办公经费", "", "",
     "人大常委会机关日常办公经费", None, ""),
    ("abbrev-platform-order", "广州市天河区人大智慧云平台服务（23n）", TH, TH,
     "智慧人大云平台服务", 2023, "天河"),
    ("plain-name-kept", "政府雇员公用经费", "广州市白云区人民政府办公室", "",
     "政府雇员公用经费", None, ""),
    ("district-government", "白云区人民政府机关大院物业管理", "", "",
     "机关大院物业管理", None, "白云"),
    ("realdata-county", "大英县2020年双心及文明城市创建专项资金", "", "",
     "双心及文明城市创建专项资金", 2020, "大英"),
    ("only-prefix-and-year", ZC + "2024年", ZC, ZC,
     "广州市增城区人大常委会办公室2024年", 2024, "增城"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "department", "unit", "key", "year", "place"),
    [c[1:] for c in SEED_NAMES],
    ids=[c[0] for c in SEED_NAMES],
)
def test_key_year_place(
    name: str, department: str, unit: str, key: str, year: int | None, place: str
) -> None:
    got = normalize_name(name, department, unit)
    assert (got.key, got.year, got.place) == (key, year, place)
    assert got.original == name


# (id, name, expected generic)
GENERIC = [
    ("zhuanxiang-gongzuo", "专项工作经费", True),
    ("gouzhi", "购置经费", True),
    ("gongzuo", "工作经费", True),
    ("qita-yunxing", "其他运行经费", True),
    ("bianwai", "编外人员聘用经费", False),
    ("yujian-lianwang", "2025年预算联网监督系统运维项目", False),
    ("gugyuan-gongzi", "政府雇员工资费用", False),
]


@pytest.mark.parametrize(("name", "generic"), [c[1:] for c in GENERIC], ids=[c[0] for c in GENERIC])
def test_generic(name: str, generic: bool) -> None:
    assert normalize_name(name).generic is generic


# (id, name, a removed part that must be recorded)
REMOVED = [
    ("prefix", ZC + "2024年智慧人大云平台运维项目", "prefix:广州市增城区人大常委会办公室"),
    ("year", ZC + "2024年智慧人大云平台运维项目", "year:2024年"),
    ("year-range", GZ + "2026-2027年度信息化运维服务项目", "year:2026-2027年度"),
    ("short-year", "区人大常委会机关日常办公经费（23n）", "year:(23n)"),
    ("place", "广州市天河区人大预算联网监督系统运维服务", "place:天河区"),
]


@pytest.mark.parametrize(("name", "part"), [c[1:] for c in REMOVED], ids=[c[0] for c in REMOVED])
def test_removed_parts_recorded(name: str, part: str) -> None:
    assert part in normalize_name(name, ZC if "增城" in name else "", "").removed


# boilerplate is down-weighted, never deleted
@pytest.mark.parametrize("word", ["项目", "经费", "服务"])
def test_boilerplate_kept_with_low_weight(word: str) -> None:
    key = normalize_name(f"预算联网监督系统运维{word}")
    weights = dict(zip(key.tokens, key.weights, strict=True))
    assert key.key.endswith(word)
    assert weights[word] < 0.5
    assert weights["预算联网监督"] == 1.0
