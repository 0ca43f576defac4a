"""Helpers of the reliability suite: the real CLI in a subprocess, and snapshots of an output folder."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "examples" / "documents"
TIMEOUT = 300  # seconds; generous, the machine may be loaded


def jixiao_argv(*args: str) -> list[str]:
    """The real command line, `python -m nlp.cli ARGS`."""
    return [sys.executable, "-m", "nlp.cli", *map(str, args)]


def run_cli(*args: str, timeout: float = TIMEOUT, **kwargs) -> subprocess.CompletedProcess:
    """Run `python -m nlp.cli ARGS` to the end; stdout and stderr as text."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run(
        jixiao_argv(*args), capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env, **kwargs
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every visible file of `folder` (recursively) with its bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    }


def wait_for(condition: Callable[[], bool], proc: subprocess.Popen, timeout: float = TIMEOUT) -> bool:
    """Poll `condition` until it holds (True) or the process ends or the time is up (False)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        if proc.poll() is not None:
            return condition()
        time.sleep(0.002)
    return False


@pytest.fixture(scope="session")
def previous_output(tmp_path_factory) -> Path:
    """A finished `jixiao normalize` of the seeds: the output a user already has."""
    out = tmp_path_factory.mktemp("previous") / "out"
    done = run_cli("normalize", SEEDS, "--out", out, "--quiet")
    assert done.returncode == 0, done.stderr
    return out
