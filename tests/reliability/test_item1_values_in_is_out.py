"""Item 1, no self-destruction: `jixiao values --in F --out F` must not read its own output back."""

from __future__ import annotations

import contextlib
import json
import subprocess

from conftest import jixiao_argv

ROWS = [{"id": i, "name": "验收合格率", "value": f"≥{90 + i % 10}%"} for i in range(300)]


def test_values_in_and_out_the_same_file_is_normalized_once(tmp_path):
    path = tmp_path / "values.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), encoding="utf-8")
    try:  # the old code appended to the file it was reading, forever: stop it at 120 s or 50 MB
        proc = subprocess.Popen(jixiao_argv("values", "--in", path, "--out", path), stderr=subprocess.PIPE)
        for _ in range(1200):
            if proc.poll() is not None or path.stat().st_size > 50_000_000:
                break
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=0.1)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    assert proc.returncode == 0, proc.stderr.read().decode()
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [r["id"] for r in ROWS]
    assert [r["value"] for r in rows] == [r["value"] for r in ROWS]
    assert {r["kind"] for r in rows} == {"threshold"}
