"""A wheel ships the review page's templates, script and style (pyproject package-data), not only the code."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE_FILES = sorted(
    p.relative_to(ROOT).as_posix()
    for folder in ("templates", "static")
    for p in (ROOT / "nlp/review" / folder).iterdir()
)


def test_wheel_ships_the_review_page(tmp_path: Path) -> None:
    assert len(PAGE_FILES) >= 7  # 5 templates, a script and a stylesheet
    source = tmp_path / "src"  # a clean copy: no build/ left over from an earlier wheel
    shutil.copytree(ROOT / "nlp", source / "nlp", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path)]
    subprocess.run([*pip, str(source)], check=True, cwd=tmp_path)
    wheel = next(tmp_path.glob("jixiao-*.whl"))
    shipped = set(zipfile.ZipFile(wheel).namelist())
    assert [f for f in PAGE_FILES if f not in shipped] == []
