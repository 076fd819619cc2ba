"""trainlog.words: the values users see in --json and the dataset stay the same strings."""

from __future__ import annotations

import json

import polars as pl
import pytest

from trainlog.words import DEFAULT_ATHLETE, OUTCOMES, AscentFlag, Level, Outcome


def test_the_words_users_see():
    assert DEFAULT_ATHLETE == "default"
    assert [o.value for o in Outcome] == ["imported", "duplicate", "skipped", "failed"]
    assert OUTCOMES == ("imported", "duplicate", "skipped", "failed")  # the order reports list them
    assert all(type(o) is str for o in OUTCOMES)
    assert [v.value for v in Level] == ["ok", "warn", "flag"]
    assert [f.value for f in AscentFlag] == ["too_fast", "device_disagrees"]


@pytest.mark.parametrize("member", [*Outcome, *Level, *AscentFlag], ids=str)
def test_a_member_is_its_string(member):
    assert member == member.value and isinstance(member, str)
    assert str(member) == f"{member}" == member.value  # not "Outcome.IMPORTED"
    assert type(member)(member.value) is member  # read back from a stored or typed string


def test_members_serialise_as_strings_in_json():
    doc = {"counts": {Outcome.IMPORTED: 2}, "outcome": Outcome.SKIPPED, "band": Level.WARN,
           "flags": [AscentFlag.TOO_FAST, AscentFlag.DEVICE_DISAGREES]}
    text = json.dumps(doc)
    assert text == ('{"counts": {"imported": 2}, "outcome": "skipped", "band": "warn", '
                    '"flags": ["too_fast", "device_disagrees"]}')
    assert json.loads(text)["outcome"] == Outcome.SKIPPED


def test_members_are_strings_in_polars():
    frame = pl.DataFrame({"outcome": [Outcome.IMPORTED, Outcome.FAILED], "band": [Level.OK, None]},
                         schema={"outcome": pl.String, "band": pl.String})
    assert frame["outcome"].to_list() == ["imported", "failed"]
    assert frame["band"].to_list() == ["ok", None]
    assert pl.select(pl.lit(AscentFlag.TOO_FAST)).to_series().dtype == pl.String
    # a member matches the stored string in a filter
    stored = pl.DataFrame({"outcome": ["imported", "skipped", "imported"]})
    assert stored.filter(pl.col("outcome") == Outcome.IMPORTED).height == 2
    # a series built from members without a dtype is a Polars Enum of the values; cast, it is the strings
    inferred = pl.Series([Outcome.DUPLICATE, Outcome.SKIPPED])
    assert inferred.cast(pl.String).to_list() == ["duplicate", "skipped"]


def test_members_survive_parquet_as_strings(tmp_path):
    path = tmp_path / "files.parquet"
    pl.DataFrame({"outcome": list(Outcome)}, schema={"outcome": pl.String}).write_parquet(path)
    back = pl.read_parquet(path)
    assert back.schema == pl.Schema({"outcome": pl.String})
    assert back["outcome"].to_list() == list(OUTCOMES)
