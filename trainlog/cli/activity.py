"""``trainlog activity exclude|include|confirm|unconfirm ID``: the athlete's choices for one activity."""

from __future__ import annotations

from pathlib import Path

import click

from trainlog.cli.options import athlete_option, data_dir_option, friendly_errors, require_data
from trainlog.store import Store, choices
from trainlog.text import printable


@click.group("activity")
def activity_group() -> None:
    """The athlete's choices for one activity: leave it out of the goal, or confirm its ascent.

    Excluding a run leaves it out of the goal's figures only (best 7 days,
    best 60 h window, biggest activity, weekly ascent): its load still counts
    in fitness, fatigue, ACWR and the weekly totals. A run whose ascent looks
    suspect (too fast, or the watch and the track disagree) is left out of the
    goal's figures until you confirm it. Choices are kept in the dataset: they
    survive re-imports and every new analysis. A run's id is in the id column
    of trainlog activities.

    \b
    Examples:
      trainlog activity exclude 3f2a9c0d1e2b4a5c-0 -a mara
      trainlog activity confirm 3f2a9c0d1e2b4a5c-0 -a mara
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
        store = Store(data_dir)
        require_data(store, athlete)
        if not choices.record(store, athlete, activity_id, action):
            click.echo(f"{athlete}: activity {printable(activity_id)} {unchanged}; nothing changed")
        else:
            click.echo(f"{athlete}: activity {printable(activity_id)} {done}")

    return command


for _action, _texts in _ACTIVITY_ACTIONS.items():
    _activity_command(_action, *_texts)
