"""Athlete names (trainlog.store.names): NFKC-normalised, one script, a safe folder name."""

from __future__ import annotations

import pytest

from trainlog.errors import StoreError
from trainlog.store.names import ATHLETE_NAME_MAX, check_athlete, is_athlete_name


@pytest.mark.parametrize("name", ["佐々木", "ユーリ", "ʻOla", "Зоя", "mara-2.b_c"])
def test_names_of_one_script_with_their_modifier_letters_are_athlete_names(name):
    assert check_athlete(name) == name and is_athlete_name(name)


def test_a_name_is_stored_nfkc_normalised():
    assert check_athlete("ｍａｒａ") == "mara"
    assert not is_athlete_name("ｍａｒａ")  # a stored name is already normalised
    assert is_athlete_name("mara")


@pytest.mark.parametrize("name", ["", ".mara", "-mara", "_mara", "ma ra", "ma/ra", "..", "ma\u0000ra", "ma\nra",
                                  "a" * (ATHLETE_NAME_MAX + 1)])
def test_names_that_are_not_a_safe_folder_are_refused(name):
    with pytest.raises(StoreError, match="invalid athlete name .*use 1-64 letters, digits"):
        check_athlete(name)
    assert not is_athlete_name(name)


def test_the_longest_name_is_accepted_and_one_more_letter_is_not():
    assert check_athlete("a" * ATHLETE_NAME_MAX) == "a" * ATHLETE_NAME_MAX
    assert not is_athlete_name("a" * (ATHLETE_NAME_MAX + 1))


def test_a_name_of_more_than_255_bytes_is_refused_though_short_in_letters():
    assert check_athlete("𝒶" * ATHLETE_NAME_MAX) == "a" * ATHLETE_NAME_MAX  # NFKC first: 64 bytes
    wide = "𐐀" * ATHLETE_NAME_MAX  # Deseret letters stay 4 bytes each in UTF-8: 256 bytes in all
    with pytest.raises(StoreError, match="use 1-64"):
        check_athlete(wide)


def test_mixed_scripts_are_refused_and_named():
    with pytest.raises(StoreError, match=r"it mixes scripts \(Cyrillic, Latin\); use letters of one script"):
        check_athlete("m\u0430ra")  # a Cyrillic "а"
    assert not is_athlete_name("m\u0430ra")


def test_digits_and_combining_marks_belong_to_no_script():
    assert is_athlete_name("зоя2")
    assert is_athlete_name("हिंदी")  # Devanagari vowel signs are marks
    assert check_athlete("e\u0301te") == "\u00e9te"  # a combining accent is composed onto its letter


def test_something_that_is_not_text_is_refused():
    with pytest.raises(StoreError, match="not text"):
        check_athlete(42)
    assert not is_athlete_name(None)
