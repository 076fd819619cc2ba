"""trainlog.text: text from files made safe for a terminal, and numbers as the CLI's tables write them."""

from __future__ import annotations

import pytest

from trainlog.text import fmt_duration, fmt_km, fmt_num, printable, quoted


@pytest.mark.parametrize(
    ("text", "shown"),
    [("run\x1b]0;pwned\x07.fit", "run\\x1b]0;pwned\\x07.fit"), ("a\nb\rc\td", "a\\x0ab\\x0dc\\x09d"),
     ("\x7f\x85\x9f", "\\x7f\\x85\\x9f"), ("nur.fit\u202e", "nur.fit\\u202e"), ("a\u2028b\u2029", "a\\u2028b\\u2029"),
     ("Col de la Forclaz – Öl, 山, Ελλάδα", "Col de la Forclaz – Öl, 山, Ελλάδα"), (None, ""), (42, "42")],
)
def test_printable(text, shown):
    assert printable(text) == shown


def test_quoted_is_repr_cut_to_the_limit():
    assert quoted("garbage") == "'garbage'"
    assert quoted("x" * 100) == "'" + "x" * 39 + "..."
    assert quoted("a\x1b[2J", limit=100) == "'a\\x1b[2J'"
    assert quoted(None) == "None"


def test_fmt_duration():
    assert fmt_duration(0) == "0:00:00"
    assert fmt_duration(59.6) == "0:01:00"
    assert fmt_duration(3599.4) == "0:59:59"
    assert fmt_duration(59 * 3600 + 12 * 60 + 3) == "59:12:03"
    assert fmt_duration(None) == ""


def test_fmt_km_and_fmt_num():
    assert fmt_km(12345.0) == "12.3" and fmt_km(0.0) == "0.0" and fmt_km(None) == "-"
    assert fmt_num(1234.5) == "1234" and fmt_num(1235.5) == "1236"  # round half to even, as format does
    assert fmt_num(-6.16, "+.1f") == "-6.2" and fmt_num(3, "d") == "3" and fmt_num(None, ".2f") == "-"
