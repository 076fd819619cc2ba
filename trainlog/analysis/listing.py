"""The activities list as ``trainlog activities`` shows it: one row per activity, as JSON and as text; the roster
as ``trainlog roster`` shows it (:func:`roster_lines`).

Input is :func:`trainlog.analysis.stored.activity_table` (the activities with
their local start and per-activity metrics); :func:`activity_rows` picks the
columns the list shows (JSON-serialisable), :func:`activity_lines` writes them
as the table's lines, with the notes of a suspect ascent, an exclusion or damage.
"""

from __future__ import annotations

import polars as pl

from trainlog.text import fmt_duration, fmt_num, printable
from trainlog.words import AscentFlag

#: The columns of a row of :func:`activity_rows` that come from the table as they are.
COLUMNS = (
    "activity_id", "sport", "sub_sport", "distance_m", "elapsed_s", "timer_s", "moving_s", "ascent_m",
    "ascent_source", "ascent_device_m", "ascent_computed_m", "descent_m", "altitude_spikes", "ascent_flag",
    "ascent_confirmed", "excluded", "goal_counted", "load", "load_source", "rpe", "load_rpe", "feel",
    "note", "n_comments", "rmssd_ms", "partial", "import_note", "source_file", "name", "description", "gear", "commute",
    "private",
)

#: ascent_flag -> what the activities list says
FLAG_TEXT = {AscentFlag.TOO_FAST: "too fast to be true", AscentFlag.DEVICE_DISAGREES: "watch and track disagree"}


def activity_rows(table: pl.DataFrame) -> list[dict]:
    """One JSON-serialisable dict per activity of ``table``, in its order (``trainlog activities --json``).

    Keys: :data:`COLUMNS` (units as in the table: m, s) and ``date_local``,
    ``start_local`` (the local start, ISO, to the second) and ``start_utc`` (ISO).
    """
    return [
        {
            "activity_id": r["activity_id"],
            "date_local": r["start_local"].date().isoformat() if r["start_local"] else None,
            "start_local": r["start_local"].isoformat(timespec="seconds") if r["start_local"] else None,
            "start_utc": r["start_utc"].isoformat() if r["start_utc"] else None,
            **{name: r[name] for name in COLUMNS[1:]},
        }
        for r in table.iter_rows(named=True)
    ]


def activity_lines(rows: list[dict]) -> list[str]:
    """The table of ``trainlog activities`` for the rows of :func:`activity_rows`: a header, one line
    per activity and the footnotes of an estimated load or a suspect ascent."""
    lines = [
        f"{'date':<10} {'time':<5} {'sport':<18} {'km':>7} {'duration':>9} {'ascent m':>8} {'load':>6}  "
        f"{'id':<18}  notes"
    ]
    for r in rows:
        sport = printable(r["sport"] or "unknown")  # FIT strings: escape sequences shown, never run
        if r["sub_sport"] and r["sub_sport"] not in ("generic", "None"):
            sport = f"{sport}/{printable(r['sub_sport'])}"
        km = f"{r['distance_m'] / 1000:.2f}" if r["distance_m"] is not None else ""
        load = f"{r['load']:.0f}" + ("*" if r["load_source"] == "duration" else "") if r["load"] is not None else ""
        lines.append(
            f"{r['date_local'] or '':<10} {(r['start_local'] or '')[11:16]:<5} {sport[:18]:<18} {km:>7} "
            f"{fmt_duration(r['elapsed_s']):>9} {fmt_num(r['ascent_m']):>8} {load:>6}  "
            f"{printable(r['activity_id']):<18}  {activity_notes(r)}".rstrip()
        )
    if any(r["load_source"] == "duration" for r in rows):
        lines.append("* load estimated from duration alone (no heart rate, power, usable pace or rating)")
    if any(r["ascent_flag"] and not r["ascent_confirmed"] for r in rows):
        lines.append("suspect ascents are left out of the goal; check them with: trainlog audit ascent, then "
                     "trainlog activity confirm|exclude ID")
    return lines


def activity_notes(r: dict) -> str:
    """The notes column of ``trainlog activities`` for one row: its name, rating, suspect ascent, exclusion, damage."""
    notes = [f'"{printable(r["name"][:40])}"'] if r.get("name") else []
    if r["ascent_flag"]:
        what = FLAG_TEXT.get(r["ascent_flag"], printable(r["ascent_flag"]))
        totals = f"watch {fmt_num(r['ascent_device_m'])} m, track {fmt_num(r['ascent_computed_m'])} m"
        notes.append(f"{'confirmed' if r['ascent_confirmed'] else 'suspect'} ascent ({what}; {totals})")
    if r.get("rpe") is not None:
        notes.append(f"RPE {r['rpe']:g}" + (f", feel {r['feel']}/5" if r.get("feel") is not None else ""))
    if r["excluded"]:
        notes.append("excluded from the goal")
    if r["partial"]:
        notes.append("partial")
    return "; ".join(notes)


#: ``trainlog roster``'s columns: (heading, roster column, format; None for text).
LINE_COLUMNS = (("athlete", "athlete", None), ("day", "as_of", None), ("CTL", "ctl", ".0f"), ("TSB", "tsb", "+.0f"),
                ("ACWR", "acwr", ".2f"), ("week m+", "week_ascent_m", ".0f"), ("best 7d m+", "best_7day_ascent_m", ".0f"),
                ("ready", "readiness", None), ("flags", "flags", None))


def roster_lines(frame: pl.DataFrame) -> list[str]:
    """Roster rows as an aligned text table (``trainlog roster``): a heading line, then one line per athlete;
    an athlete whose figures failed shows the error in place of the flags."""
    cells = [[heading for heading, _, _ in LINE_COLUMNS]]
    for r in frame.iter_rows(named=True):
        line = []
        for _, column, fmt in LINE_COLUMNS:
            value = r[column]
            if column == "flags":
                line.append(f"error: {r['error']}" if r["error"] else ", ".join(value or []) or "-")
            elif fmt is not None:
                line.append(fmt_num(value, fmt))
            else:
                line.append("-" if value is None else str(value))
        cells.append([printable(c) for c in line])
    widths = [max(len(row[i]) for row in cells) for i in range(len(LINE_COLUMNS) - 1)]
    return ["  ".join([*(c.ljust(w) if i < 2 or i == 7 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths,
                                                                                                         strict=False))),
                       row[-1]]) for row in cells]

