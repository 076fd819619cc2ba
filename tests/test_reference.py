"""trainlog.ingest.fit.reference: fitparse's messages read one at a time, damage named with its
byte, the file refused when nothing is usable. (That the reference and the fast path agree is
test_decode.py's and test_fit_fast.py's; this is the reference's own logic.)"""

from __future__ import annotations

import re

import numpy as np
import pytest

from trainlog.errors import InvalidFitFile
from trainlog.ingest.fit.assemble import RELATIVE_TIME_NOTE
from trainlog.ingest.fit.framing import FIT_EPOCH_UNIX_S
from trainlog.ingest.fit.reference import FitparseMessages, decode_reference, fitparse_messages

N = 5
#: What the FIT SDK encoder writes for a run of N records (fitwrite): file_id, device_info, a timer
#: event, the records, one lap, the stop event, the session and the activity.
MESSAGES = ["file_id", "device_info", "event", *["record"] * N, "lap", "event", "session", "activity"]


def _run(start_unix_s: int = 1_717_236_000) -> bytes:
    """A run of N records, one a second, written by the FIT SDK's encoder (skips the test without it)."""
    pytest.importorskip("garmin_fit_sdk", reason="the dev dependency garmin-fit-sdk writes the test files")
    from trainlog_dev.fitwrite import Device, Recording, encode

    rec = Recording(
        time_unix_s=start_unix_s + np.arange(N), distance_m=np.arange(N) * 3.0, speed_mps=np.full(N, 3.0),
        energy_kcal=np.arange(N) * 0.2, sport="running", sub_sport="trail", utc_offset_end_s=0,
    )
    return encode(rec, Device())


@pytest.fixture(scope="module")
def run() -> bytes:
    return _run()


def test_a_whole_file_gives_every_message_in_order_and_no_damage(run):
    stream = FitparseMessages(run, "run.fit")
    assert stream.damage is None and stream.count == 0  # nothing read yet
    names = [m.name for m in stream]
    assert names == MESSAGES
    assert stream.count == len(MESSAGES) and stream.damage is None
    messages, damage = fitparse_messages(run, "run.fit")
    assert [m.name for m in messages] == MESSAGES and damage is None


def test_a_cut_file_keeps_the_messages_before_the_cut_and_names_the_byte(run):
    cut = run[:300]
    messages, damage = fitparse_messages(cut, "cut.fit")
    assert 0 < len(messages) < len(MESSAGES)
    assert [m.name for m in messages] == MESSAGES[: len(messages)]
    m = re.fullmatch(r"truncated at byte (\d+)", damage)
    assert m and int(m[1]) <= len(cut)


def test_a_bad_file_crc_is_damage_unless_the_crc_is_not_checked(run):
    zeroed = run[:-2] + b"\0\0"
    messages, damage = fitparse_messages(zeroed, "crc.fit")
    assert damage.startswith("bad CRC (") and damage.endswith(f" at byte {len(run)}")
    assert len(messages) == len(MESSAGES)  # every message was read before the CRC
    # the fast path reads a file it built without a CRC with check_crc=False: no damage
    messages, damage = fitparse_messages(run[:-2], "side.fit", check_crc=False)
    assert damage is None and len(messages) == len(MESSAGES)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty.fit: empty or truncated FIT header (0 bytes)"),
        (b"\x0e\x10", "empty.fit: empty or truncated FIT header (2 bytes)"),
        (b"a note, not a FIT file at all", "empty.fit: not a FIT file (corrupt header: "),
    ],
)
def test_a_header_that_is_not_fit_is_refused_at_once(data, message):
    with pytest.raises(InvalidFitFile) as err:
        FitparseMessages(data, "empty.fit")
    assert str(err.value).startswith(message) and "\n" not in str(err.value)
    assert err.value.name == "empty.fit"


def test_a_file_with_no_message_is_refused_with_the_damage(run):
    with pytest.raises(InvalidFitFile) as err:
        decode_reference(run[:14], "header-only.fit")  # the 14-byte header, nothing after it
    assert str(err.value) == "header-only.fit: truncated at byte 14"


def test_decode_reference_puts_the_damage_first_in_the_notes():
    unset = _run(FIT_EPOCH_UNIX_S + 1000)  # a watch whose clock was not set
    whole = decode_reference(unset, "unset.fit")
    assert not whole.partial and whole.notes == [RELATIVE_TIME_NOTE]
    cut = decode_reference(unset[:300], "unset.fit")
    assert cut.partial
    assert len(cut.notes) == 2 and cut.notes[0].startswith("truncated at byte ") and cut.notes[1] == RELATIVE_TIME_NOTE
    assert whole.n_records == N and len(whole.sessions) == 1 and whole.utc_offset_s == 0
    assert cut.sessions == [] and cut.utc_offset_s is None  # cut before the session and the activity message


def test_decode_reference_of_a_whole_file(run):
    decoded = decode_reference(run, "run.fit")
    assert decoded.name == "run.fit" and decoded.file_type == "activity"
    assert not decoded.partial and decoded.notes == []
    assert decoded.n_records == N and len(decoded.sessions) == 1 and len(decoded.laps) == 1
    assert decoded.records["distance_m"].to_list() == [0.0, 3.0, 6.0, 9.0, 12.0]
    assert decoded.sessions[0]["distance_m"] == 12.0 and decoded.sessions[0]["elapsed_s"] == 4.0
