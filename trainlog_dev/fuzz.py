"""The FIT fuzzer's inputs and its check of one input (the command line: benchmarks/fuzz.py).

Every input is a corpus or sample file (shrunk to at most ``MAX_BASE_BYTES``,
keeping its definitions, its first records and its closing laps/session)
changed by one to three mutations (:mod:`trainlog_dev.mutations`): bit flips,
byte overwrites, truncations, header damage (size, declared data length),
wrong field counts, sizes and base types in definition messages, absurd
timestamps, huge declared lengths, garbage developer fields, splices of two
files and repeated chunks; half of them get their CRCs repaired so the decoder
reads past the damage. Input ``i`` depends only on the seed and ``i``
(:func:`make_input`), so any input can be rebuilt.

:func:`check_decode` decodes one input and, when it decodes, builds the
importer's tables from it. Outcomes:

- ``ok``       decoded, not damaged
- ``partial``  decoded what came before the damage (``DecodedFile.partial``)
- ``invalid``  ``InvalidFitFile`` with a one-line message naming the input
- ``BUG:...``  any other exception, a multi-line message or a time-out.

:func:`write_containers` writes inputs as .fit, .fit.gz and zips (some of the
containers damaged) for the end-to-end import checks.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import os
import random
import signal
import traceback
import zipfile
from pathlib import Path

from trainlog_dev.mutations import (
    MAX_INPUT_BYTES,
    MUTATIONS,
    WEIGHTS,
    m_bitflip,
    m_bytes,
    parse_layout,
    rebuild,
    repair,
    use_splice_bases,
)

__all__ = [
    "DEFAULT_SEED", "MAX_BASE_BYTES", "MEMORY_LIMIT_BYTES", "MUTATIONS", "OK_OUTCOMES", "TIME_LIMIT_S", "base_paths",
    "check_decode", "load_bases", "make_input", "parse_layout", "repair", "shrink", "write_containers",
]

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("TRAINLOG_CORPUS", ROOT.parent / "shared" / "fit_corpus"))
SAMPLE_FIT = ROOT / "sample_fit"

DEFAULT_SEED = 20261125
#: Bases are shrunk to about this size (decoding speed: fitparse is pure Python).
MAX_BASE_BYTES = 24_000
#: Per-input limits in the workers.
TIME_LIMIT_S = 20
MEMORY_LIMIT_BYTES = 2 << 30

OK_OUTCOMES = ("ok", "partial", "invalid")

# --------------------------------------------------------------------------- bases

def shrink(data: bytes, limit: int = MAX_BASE_BYTES) -> bytes:
    """A smaller valid FIT file: every definition, the first data messages and the last ones.

    The closing lap/session/activity messages are at the end of a file, so a
    shrunk file still has a session. Files that do not parse are cut to ``limit``.
    """
    if len(data) <= limit:
        return data
    layout = parse_layout(data)
    if layout is None:
        return data[:limit]
    head_budget, tail_budget = int(limit * 0.6), int(limit * 0.35)
    keep = [False] * len(layout.messages)
    used = 0
    for i, m in enumerate(layout.messages):
        if m.kind == "def" or m.definition.global_num in (0, 206, 207):  # file_id, field_description, developer_data_id
            keep[i] = True
            used += m.end - m.start
    size = 0
    for i, m in enumerate(layout.messages):
        if size >= head_budget:
            break
        if not keep[i]:
            keep[i] = True
            size += m.end - m.start
    size = 0
    for i in range(len(layout.messages) - 1, -1, -1):
        m = layout.messages[i]
        if size >= tail_budget:
            break
        if not keep[i]:
            keep[i] = True
            size += m.end - m.start
    pieces = [data[m.start : m.end] for i, m in enumerate(layout.messages) if keep[i]]
    return rebuild(data, layout, pieces)


def base_paths() -> list[Path]:
    """Corpus and sample FIT files (sorted: the fuzz run depends only on the seed)."""
    out = []
    if CORPUS.is_dir():
        out += sorted(p for p in CORPUS.iterdir() if p.suffix.lower() in (".fit", ".gz") and p.is_file())
    if SAMPLE_FIT.is_dir():
        out += sorted(SAMPLE_FIT.rglob("*.fit"))
    return out


def load_bases(paths: list[Path] | None = None, limit: int = MAX_BASE_BYTES) -> list[tuple[str, bytes]]:
    """(name, shrunk bytes) of every readable base file; empty files are kept (they are inputs too)."""
    bases = []
    for p in paths if paths is not None else base_paths():
        data = p.read_bytes()
        if p.suffix.lower() == ".gz":
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError):
                continue
        bases.append((p.name, shrink(data, limit)))
    return bases


# --------------------------------------------------------------------------- inputs

def make_input(i: int, seed: int, bases: list[tuple[str, bytes]]) -> tuple[str, bytes, str]:
    """Input number ``i``: (name, bytes, mutations applied). Depends only on seed, i and bases."""
    use_splice_bases(bases)
    rng = random.Random(f"{seed}:{i}")
    base_name, data = bases[rng.randrange(len(bases))]
    names = list(WEIGHTS)
    ops = rng.choices(names, weights=[WEIGHTS[n] for n in names], k=rng.choice((1, 1, 1, 2, 2, 3)))
    for op in ops:
        data = MUTATIONS[op](data, rng)
        if len(data) > MAX_INPUT_BYTES:
            data = data[:MAX_INPUT_BYTES]
    fixed = bool(data) and rng.random() < 0.5 and "truncate" not in ops
    if fixed:
        data = repair(data)
    desc = "+".join(ops) + ("+crc" if fixed else "")
    return f"fuzz-{i:06d}-{Path(base_name).stem[:40]}.fit", data, desc


# --------------------------------------------------------------------------- checking one input

class _TimeLimit(Exception):
    pass


def _on_alarm(signum, frame):
    raise _TimeLimit()


def check_decode(data: bytes, name: str, time_limit_s: int = TIME_LIMIT_S) -> tuple[str, str]:
    """Decode ``data`` (and build the importer's tables) -> (outcome, detail).

    outcome is "ok", "partial", "invalid" (a one-line InvalidFitFile naming the
    input) or "BUG:<kind>" with a one-line description.
    """
    from trainlog.errors import InvalidFitFile
    from trainlog.ingest.decode import decode
    from trainlog.ingest.tables import activity_tables
    from trainlog.ingest.wellness_fit import activity_hrv_rows, is_wellness_file, wellness_rows

    use_alarm = time_limit_s and hasattr(signal, "SIGALRM")
    if use_alarm:
        old = signal.signal(signal.SIGALRM, _on_alarm)
        signal.alarm(time_limit_s)
    try:
        try:
            decoded = decode(data, name)
        except InvalidFitFile as exc:
            text = str(exc)
            if "\n" in text or not text.startswith(f"{name}: ") or len(text) > 500:
                return "BUG:message", f"InvalidFitFile message not one short line naming the file: {text[:300]!r}"
            return "invalid", exc.reason
        if is_wellness_file(decoded):  # the importer's order
            wellness_rows(decoded, name, dt.datetime.now(dt.UTC))
        elif decoded.file_type in (None, "activity") and decoded.is_activity:
            sha = hashlib.sha256(data).hexdigest()
            activity_hrv_rows(decoded, activity_tables(decoded, sha, "fuzz", dt.datetime.now(dt.UTC))[0])
        return ("partial" if decoded.partial else "ok"), "; ".join(decoded.notes)
    except _TimeLimit:
        return "BUG:timeout", f"no answer within {time_limit_s} s"
    except MemoryError:
        return "BUG:memory", f"MemoryError (limit {MEMORY_LIMIT_BYTES >> 20} MiB)"
    except RecursionError:
        return "BUG:exception", "RecursionError"
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - this is what we are looking for (pyo3 panics are BaseExceptions)
        tb = traceback.extract_tb(exc.__traceback__)
        where = f"{Path(tb[-1].filename).name}:{tb[-1].lineno}" if tb else "?"
        kind = "BUG:exception" if isinstance(exc, Exception) else "BUG:panic"
        return kind, f"{type(exc).__name__} at {where}: {str(exc)[:200]}".replace("\n", " ")
    finally:
        if use_alarm:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)


# --------------------------------------------------------------------------- containers

def write_containers(items: list[tuple[str, bytes]], rng: random.Random, folder: Path) -> None:
    """Write inputs as .fit, .fit.gz (some damaged) and inside zips (some damaged or nested)."""
    k = 0
    while k < len(items):
        name, data = items[k]
        stem = name.removesuffix(".fit")
        how = rng.random()
        if how < 0.55:
            (folder / name).write_bytes(data)
            k += 1
        elif how < 0.75:
            gz = gzip.compress(data, mtime=0)
            if rng.random() < 0.25:
                gz = m_bitflip(gz, rng) if rng.random() < 0.5 else gz[: rng.randrange(len(gz) + 1)]
            (folder / f"{stem}.fit.gz").write_bytes(gz)
            k += 1
        else:
            group = items[k : k + rng.randint(1, 6)]
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
                for j, (n2, d2) in enumerate(group):
                    zf.writestr(f"activities/{n2}" if j % 2 else n2, d2)
                zf.writestr("notes.txt", "not a FIT file")
            blob = buf.getvalue()
            if rng.random() < 0.3:  # nested once
                outer = io.BytesIO()
                with zipfile.ZipFile(outer, "w") as zf:
                    zf.writestr(f"{stem}.zip", blob)
                blob = outer.getvalue()
            if rng.random() < 0.2:
                blob = m_bytes(blob, rng) if rng.random() < 0.5 else blob[: rng.randrange(len(blob) + 1)]
            (folder / f"{stem}-export.zip").write_bytes(blob)
            k += len(group)
