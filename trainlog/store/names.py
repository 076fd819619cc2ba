"""Athlete names: the rule a name must follow to be a folder of the store (and a dashboard user).

A name is NFKC-normalised (fullwidth "ｍａｒａ" is "mara") and then must be 1-64
letters of one script (with their combining marks), digits, '-', '_' or '.',
starting with a letter or digit. :func:`check_athlete` applies the rule and
returns the name as stored; :func:`is_athlete_name` tells a stored name.
"""

from __future__ import annotations

import unicodedata

from trainlog.errors import StoreError

#: The longest athlete name, in characters (and at most 255 bytes of UTF-8: a file name).
ATHLETE_NAME_MAX = 64
#: Scripts that are written together (Japanese mixes kanji and kana): one script for the mixing rule.
_SCRIPT_GROUPS = {"CJK": "CJK", "HIRAGANA": "CJK", "KATAKANA": "CJK", "HANGUL": "CJK", "BOPOMOFO": "CJK",
                  "IDEOGRAPHIC": "CJK", "KATAKANA-HIRAGANA": "CJK",  # 々 in 佐々木, ー in ユーリ
                  "ARABIC-INDIC": "ARABIC", "EXTENDED": "ARABIC"}


def _name_problem(name: str) -> str | None:
    """Why an NFKC-normalised name breaks the athlete name rule, or None (see :func:`check_athlete`)."""
    if not 1 <= len(name) <= ATHLETE_NAME_MAX or len(name.encode("utf-8", "surrogatepass")) > 255:
        return f"use 1-{ATHLETE_NAME_MAX} letters, digits, '-', '_' or '.', starting with a letter or digit"
    scripts = set()
    for i, ch in enumerate(name):
        category = unicodedata.category(ch)
        if category[0] in "LN" and ch.isalnum():
            if not "0" <= ch <= "9" and category != "Lm":  # modifier letters (ʻ, ー, 々) belong to no one script
                word = unicodedata.name(ch, "UNKNOWN").split()[0]
                scripts.add(_SCRIPT_GROUPS.get(word, word))
        elif i == 0 or not (ch in "-_." or category[0] == "M"):  # marks: Indic vowel signs, accents left combining
            return f"use 1-{ATHLETE_NAME_MAX} letters, digits, '-', '_' or '.', starting with a letter or digit"
    if len(scripts) > 1:
        return f"it mixes scripts ({', '.join(sorted(s.title() for s in scripts))}); use letters of one script"
    return None


def is_athlete_name(name: str) -> bool:
    """True for a valid stored (already normalised) athlete name; :func:`check_athlete` states the rule."""
    return isinstance(name, str) and unicodedata.is_normalized("NFKC", name) and _name_problem(name) is None


def check_athlete(name: str) -> str:
    """The athlete (or user) name as stored: NFKC-normalised and checked; else raise StoreError.

    The rule: after NFKC normalisation (fullwidth "ｍａｒａ" is "mara"), 1-64
    letters (any script, with their combining marks), digits, '-', '_' or '.',
    starting with a letter or digit, no control characters or spaces, and
    letters of one script only (Latin "mara" and "mаra" with a Cyrillic "а"
    are not two athletes: the second is refused; kanji and kana count as one).
    Callers must use the returned name.
    """
    if not isinstance(name, str):
        raise StoreError(f"invalid athlete name {name!r}: not text")
    norm = unicodedata.normalize("NFKC", name)
    problem = _name_problem(norm)
    if problem:
        raise StoreError(f"invalid athlete name {name!r}: {problem}")
    return norm
