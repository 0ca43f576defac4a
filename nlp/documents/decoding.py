"""Bytes of a document → text as users have them: UTF-8 (BOM or not), UTF-16, GBK/GB18030, Big5, mixtures.

Lines that are valid UTF-8 are read as UTF-8 even when others are not (a file pasted together from
two sources); the other lines are read in the legacy encoding the detector (charset-normalizer, limited
to GB18030 and Big5) finds for them, and bytes nothing can read are replaced by U+FFFD. Whatever was
not plain UTF-8 is named in a note with its first line, so the reader can report it: no line is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

CONTROL_LIMIT = 0.02  # share of control characters above which decoded text is called binary
LEGACY = ("gb18030", "big5")  # mainland GBK (read as its superset GB18030), Taiwan/Hong Kong Big5
_UTF8_SEQ = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_MOSTLY_UTF8 = 0.8  # share of a line's non-ASCII bytes in valid UTF-8 sequences: a UTF-8 line with a bad byte
_UTF8_LINES = 0.2  # share of non-ASCII lines valid in UTF-8 from which a file is read line by line as UTF-8


@dataclass(frozen=True)
class Decoded:
    """The text (None for binary data), what was done ("" for clean UTF-8) and the first line concerned."""

    text: str | None
    note: str = ""
    line: int | None = None


def _legacy_encoding(data: bytes) -> str | None:
    """GB18030 or Big5 for bytes that are not UTF-8 (the detector decides when both would decode)."""
    fits = []
    for encoding in LEGACY:
        try:
            data.decode(encoding)
            fits.append(encoding)
        except UnicodeDecodeError:
            pass
    if len(fits) == 2:  # Big5 only where it reads better (less mess, then more coherent); ties are GB18030
        found = {m.encoding: (m.chaos, -m.coherence) for m in from_bytes(data, cp_isolation=list(LEGACY))}
        big5, gb = found.get("big5"), found.get("gb18030")
        return "big5" if big5 is not None and (gb is None or big5 < gb) else "gb18030"
    return fits[0] if fits else None


def _utf8_share(line: bytes) -> float:
    high = sum(1 for b in line if b >= 0x80)
    return sum(map(len, _UTF8_SEQ.findall(line))) / high if high else 1.0


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _by_line(data: bytes) -> Decoded | None:
    """A file that is UTF-8 except for some lines (a bad byte, pasted GBK); None if it is not UTF-8 at all."""
    lines = data.split(b"\n")
    high = [i for i, line in enumerate(lines) if any(b >= 0x80 for b in line)]
    good = {i for i in high if _is_utf8(lines[i])}
    if not good or len(good) < _UTF8_LINES * len(high):
        return None
    bad = [i for i in high if i not in good]
    damaged = [i for i in bad if _utf8_share(lines[i]) >= _MOSTLY_UTF8]
    pasted = [i for i in bad if i not in set(damaged)]
    legacy = _legacy_encoding(b"\n".join(lines[i] for i in pasted)) if pasted else None
    if legacy is None:
        damaged, pasted = bad, []
    out = [line.decode("utf-8", errors="replace") for line in lines]
    for i in pasted:
        out[i] = lines[i].decode(legacy or "utf-8", errors="replace")  # pasted is empty without a legacy
    notes = []
    if pasted:
        notes.append(f"{_lines(pasted)} not UTF-8, read as {legacy}")
    if damaged:
        notes.append(f"{_lines(damaged)}: bytes that are not UTF-8 replaced by U+FFFD")
    return Decoded("\n".join(out).removeprefix("\ufeff"), "; ".join(notes), min(bad) + 1)


def _lines(indexes: list[int]) -> str:
    shown = ", ".join(str(i + 1) for i in indexes[:5]) + (" …" if len(indexes) > 5 else "")
    return f"line {shown}" if len(indexes) == 1 else f"{len(indexes)} lines ({shown})"


def decode_bytes(data: bytes) -> Decoded:
    """Decode document bytes (see the module docstring); text None for binary data."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" export is UTF-16
        try:
            return Decoded(data.decode("utf-16"), "decoded as utf-16")
        except UnicodeDecodeError:
            return Decoded(None)
    try:
        return Decoded(data.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        if err.start >= len(data) - 3:  # cut inside the last character: a truncated UTF-8 file
            text = data.decode("utf-8-sig", errors="ignore")
            return Decoded(text, "file ends inside a character (truncated?)", len(text.splitlines()))
    if b"\x00" in data:
        return Decoded(None)
    decoded = _by_line(data)
    if decoded is None:
        encoding = _legacy_encoding(data)
        if encoding is not None:
            decoded = Decoded(data.decode(encoding), f"decoded as {encoding}")
        else:
            best = from_bytes(data).best()
            if best is None:
                return Decoded(None)
            decoded = Decoded(str(best), f"decoded as {best.encoding}")
    text = decoded.text or ""
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    return Decoded(None) if control > CONTROL_LIMIT * max(1, len(text)) else decoded
