"""Text for a terminal: what came from files, made safe to print, and numbers as the CLI prints them.

A FIT file's strings (sport, device names), a file name inside an archive or a
folder, an import's detail: any of them may hold control characters. Printed
raw, an escape sequence can retitle or clear the terminal, rewrite a line that
was printed before, or a newline can split one result into two lines.
:func:`printable` shows every such character as a visible escape instead.
:func:`fmt_duration`, :func:`fmt_km` and :func:`fmt_num` write numbers as the
command line's tables do (a missing value as ``-``).
"""

from __future__ import annotations

import re
from pathlib import Path

from trainlog.errors import InvalidValue

#: Unicode bidirectional controls: they reorder how the rest of a line is shown
#: (a name ending in ``\u202e`` can make ``run.fit`` read ``tif.nur``).
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
#: Line and paragraph separators: some terminals and viewers break lines on them.
LINE_SEPARATORS = "\u2028\u2029"
_UNSAFE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{BIDI_CONTROLS}{LINE_SEPARATORS}]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object) -> str:
    """``text`` with C0/C1 control characters, DEL, bidi controls and line separators escaped.

    They become ``\\xNN`` (below U+0100) or ``\\uNNNN``; everything else, letters
    of any script included, is kept. ``None`` becomes ``""``.

    >>> printable("run\\x1b]0;pwned\\x07.fit")
    'run\\\\x1b]0;pwned\\\\x07.fit'
    >>> printable("Col de la Forclaz\\n2")
    'Col de la Forclaz\\\\x0a2'
    """
    if text is None:
        return ""
    return _UNSAFE.sub(_escape, str(text))


def quoted(value: object, limit: int = 40) -> str:
    """A value a person gave, for an error message: ``repr`` (quoted, control characters
    escaped), cut to ``limit`` characters.

    >>> quoted("garbage")
    "'garbage'"
    """
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def fmt_duration(seconds: float | None) -> str:
    """Seconds as ``h:mm:ss`` (``"59:12:03"`` for a 59-hour race); ``None``: ``""``."""
    if seconds is None:
        return ""
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def fmt_km(metres: float | None) -> str:
    """Metres as kilometres with one decimal (``"12.3"``); ``None``: ``"-"``."""
    return f"{metres / 1000:.1f}" if metres is not None else "-"


def fmt_num(value: float | None, fmt: str = ".0f") -> str:
    """``value`` in the format spec ``fmt`` (``".0f"``: ``"1235"``); ``None``: ``"-"``."""
    return format(value, fmt) if value is not None else "-"


def read_text_file(path: Path, what: str, max_bytes: int) -> str:
    """The UTF-8 text (a BOM dropped) of a file a person gave (``what``: "plan file"), at most ``max_bytes``;
    InvalidValue naming the file in one line when it is too big, unreadable or not UTF-8."""
    try:
        if path.stat().st_size > max_bytes:
            raise InvalidValue(f"{path}: a {what} is at most {max_bytes:,} bytes")
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidValue(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidValue(f"{path}: the {what} is not UTF-8 text (save it as CSV UTF-8)") from None
