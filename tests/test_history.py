"""Thresholds that change over time (trainlog.settings.history) and the AthleteSettings methods over them
(with_change, in_force, periods, to_dict/from_dict and the settings file); one-line SettingsErrors for bad dated
changes; and ``trainlog athlete set --from/--remove-change`` with ``athlete show --json``."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from trainlog import Store
from trainlog.analysis.stored import save_settings_of, settings_of
from trainlog.cli import cli
from trainlog.errors import SettingsError
from trainlog.settings import AthleteSettings
from trainlog.settings import history as h
from trainlog.settings.file import load_settings, save_settings
from trainlog.settings.history import DATED_FIELDS, ThresholdChange

JAN, MAR, APR = dt.date(2026, 1, 1), dt.date(2026, 3, 1), dt.date(2026, 4, 1)


def test_the_dated_fields():
    assert DATED_FIELDS == ("hr_max_bpm", "hr_rest_bpm", "lthr_bpm", "threshold_pace_s_per_km", "ftp_w", "weight_kg")
    assert h.MAX_CHANGES == 520


def test_with_change_and_in_force():
    plain = AthleteSettings(hr_max_bpm=185.0, lthr_bpm=160.0, ftp_w=240.0)
    assert plain.thresholds == () and plain.in_force(MAR) is plain
    s = plain.with_change(MAR, {"lthr_bpm": 170.0}).with_change(JAN, {"ftp_w": 250.0, "weight_kg": 61.5})
    assert plain.thresholds == ()  # a new settings object: the old one is unchanged
    assert [c.from_date for c in s.thresholds] == [JAN, MAR]  # sorted by date, whatever the order of the edits
    assert s.thresholds[1] == ThresholdChange(MAR, lthr_bpm=170.0)
    # the plain values hold before the first change; each change from its own day on (the day included)
    before = s.in_force(dt.date(2025, 12, 31))
    assert (before.lthr_bpm, before.ftp_w, before.weight_kg, before.thresholds) == (160.0, 240.0, None, ())
    on_jan = s.in_force(JAN)
    assert (on_jan.lthr_bpm, on_jan.ftp_w, on_jan.weight_kg) == (160.0, 250.0, 61.5)
    assert s.in_force(dt.date(2026, 2, 28)).lthr_bpm == 160.0
    on_mar = s.in_force(MAR)
    assert (on_mar.lthr_bpm, on_mar.ftp_w, on_mar.weight_kg, on_mar.hr_max_bpm) == (170.0, 250.0, 61.5, 185.0)
    assert s.in_force(dt.date(2030, 1, 1)).resolve().lthr_bpm == 170.0
    # the plain values are kept as they were (athlete show lists them as "before the first change")
    assert (s.lthr_bpm, s.ftp_w) == (160.0, 240.0)


def test_a_second_change_on_a_day_merges_into_it_and_none_removes_a_value():
    s = AthleteSettings().with_change(MAR, {"lthr_bpm": 170.0})
    s = s.with_change(MAR, {"hr_max_bpm": 195.0})
    assert s.thresholds == (ThresholdChange(MAR, hr_max_bpm=195.0, lthr_bpm=170.0),)
    s = s.with_change(MAR, {"lthr_bpm": 172.0, "hr_max_bpm": None})
    assert s.thresholds == (ThresholdChange(MAR, lthr_bpm=172.0),)
    # the last value removed: the change goes
    assert s.with_change(MAR, {"lthr_bpm": None}).thresholds == ()
    with pytest.raises(SettingsError, match="sex cannot change over time"):
        s.with_change(MAR, {"sex": "female"})


def test_an_hr_max_change_moves_a_defaulted_threshold_with_it():
    # lthr not set: 0.88 x hr_max, in force on each day; 0.88 x 190 = 167.2 before, 0.88 x 200 = 176 after
    s = AthleteSettings().with_change(MAR, {"hr_max_bpm": 200.0})
    assert s.in_force(dt.date(2026, 2, 1)).resolve().lthr_bpm == pytest.approx(167.2)
    assert s.in_force(MAR).resolve().lthr_bpm == pytest.approx(176.0)


def test_periods():
    s = AthleteSettings(lthr_bpm=160.0).with_change(MAR, {"lthr_bpm": 170.0}).with_change(APR, {"hr_rest_bpm": 50.0})
    periods = s.periods()
    assert [day for day, _ in periods] == [None, MAR, APR]
    assert [(p.lthr_bpm, p.hr_rest_bpm) for _, p in periods] == [(160.0, None), (170.0, None), (170.0, 50.0)]
    assert all(p.thresholds == () for _, p in periods)
    assert AthleteSettings().periods() == [(None, AthleteSettings())]


def test_to_dict_and_from_dict_round_trip():
    s = AthleteSettings(lthr_bpm=165.0).with_change(JAN, {"lthr_bpm": 170.0}).with_change(
        MAR, {"threshold_pace_s_per_km": 260.0, "ftp_w": 250.0})
    data = s.to_dict()
    assert data["thresholds"] == [{"from": "2026-01-01", "lthr_bpm": 170.0},
                                  {"from": "2026-03-01", "threshold_pace_s_per_km": 260.0, "ftp_w": 250.0}]
    assert AthleteSettings.from_dict(json.loads(json.dumps(data))) == s
    # as a person writes it in the settings file
    written = AthleteSettings.from_dict({"thresholds": [{"from": "2026-01-01", "lthr_bpm": 170}]})
    assert written.thresholds == (ThresholdChange(JAN, lthr_bpm=170.0),)
    assert written.in_force(JAN).resolve().lthr_bpm == 170.0
    # a settings file from before dated changes has none
    assert AthleteSettings.from_dict({"lthr_bpm": 165.0}).thresholds == ()
    assert AthleteSettings().to_dict()["thresholds"] == []


def test_the_settings_file_keeps_the_changes(tmp_path):
    s = AthleteSettings(hr_max_bpm=186.0).with_change(MAR, {"lthr_bpm": 170.0, "weight_kg": 60.0})
    path = tmp_path / "settings.json"
    save_settings(path, s)
    assert load_settings(path) == s
    assert json.loads(path.read_text())["thresholds"] == [{"from": "2026-03-01", "lthr_bpm": 170.0, "weight_kg": 60.0}]


@pytest.mark.parametrize(
    ("thresholds", "message"),
    [
        ([{"from": "2026-01-01", "sex": "female"}],
         "invalid settings: a threshold change cannot set 'sex' (only hr_max_bpm, hr_rest_bpm, lthr_bpm, "
         "threshold_pace_s_per_km, ftp_w, weight_kg)"),
        ([{"from": "2026-01-01", "lthr_bpm": 170, "wingspan": 2}], "cannot set 'wingspan'"),
        ([{"from": "2026-13-01", "lthr_bpm": 170}],
         "invalid settings: threshold change date '2026-13-01' is not a date (YYYY-MM-DD)"),
        ([{"from": "1 March", "lthr_bpm": 170}], "is not a date"),
        ([{"from": 20260101, "lthr_bpm": 170}], "threshold change date '20260101' is not a date"),
        ([{"lthr_bpm": 170}], "threshold change date 'None' is not a date"),
        ([{"from": "1960-01-01", "lthr_bpm": 170}], "threshold change date 1960-01-01 is outside the supported range"),
        ([{"from": "2026-01-01", "lthr_bpm": 170}, {"from": "2026-01-01", "hr_max_bpm": 195}],
         "invalid settings: two threshold changes on one date; merge them"),
        ([{"from": "2026-01-01"}], "the threshold change of 2026-01-01 changes nothing"),
        ([{"from": "2026-01-01", "lthr_bpm": None}], "the threshold change of 2026-01-01 changes nothing"),
        ([{"from": "2026-01-01", "lthr_bpm": 200}],
         "heart rates must satisfy rest < threshold <= max, got rest 60, threshold 200, max 190 bpm from 2026-01-01"),
        ([{"from": "2026-01-01", "lthr_bpm": 170}, {"from": "2026-02-01", "hr_max_bpm": 165}],
         "got rest 60, threshold 170, max 165 bpm from 2026-02-01"),
        ([{"from": "2026-03-01", "lthr_bpm": 120}, {"from": "2026-04-01", "hr_rest_bpm": 120}],
         "got rest 120, threshold 120, max 190 bpm from 2026-04-01"),
        ([{"from": "2026-01-01", "lthr_bpm": 500}], "lthr_bpm 500 is out of range 80..240 bpm"),
        ([{"from": "2026-01-01", "lthr_bpm": "170"}], "lthr_bpm '170' is not a number"),
        ([{"from": "2026-01-01", "lthr_bpm": True}], "lthr_bpm True is not a number"),
        ([{"from": "2026-01-01", "ftp_w": -5}], "ftp_w -5 is out of range"),
        (["2026-01-01"], "invalid settings: a threshold change '2026-01-01' is not a JSON object"),
        ("2026-01-01", "invalid settings: thresholds '2026-01-01' is not a list of up to 520 dated changes"),
        ({"from": "2026-01-01", "lthr_bpm": 170}, "is not a list of up to 520 dated changes"),
        ([{"from": (dt.date(2026, 1, 1) + dt.timedelta(days=k)).isoformat(), "weight_kg": 60} for k in range(521)],
         "is not a list of up to 520 dated changes"),
    ],
)
def test_bad_dated_changes_are_one_line_settings_errors(thresholds, message):
    with pytest.raises(SettingsError) as err:
        AthleteSettings.from_dict({"thresholds": thresholds})
    assert message in str(err.value) and "\n" not in str(err.value), str(err.value)


def test_a_change_that_breaks_the_plain_values_names_its_date():
    # plain lthr 160 is fine with hr_max 190; from 2026-03-01 hr_max 150 is below it
    with pytest.raises(SettingsError, match=r"threshold 160, max 150 bpm from 2026-03-01$"):
        AthleteSettings(lthr_bpm=160.0).with_change(MAR, {"hr_max_bpm": 150.0})
    # the plain values themselves are named without a date
    with pytest.raises(SettingsError) as err:
        AthleteSettings(lthr_bpm=195.0, thresholds=(ThresholdChange(MAR, lthr_bpm=170.0),))
    assert str(err.value).endswith("threshold 195, max 190 bpm")


def test_520_changes_are_kept():
    changes = [{"from": (dt.date(2016, 1, 4) + dt.timedelta(weeks=k)).isoformat(), "weight_kg": 60 + k % 5}
               for k in range(520)]
    assert len(AthleteSettings.from_dict({"thresholds": changes}).thresholds) == 520


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ThresholdChange(dt.datetime(2026, 3, 1, 8), lthr_bpm=170.0), "is not a date"),
        (lambda: ThresholdChange("2026-03-01", lthr_bpm=170.0), "is not a date"),
        (lambda: ThresholdChange(dt.date(2101, 1, 1), lthr_bpm=170.0), "is outside 1970-01-01 to 2100-12-31"),
        (lambda: ThresholdChange(MAR), "the threshold change of 2026-03-01 changes nothing"),
        (lambda: ThresholdChange(MAR, threshold_pace_s_per_km=30.0), "threshold_pace_s_per_km 30 is out of range"),
        (lambda: ThresholdChange.from_dict(None), "a threshold change None is not a JSON object"),
    ],
)
def test_a_bad_change_built_in_code(make, message):
    with pytest.raises(SettingsError) as err:
        make()
    assert message in str(err.value) and "\n" not in str(err.value), str(err.value)


def test_the_helpers():
    changes = h.changes_of([{"from": "2026-03-01", "lthr_bpm": 170, "ftp_w": 250}, ThresholdChange(JAN, ftp_w=240.0)])
    assert [c.from_date for c in changes] == [JAN, MAR]
    assert changes[1].values() == {"lthr_bpm": 170, "ftp_w": 250}
    assert changes[1].to_dict() == {"from": "2026-03-01", "lthr_bpm": 170, "ftp_w": 250}
    # cleared: a value set for all time drops out of every change; a change left empty goes
    assert h.cleared(changes, {"ftp_w"}) == (ThresholdChange(MAR, lthr_bpm=170),)
    assert h.cleared(changes, {"weight_kg"}) == changes
    # without: the change of one day
    assert h.without(changes, JAN) == (changes[1],)
    with pytest.raises(SettingsError, match=r"^no threshold change on 2026-02-01 \(changes: 2026-01-01, 2026-03-01\)$"):
        h.without(changes, dt.date(2026, 2, 1))
    with pytest.raises(SettingsError, match=r"\(changes: none\)"):
        h.without((), JAN)
    # in_force: the base with every change up to and including the day applied in order
    base = dict.fromkeys(DATED_FIELDS) | {"lthr_bpm": 160.0}
    assert h.in_force(base, changes, dt.date(2025, 12, 31)) == base
    assert h.in_force(base, changes, JAN) == base | {"ftp_w": 240.0}
    assert h.in_force(base, changes, MAR) == base | {"ftp_w": 250, "lthr_bpm": 170}
    with pytest.raises(SettingsError, match="wingspan cannot change over time"):
        h.merged(changes, MAR, {"wingspan": 2.0})


# ---- trainlog athlete set --from, --remove-change; athlete show --json


def run(data, *args):
    return CliRunner().invoke(cli, ["athlete", *map(str, args), "-a", "mara", "--data-dir", str(data)])


def shown(data) -> dict:
    res = run(data, "show", "--json")
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def test_athlete_set_from_and_show_json(tmp_path):
    data = tmp_path / "data"
    assert run(data, "set", "--hr-max", "185", "--lthr", "160").exit_code == 0
    res = run(data, "set", "--lthr", "170", "--from", "2026-03-01")
    assert res.exit_code == 0, res.output
    assert "    from 2026-03-01: lthr_bpm 170" in res.output.splitlines()
    doc = shown(data)
    assert doc["thresholds"] == [{"from": "2026-03-01", "lthr_bpm": 170}] and doc["lthr_bpm"] == 160
    # more values from the same day merge into its change; another day is another change
    assert run(data, "set", "--threshold-pace", "4:20", "--ftp", "250", "--from", "2026-03-01").exit_code == 0
    assert run(data, "set", "--hr-rest", "50", "--weight", "61.5", "--from", "2026-04-01").exit_code == 0
    assert shown(data)["thresholds"] == [
        {"from": "2026-03-01", "lthr_bpm": 170, "threshold_pace_s_per_km": 260, "ftp_w": 250},
        {"from": "2026-04-01", "hr_rest_bpm": 50, "weight_kg": 61.5}]
    settings = settings_of(Store(data), "mara")
    assert settings.in_force(dt.date(2026, 4, 2)).resolve().hr_rest_bpm == 50.0
    assert settings.in_force(dt.date(2026, 2, 28)).resolve().lthr_bpm == 160.0
    # --remove-change drops that day's change
    res = run(data, "set", "--remove-change", "2026-04-01")
    assert res.exit_code == 0, res.output
    assert [c["from"] for c in shown(data)["thresholds"]] == ["2026-03-01"]
    # a value set without --from holds for every day: its dated changes go, the others stay
    assert run(data, "set", "--lthr", "165").exit_code == 0
    doc = shown(data)
    assert doc["lthr_bpm"] == 165 and doc["thresholds"] == [
        {"from": "2026-03-01", "threshold_pace_s_per_km": 260, "ftp_w": 250}]
    assert run(data, "set", "--ftp", "240", "--threshold-pace", "4:30").exit_code == 0
    assert shown(data)["thresholds"] == []  # the change left empty is dropped
    text = run(data, "show").output
    assert "dated changes" not in text


def test_from_without_a_dated_value_is_a_usage_error_and_keeps_the_file(tmp_path):
    data = tmp_path / "data"
    run(data, "set", "--lthr", "170", "--from", "2026-03-01")
    before = Store(data).settings_path("mara").read_bytes()
    for args in (["--from", "2026-03-01"], ["--from", "2026-03-01", "--sex", "female"],
                 ["--from", "2026-03-01", "--start-ctl", "50"]):
        res = run(data, "set", *args)
        assert res.exit_code == 2 and "--from needs a value that may change over time" in res.output, res.output
        assert "Traceback" not in res.output
    assert Store(data).settings_path("mara").read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lthr", "170", "--from", "2026-13-01"], "Error: --from '2026-13-01' is not a date (YYYY-MM-DD)"),
        (["--lthr", "200", "--from", "2026-05-01"],
         "Error: heart rates must satisfy rest < threshold <= max, got rest 60, threshold 200, max 190 bpm "
         "from 2026-05-01"),
        (["--hr-max", "150", "--from", "2026-05-01"], "threshold 170, max 150 bpm from 2026-05-01"),
        (["--remove-change", "2026-05-01"], "Error: no threshold change on 2026-05-01 (changes: 2026-03-01)"),
        (["--remove-change", "May"], "--remove-change 'May' is not a date"),
    ],
)
def test_bad_dated_settings_on_the_command_line_are_one_line(tmp_path, args, message):
    data = tmp_path / "data"
    run(data, "set", "--lthr", "170", "--from", "2026-03-01")
    before = Store(data).settings_path("mara").read_bytes()
    res = run(data, "set", *args)
    assert res.exit_code == 1 and message in res.output, res.output
    assert len(res.output.strip().splitlines()) == 1 and "Traceback" not in res.output
    assert Store(data).settings_path("mara").read_bytes() == before


def test_reset_of_a_dated_value_clears_its_changes_too(tmp_path):
    store = Store(tmp_path / "data")
    save_settings_of(store, "mara", AthleteSettings(lthr_bpm=160.0).with_change(
        dt.date(2026, 1, 10), {"lthr_bpm": 170.0, "ftp_w": 250.0}))
    res = CliRunner().invoke(cli, ["athlete", "set", "-a", "mara", "--data-dir", str(tmp_path / "data"),
                                   "--reset", "lthr_bpm"])
    assert res.exit_code == 0, res.output
    after = settings_of(store, "mara")
    assert after.lthr_bpm is None and after.thresholds == (ThresholdChange(dt.date(2026, 1, 10), ftp_w=250.0),)
