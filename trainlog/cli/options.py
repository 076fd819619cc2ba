"""What every command of the ``trainlog`` command line shares: its options and its handling of errors."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from trainlog.days import parse_day
from trainlog.errors import TrainlogError
from trainlog.store.location import default_data_dir
from trainlog.store.names import check_athlete
from trainlog.text import printable
from trainlog.words import DEFAULT_ATHLETE

if TYPE_CHECKING:  # the commands import the store and the analysis when they run: `trainlog --help` loads no Polars
    from trainlog.settings import AthleteSettings
    from trainlog.store import Store

F = TypeVar("F", bound=Callable[..., Any])


class _DataDirOption(click.Option):
    """``--data-dir``, whose help names the default directory when help is shown (finding it loads platformdirs,
    which a command given ``--data-dir`` does without)."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        self.help = f"Data directory [env TRAINLOG_DATA_DIR; default {default_data_dir()}]."
        return super().get_help_record(ctx)


def data_dir_option(f: F) -> F:
    """``--data-dir`` (env ``TRAINLOG_DATA_DIR``; :func:`trainlog.store.default_data_dir` when unset)."""
    return click.option(
        "--data-dir",
        cls=_DataDirOption,
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Data directory [env TRAINLOG_DATA_DIR; default: the platform's user data directory].",
    )(f)


def _athlete_name(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """The athlete name as stored (NFKC-normalised), or one line saying what is wrong with it."""
    try:
        return check_athlete(value)
    except TrainlogError as exc:
        raise click.ClickException(printable(exc)) from None


def athlete_option(f: F) -> F:
    """``--athlete``/``-a`` (env ``TRAINLOG_ATHLETE``; default :data:`trainlog.words.DEFAULT_ATHLETE`), checked."""
    return click.option(
        "--athlete",
        "-a",
        default=DEFAULT_ATHLETE,
        show_default=True,
        envvar="TRAINLOG_ATHLETE",
        callback=_athlete_name,
        help="Athlete name: letters of one script, digits, '-', '_', '.' (README: athlete names) "
             "[env TRAINLOG_ATHLETE].",
    )(f)


def json_option(f: F) -> F:
    """``--json``: print JSON instead of a table."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(f)


def friendly_errors(f: F) -> F:
    """Turn TrainlogError into one clear line and exit code 1, never a traceback."""

    @wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except TrainlogError as exc:  # paths and names in it may come from files: escaped, so one line
            raise click.ClickException(printable(exc)) from None

    return wrapper  # type: ignore[return-value]


def today_option(help_text: str) -> Callable[[F], F]:
    """``--today YYYY-MM-DD``: a command's state as of that local date (``summary``, the ``plan`` commands)."""
    return click.option("--today", "today", default=None, metavar="YYYY-MM-DD", help=help_text)


def today_of(value: str | None, settings: AthleteSettings) -> dt.date:
    """The day ``--today`` names, else today in the athlete's time zone."""
    from trainlog.analysis.stored import local_today

    return iso_date(value, "--today") or local_today(settings)


def iso_date(value: str | None, what: str = "date") -> dt.date | None:
    """A day typed on the command line (:func:`trainlog.days.parse_day`'s rule), or None."""
    return None if value is None else parse_day(value, what)


def require_data(store: Store, athlete: str) -> None:
    """One line, and nothing created, when the athlete has no dataset (read-only commands)."""
    store.manifest(athlete)  # a lost or damaged manifest says so, and names trainlog repair, rather than "no data"
    if athlete not in store.athletes():
        raise click.ClickException(
            f"no data for athlete {athlete!r} in {printable(store.data_dir)}; "
            f"import some with: trainlog import PATH -a {athlete}"
        )


def echo_rows(rows: list[dict[str, Any]], as_json: bool, empty: str, lines: Callable[[], list[str]]) -> None:
    """Print a command's rows: as a JSON list with ``--json``, else ``empty`` when there are none, else ``lines()``."""
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    elif not rows:
        click.echo(empty)
    else:
        for line in lines():
            click.echo(line)
