"""A normal (non-editable) install ships the trained models, so classification is never silently skipped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_install_loads_the_models(tmp_path: Path) -> None:
    wheels, target = tmp_path / "wheels", tmp_path / "site"
    pip = [sys.executable, "-m", "pip"]
    subprocess.run([*pip, "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)], check=True, cwd=tmp_path)
    wheel = next(wheels.glob("jixiao-*.whl"))
    install = [*pip, "install", "-q", "--no-deps", "--target", str(target), str(wheel)]
    subprocess.run(install, check=True, cwd=tmp_path)
    probe = "import nlp.classify as c; c.load_models(); print(c.DEFAULT_MODELS.resolve())"
    env = {k: v for k, v in os.environ.items() if k not in ("JIXIAO_MODELS", "PYTHONPATH")}
    env["PYTHONPATH"] = str(target)
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, cwd=tmp_path, env=env, capture_output=True, text=True
    ).stdout.splitlines()
    assert Path(out[0]).is_relative_to(target.resolve())  # the installed package's models, not the checkout
