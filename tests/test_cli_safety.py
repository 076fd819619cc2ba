"""The command line as a careful user meets it (issue #10, item 9): text from files never
drives the terminal, athlete names follow one rule, read-only commands create nothing,
and typed dates are one line when wrong. Every command runs in a subprocess.
"""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from builders import ROOT, SAMPLE_FIT, tree

from trainlog.ingest.fit.framing import FIT_EPOCH_UNIX_S, fit_crc
from trainlog.text import printable

SAMPLES = sorted((SAMPLE_FIT / "mara").glob("*.fit"))
SPORT = "\x1b]0;pwned\x07"  # an OSC sequence: retitles the terminal when printed raw
SUB_SPORT = "\x1b[2J\u202e"  # clear screen, then a right-to-left override
PRODUCT = "\x1b[31mred"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # newline and tab aside


def cli(*args, data: Path | None = None, env: dict | None = None):
    extra = ["--data-dir", str(data)] if data is not None else []
    return subprocess.run(
        [sys.executable, "-m", "trainlog", *map(str, args), *extra],
        capture_output=True, text=True, cwd=ROOT, timeout=300, env={**os.environ, **(env or {})},
    )


def hostile_fit(sport: str, sub_sport: str, product: str, start_unix: int = 1_767_225_600, n: int = 30) -> bytes:
    """A valid FIT activity whose session sport/sub-sport and device name are strings (FIT base
    type 7) holding escape sequences, as a hostile or broken exporter can write them."""

    def definition(local: int, mesg: int, fields: list[tuple[int, int, int]]) -> bytes:
        head = struct.pack("<BBHB", 0, 0, mesg, len(fields))
        return bytes([0x40 | local]) + head + b"".join(struct.pack("BBB", *f) for f in fields)

    t0 = start_unix - FIT_EPOCH_UNIX_S
    sport_b, sub_b, prod_b = (s.encode() + b"\0" for s in (sport, sub_sport, product))
    msgs = [
        definition(0, 0, [(0, 1, 0x00), (4, 4, 0x86), (1, 2, 0x84)]),  # file_id: type, time_created, manufacturer
        bytes([0]) + struct.pack("<BIH", 4, t0, 255),
        definition(1, 23, [(0, 1, 0x02), (27, len(prod_b), 0x07)]),  # device_info: device_index, product_name
        bytes([1, 0]) + prod_b,
        definition(2, 20, [(253, 4, 0x86), (3, 1, 0x02), (5, 4, 0x86)]),  # record: timestamp, heart_rate, distance
        *(bytes([2]) + struct.pack("<IBI", t0 + i, 120 + i % 10, i * 300) for i in range(n)),
        definition(3, 18, [(253, 4, 0x86), (2, 4, 0x86), (7, 4, 0x86), (9, 4, 0x86), (5, len(sport_b), 0x07),
                           (6, len(sub_b), 0x07)]),  # session, sport and sub_sport as strings
        bytes([3]) + struct.pack("<IIII", t0 + n, t0, n * 1000, (n - 1) * 300) + sport_b + sub_b,
    ]
    data = b"".join(msgs)
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(data), b".FIT")
    body = header + struct.pack("<H", fit_crc(header)) + data
    return body + struct.pack("<H", fit_crc(body))


def one_error_line(res) -> str:
    assert res.returncode != 0 and "Traceback" not in res.stderr, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    return lines[0]


def test_printable_escapes_controls_and_keeps_letters():
    assert printable("run\x1b]0;x\x07\n\t\x7f\x9b\u202e.fit") == "run\\x1b]0;x\\x07\\x0a\\x09\\x7f\\x9b\\u202e.fit"
    assert printable("Zoë 中文 Ελλάδα \\x") == "Zoë 中文 Ελλάδα \\x"
    assert printable(None) == ""


def test_strings_from_a_fit_file_and_its_name_never_reach_the_terminal_raw(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    name = "evil\x1b]0;owned\x07\nimported   fake.fit"  # escapes and a newline that would forge a result line
    (inbox / name).write_bytes(hostile_fit(SPORT, SUB_SPORT, PRODUCT))
    (inbox / "good.fit").write_bytes(SAMPLES[0].read_bytes())
    data = tmp_path / "data"

    res = cli("import", inbox, "-a", "mara", "--workers", "1", data=data)
    assert res.returncode == 0, res.stderr
    out = res.stdout + res.stderr
    assert not CONTROL.search(out), repr(out)
    lines = res.stdout.strip().splitlines()
    assert len(lines) == 3  # two files, one line each, and the counts
    evil = next(line for line in lines if "evil" in line)
    assert evil == f"imported  {inbox}/evil\\x1b]0;owned\\x07\\x0aimported   fake.fit: \\x1b]0;pwned\\x07, 0.1 km"

    res = cli("activities", "-a", "mara", data=data)
    assert res.returncode == 0 and not CONTROL.search(res.stdout + res.stderr), repr(res.stdout)
    assert "\\x1b]0;pwned\\x07/\\x1b[2J\\u202e"[:18] in res.stdout  # the sport column, cut to its width

    rows = json.loads(cli("activities", "-a", "mara", "--json", data=data).stdout)  # JSON stays JSON, unescaped
    hostile = next(r for r in rows if r["sport"] != "running")
    assert hostile["sport"] == SPORT and hostile["sub_sport"] == SUB_SPORT and hostile["source_file"].endswith(name)

    res = cli("import", inbox / name, "-a", "mara", "--json", data=data)
    assert json.loads(res.stdout)["files"][0]["file"] == str(inbox / name)
    res = cli("summary", "-a", "mara", "--today", "2026-01-02", data=data)
    assert res.returncode == 0 and not CONTROL.search(res.stdout + res.stderr)


def test_athlete_names_follow_one_rule(tmp_path):
    data = tmp_path / "data"
    res = cli("import", SAMPLES[1], "-a", "ｍａｒａ", "--workers", "1", data=data)  # fullwidth: stored as "mara"
    assert res.returncode == 0, res.stderr
    assert "(athlete mara," in res.stdout
    assert tree(data / "athletes") and os.listdir(data / "athletes") == ["mara"]
    assert len(json.loads(cli("activities", "-a", "mara", "--json", data=data).stdout)) == 1
    assert len(json.loads(cli("activities", "-a", "ｍａｒａ", "--json", data=data).stdout)) == 1

    before = tree(data)
    for bad, why in [
        ("m\u0430ra", "mixes scripts (Cyrillic, Latin)"),  # a Cyrillic "а": a look-alike of mara
        ("mara\nx", "use 1-64 letters"),
        ("mara\x1b[2J", "use 1-64 letters"),
        ("_mara", "use 1-64 letters"),
        ("../mara", "use 1-64 letters"),
        ("a" * 65, "use 1-64 letters"),
    ]:
        for command in (["import", SAMPLES[2]], ["activities"], ["summary"], ["athlete", "show"],
                        ["athlete", "set", "--hr-max", "180"]):
            line = one_error_line(cli(*command, "-a", bad, data=data))
            assert "invalid athlete name" in line and why in line, line
            assert not CONTROL.search(line)
    line = one_error_line(cli("users", "add", "m\u0430ra", "--role", "coach", "--password-stdin", data=data))
    assert "mixes scripts" in line
    assert tree(data) == before
    # other scripts are fine on their own
    res = cli("import", SAMPLES[3], "-a", "Зоя", "--workers", "1", data=data)
    assert res.returncode == 0 and sorted(os.listdir(data / "athletes")) == ["mara", "Зоя"]


@pytest.mark.parametrize(
    "command",
    [["activities", "-a", "nobody"], ["activities", "-a", "nobody", "--json"], ["summary", "-a", "nobody"],
     ["athlete", "show", "-a", "nobody"], ["plan", "show", "-a", "nobody"], ["plan", "export", "-a", "nobody"],
     ["plan", "generate", "-a", "nobody"]],
)
def test_read_only_commands_for_an_unknown_athlete_create_nothing(tmp_path, command):
    data = tmp_path / "data"
    res = cli(*command, data=data)  # no data directory at all
    line = one_error_line(res)
    assert "'nobody'" in line and str(data) in line
    assert not data.exists()
    assert cli("import", SAMPLES[4], "-a", "mara", "--workers", "1", data=data).returncode == 0
    before = tree(data)
    one_error_line(cli(*command, data=data))  # a data directory with another athlete
    assert tree(data) == before


def test_users_list_on_an_empty_data_dir_creates_nothing(tmp_path):
    data = tmp_path / "data"
    res = cli("users", "list", data=data)
    assert res.returncode == 0 and res.stdout.strip() == f"no users in {data}; add one with: trainlog users add NAME --role coach"
    assert not data.exists()


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "garbage", "2026-02-30", "2026-3-1", "\x1b[2J"])
def test_bad_dates_on_the_command_line_are_one_line(tmp_path, value):
    data = tmp_path / "data"
    assert cli("import", SAMPLES[5], "-a", "mara", "--workers", "1", data=data).returncode == 0
    before = tree(data)
    line = one_error_line(cli("summary", "-a", "mara", "--today", value, data=data))
    assert line.startswith("Error: --today ") and ("not a date" in line or "outside the supported range" in line)
    assert not CONTROL.search(line)
    line = one_error_line(cli("athlete", "set", "-a", "mara", "--goal-date", value, data=data))
    assert "--goal-date" in line
    for command in (["plan", "show", "--today", value], ["plan", "generate", "--today", value]):
        line = one_error_line(cli(*command, "-a", "mara", data=data))
        assert line.startswith("Error: --today ") and not CONTROL.search(line)
    line = one_error_line(cli("plan", "set", value, "--hours", "3", "-a", "mara", data=data))
    assert line.startswith("Error: DATE ") and not CONTROL.search(line)
    assert tree(data) == before
