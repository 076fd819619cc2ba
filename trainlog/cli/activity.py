"""``trainlog activity exclude|include|confirm|unconfirm|rate|comment ID`` and ``activity add``: the athlete's
choices, ratings and comments for one activity, and sessions without a file."""

from __future__ import annotations

import json
from pathlib import Path

import click

from trainlog.cli.options import athlete_option, data_dir_option, friendly_errors, json_option, require_data
from trainlog.days import parse_duration, parse_local_time
from trainlog.text import fmt_duration, printable
from trainlog.units import M_PER_KM


@click.group("activity")
def activity_group() -> None:
    """One activity: leave it out of the goal, confirm its ascent, rate it, comment on it; or add one by hand.

    Excluding a run leaves it out of the goal's figures only (best 7 days,
    best 60 h window, biggest activity, weekly ascent): its load still counts
    in fitness, fatigue, ACWR and the weekly totals. A run whose ascent looks
    suspect (too fast, or the watch and the track disagree) is left out of the
    goal's figures until you confirm it. Choices are kept in the dataset: they
    survive re-imports and every new analysis. A run's id is in the id column
    of trainlog activities.

    Ratings (session RPE, feel, a note) and comments are kept the same way. A
    rated run's session-RPE load is shown beside its heart-rate load, and a run
    without heart rate, power or pace takes its load from the rating.

    \b
    Examples:
      trainlog activity exclude 3f2a9c0d1e2b4a5c-0 -a mara
      trainlog activity confirm 3f2a9c0d1e2b4a5c-0 -a mara
      trainlog activity rate 3f2a9c0d1e2b4a5c-0 -a mara --rpe 7 --feel 4 --note "heavy legs"
      trainlog activity comment 3f2a9c0d1e2b4a5c-0 -a mara --author coach1 "Well paced"
      trainlog activity add -a mara --sport strength_training --start "2026-03-02 18:00" --duration 0:45
    """


#: action (trainlog.store.choices.ACTIONS) -> (help text, what is said once done, what is said when nothing changed)
_ACTIVITY_ACTIONS = {
    "exclude": ("Leave a run out of the goal's figures (its load still counts in fitness and fatigue).",
                "excluded: left out of the goal's figures (its load still counts)",
                "was already excluded"),
    "include": ("Count an excluded run in the goal's figures again.",
                "included again: the goal's figures count it (unless its ascent is suspect and not confirmed)",
                "is not excluded"),
    "confirm": ("Confirm a suspect ascent: the goal's figures count the run after all.",
                "ascent confirmed: the goal's figures count it even if its ascent looks suspect",
                "was already confirmed"),
    "unconfirm": ("Withdraw a confirmation: a suspect ascent is left out of the goal's figures again.",
                  "confirmation withdrawn: a suspect ascent is left out of the goal's figures",
                  "is not confirmed"),
}


def _activity_command(action: str, text: str, done: str, unchanged: str) -> click.Command:
    """One ``trainlog activity <action> ID`` command over :func:`trainlog.store.choices.record`."""

    @activity_group.command(action, help=f"{text}\n\n\b\nExample:\n  trainlog activity {action} ID -a mara")
    @click.argument("activity_id", metavar="ID")
    @athlete_option
    @data_dir_option
    @friendly_errors
    def command(activity_id: str, athlete: str, data_dir: Path | None) -> None:
        from trainlog.store import Store, choices

        store = Store(data_dir)
        require_data(store, athlete)
        if not choices.record(store, athlete, activity_id, action):
            click.echo(f"{athlete}: activity {printable(activity_id)} {unchanged}; nothing changed")
        else:
            click.echo(f"{athlete}: activity {printable(activity_id)} {done}")

    return command


for _action, _texts in _ACTIVITY_ACTIONS.items():
    _activity_command(_action, *_texts)


@activity_group.command("rate")
@click.argument("activity_id", metavar="ID")
@athlete_option
@click.option("--rpe", type=float, default=None, metavar="0-10",
              help="Session RPE on Foster's CR-10 scale: 0 rest, 3 moderate, 5 hard, 7 very hard, 10 maximal.")
@click.option("--feel", type=int, default=None, metavar="1-5",
              help="How it felt: 1 very weak, 2 weak, 3 normal, 4 strong, 5 very strong.")
@click.option("--note", default=None, help="Your note on the session (replaces the earlier one; \"\" clears it).")
@data_dir_option
@friendly_errors
def rate(activity_id: str, athlete: str, rpe: float | None, feel: int | None, note: str | None,
         data_dir: Path | None) -> None:
    """Rate a session: RPE, feel and a note (what is not given stays as it was).

    The RPE gives the run a session-RPE load (Foster 2001: RPE x minutes,
    100 = one hour at RPE 7), shown beside its heart-rate load; a run without
    heart rate, power or pace takes it as its load.

    \b
    Examples:
      trainlog activity rate 3f2a9c0d1e2b4a5c-0 -a mara --rpe 7
      trainlog activity rate 3f2a9c0d1e2b4a5c-0 -a mara --rpe 6.5 --feel 2 --note "cold coming"
    """
    from trainlog.store import Store, entries

    store = Store(data_dir)
    require_data(store, athlete)
    given = {k: v for k, v in (("rpe", rpe), ("feel", feel), ("note", note)) if v is not None}
    if not given:
        raise click.UsageError("give --rpe, --feel or --note")
    if not entries.rate(store, athlete, activity_id, **given):
        click.echo(f"{athlete}: activity {printable(activity_id)} already rated so; nothing changed")
        return
    said = ", ".join(f"{k} {v:g}" if isinstance(v, float) else (f"{k} {v}" if k != "note" else
                     ("note saved" if v.strip() else "note cleared")) for k, v in given.items())
    click.echo(f"{athlete}: activity {printable(activity_id)} rated: {said}")


@activity_group.command("comment")
@click.argument("activity_id", metavar="ID")
@click.argument("text")
@athlete_option
@click.option("--author", required=True, metavar="USER", help="Who comments (a user name, e.g. coach1).")
@data_dir_option
@friendly_errors
def comment(activity_id: str, text: str, athlete: str, author: str, data_dir: Path | None) -> None:
    """Comment on a session (a coach's word, or the athlete's answer); comments are kept, oldest first.

    \b
    Example:
      trainlog activity comment 3f2a9c0d1e2b4a5c-0 -a mara --author coach1 "Keep the climbs this easy"
    """
    from trainlog.store import Store, entries

    store = Store(data_dir)
    require_data(store, athlete)
    at = entries.comment(store, athlete, activity_id, author, text)
    click.echo(f"{athlete}: comment by {printable(author)} on activity {printable(activity_id)} kept "
               f"({at:%Y-%m-%d %H:%M} UTC)")


@activity_group.command("comments")
@click.argument("activity_id", metavar="ID")
@athlete_option
@json_option
@data_dir_option
@friendly_errors
def show_comments(activity_id: str, athlete: str, as_json: bool, data_dir: Path | None) -> None:
    """The comments on a session, oldest first.

    \b
    Example:
      trainlog activity comments 3f2a9c0d1e2b4a5c-0 -a mara
    """
    from trainlog.store import Store, entries

    store = Store(data_dir)
    require_data(store, athlete)
    if activity_id not in set(store.read("activities", athlete)["activity_id"].to_list()):
        raise click.ClickException(f"no activity {printable(activity_id)} for athlete {athlete}; "
                                   f"the ids are in: trainlog activities -a {athlete} (column id)")
    rows = [{"author": r["author"], "text": r["text"], "at": r["at"].isoformat()}
            for r in entries.comments(store, athlete, activity_id).iter_rows(named=True)]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    elif not rows:
        click.echo(f"{athlete}: no comments on activity {printable(activity_id)}")
    for r in [] if as_json else rows:
        click.echo(f"{r['at'][:16].replace('T', ' ')} UTC  {printable(r['author'])}: {printable(r['text'])}")


@activity_group.command("add")
@athlete_option
@click.option("--sport", required=True, help="FIT sport name: running, hiking, strength_training, cycling, ...")
@click.option("--start", "start", required=True, metavar='"YYYY-MM-DD HH:MM"', help="Local start time.")
@click.option("--duration", required=True, metavar="H:MM[:SS]", help="How long it took, e.g. 1:30 or 0:45:10.")
@click.option("--distance-km", type=float, default=None, help="Distance in km, when known.")
@click.option("--ascent-m", type=float, default=None, help="Ascent in m, when known.")
@click.option("--rpe", type=float, default=None, metavar="0-10", help="Session RPE (CR-10): gives the load.")
@click.option("--note", default=None, help="A note on the session.")
@json_option
@data_dir_option
@friendly_errors
def add(athlete: str, sport: str, start: str, duration: str, distance_km: float | None, ascent_m: float | None,
        rpe: float | None, note: str | None, as_json: bool, data_dir: Path | None) -> None:
    """Add a session that has no file: strength, a hike without a watch, a race from years ago.

    It counts in every daily and weekly series. Its load comes from the RPE
    when given (load source rpe), else from its duration (load source
    duration, 50 an hour by default).

    \b
    Examples:
      trainlog activity add -a mara --sport strength_training --start "2026-03-02 18:00" --duration 0:45 --rpe 6
      trainlog activity add -a mara --sport hiking --start "2019-07-14 05:30" --duration 9:20 \\
          --distance-km 32 --ascent-m 2400 --note "Tour du Mont Blanc day 3, no watch"
    """
    from trainlog.ingest.manual import ManualActivity, add_activity
    from trainlog.store import Store

    entry = ManualActivity(
        sport=sport.strip().lower(), start=parse_local_time(start, "--start"),
        duration_s=parse_duration(duration, "--duration"),
        distance_m=None if distance_km is None else distance_km * M_PER_KM, ascent_m=ascent_m, rpe=rpe, note=note)
    activity_id = add_activity(Store(data_dir), athlete, entry)
    if as_json:
        click.echo(json.dumps({"activity_id": activity_id}))
        return
    click.echo(f"{athlete}: added {printable(entry.sport)} on {entry.start:%Y-%m-%d %H:%M}, "
               f"{fmt_duration(entry.duration_s)}: activity {activity_id} "
               f"(load from {'the RPE' if rpe is not None else 'the duration'})")


@activity_group.command("remove")
@click.argument("activity_id", metavar="ID")
@athlete_option
@data_dir_option
@friendly_errors
def remove(activity_id: str, athlete: str, data_dir: Path | None) -> None:
    """Remove a session entered by hand (trainlog activity add), to enter it again right.

    A recorded activity is not removed (its file would come back at the
    next import): leave it out of the goal with trainlog activity exclude.

    \b
    Example:
      trainlog activity remove 3f2a9c0d1e2b4a5c-0 -a mara
    """
    from trainlog.ingest.manual import remove_activity
    from trainlog.store import Store

    store = Store(data_dir)
    require_data(store, athlete)
    said = remove_activity(store, athlete, activity_id)
    click.echo(f"{athlete}: removed activity {printable(activity_id)} ({printable(said)}), entered by hand")
