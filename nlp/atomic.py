"""Outputs that are never half-written: a staging folder or file next to the target, moved in when complete.

`atomic_output_dir(out)` yields a hidden staging folder inside `out`; writers put their files there and,
only when the block ends without an exception, each file is moved over its namesake in `out`
(`report.json` last, so a reader that sees it sees the tables it describes). An exception, a
signal turned into SystemExit, or SIGKILL before the move leaves `out` as it was; leftovers of a
killed run are removed by the next one. `atomic_file(path)` does the same for one file. `output_lock(out)`
refuses a second run into the same folder while the first is alive (the lock file names its PID).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

STAGING_PREFIX = ".jixiao-tmp-"
LOCK_NAME = ".jixiao.lock"
LAST = "report.json"  # moved into place after every other file
_DEFERRED = {signal.SIGINT, signal.SIGTERM}


class OutputError(Exception):
    """An output path that cannot be used (empty, a file, unwritable, locked); the message is one line."""


def check_out_dir(out: str | Path) -> Path:
    """The --out folder, created if needed and checked writable before any work is done."""
    if not str(out).strip():
        raise OutputError("--out is empty: give a folder for the tables")
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path} is a file, not a folder: give a folder for the tables")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as err:
        raise OutputError(f"cannot write the tables to {path}: {err.strerror or err}") from err
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user holds it
        return True
    return True


def _lock_owner(lock: Path) -> int | None:
    try:
        return int(lock.read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return None


@contextlib.contextmanager
def output_lock(out: Path) -> Iterator[Path]:
    """Hold `out/.jixiao.lock` (containing this PID) for the block; refuse if a live run holds it."""
    lock = out / LOCK_NAME
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            break
        except FileExistsError:
            pid = _lock_owner(lock)
            if pid is not None and pid != os.getpid() and _alive(pid):
                raise OutputError(
                    f"{out} is being written by another jixiao run (pid {pid}, lock file {lock}); "
                    "wait for it or give another --out"
                ) from None
            lock.unlink(missing_ok=True)  # left by a run that was killed
        except OSError as err:
            raise OutputError(f"cannot write the tables to {out}: {err.strerror or err}") from err
    else:
        raise OutputError(f"{out}: cannot take the lock file {lock}")
    with os.fdopen(fd, "w", encoding="ascii") as stream:
        stream.write(f"{os.getpid()}\n")
    try:
        yield lock
    finally:
        if _lock_owner(lock) == os.getpid():
            lock.unlink(missing_ok=True)


def _remove_leftovers(out: Path) -> None:
    """Staging folders of earlier runs that were killed (their PID is gone)."""
    for old in out.glob(f"{STAGING_PREFIX}*"):
        pid = old.name[len(STAGING_PREFIX) :].split("-")[0]
        if not (pid.isdigit() and _alive(int(pid))):
            shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """SIGINT/SIGTERM wait until the block is done (the move into place is never cut in two)."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _DEFERRED)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _commit(staging: Path, out: Path, stale: Iterable[str]) -> None:
    names = sorted(p.name for p in staging.iterdir())
    blocked = [name for name in names if (out / name).is_dir()]
    if blocked:  # checked before anything moves: a folder of the user's is never replaced
        raise OutputError(f"cannot write {out / blocked[0]}: a folder of that name is in the way")
    with _signals_deferred():
        if LAST in names:
            (out / LAST).unlink(missing_ok=True)  # the old report must not describe a mix
        for name in stale:
            if name not in names and (out / name).is_file():
                (out / name).unlink()
        for name in sorted(names, key=lambda n: n == LAST):
            os.replace(staging / name, out / name)


@contextlib.contextmanager
def atomic_output_dir(out: str | Path, stale: Iterable[str] = ()) -> Iterator[Path]:
    """Yield a staging folder; on success move its files into `out`, removing `stale` names not rewritten.

    On any exception (or SystemExit from a signal) the staging folder is deleted and `out` is untouched.
    """
    out = check_out_dir(out)
    _remove_leftovers(out)
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=out))
    try:
        yield staging
        _commit(staging, out, stale)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextlib.contextmanager
def atomic_file(path: str | Path, encoding: str = "utf-8", newline: str | None = "") -> Iterator[IO[str]]:
    """Yield a text stream to a temporary file next to `path`; replace `path` with it only on success."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline=newline) as stream:
            yield stream
        with _signals_deferred():
            os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
