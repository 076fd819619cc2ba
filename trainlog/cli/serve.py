"""``trainlog dashboard``, ``trainlog demo`` and ``trainlog sample-data``: the web app and the sample athletes."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from trainlog.cli.options import F, data_dir_option, friendly_errors
from trainlog.cli.views import summary_cmd
from trainlog.store.location import default_data_dir
from trainlog.words import OUTCOMES, Outcome


def serve_options(f: F) -> F:
    """The server's options, shared by ``dashboard`` and ``demo``."""
    options = [
        click.option("--threads", type=click.IntRange(1, 256), default=8, show_default=True,
                     help="Requests served at once (waitress threads)."),
        click.option("--timeout", type=click.IntRange(1, 3600), default=60, show_default=True,
                     help="Seconds a connection may stay idle or take to send its request."),
        click.option("--require-login", is_flag=True, help="Ask for sign-in on loopback too (needs users)."),
        click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
                     help="Also accept this name in the Host header, e.g. coach.example.org (repeatable; "
                          "loopback names and the --host address are always accepted)."),
        click.option("--session-hours", type=click.FloatRange(0.1, 24 * 90), default=12, show_default=True,
                     help="How long a sign-in lasts."),
        click.option("--trusted-proxy", metavar="ADDR", default=None,
                     help="Address of a reverse proxy whose X-Forwarded-For/-Proto headers are trusted."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@click.command("dashboard")
@data_dir_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Any address but loopback requires users (trainlog users add) and asks them to sign in.",
)
@click.option("--port", "-p", type=click.IntRange(1, 65535), default=8050, show_default=True, help="Port to listen on.")
@serve_options
@friendly_errors
def dashboard_cmd(
    data_dir: Path | None,
    host: str,
    port: int,
    threads: int,
    timeout: int,
    require_login: bool,
    allowed_hosts: tuple[str, ...],
    session_hours: float,
    trusted_proxy: str | None,
) -> None:
    """Serve the web dashboard on waitress (with an empty data directory it offers the sample athletes).

    \b
    Examples:
      trainlog dashboard
      trainlog dashboard --data-dir ~/coach-data --port 8060
      trainlog dashboard --host 0.0.0.0 --allowed-host coach.example.org --threads 16
    """
    from dashboards.server import serve  # the web app: imported only by the command that runs it
    from trainlog.store import Store

    serve(Store(data_dir).data_dir, host, port, threads=threads, timeout=timeout, require_login=require_login,
          extra_hosts=allowed_hosts, session_hours=session_hours, trusted_proxy=trusted_proxy)


@click.command("demo")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to put the demo dataset [default: a 'demo' folder in the user data directory].",
)
@click.option("--dashboard/--no-dashboard", default=True, show_default=True, help="Start the dashboard afterwards.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Dashboard address.")
@click.option("--port", "-p", type=click.IntRange(1, 65535), default=8050, show_default=True, help="Dashboard port.")
@serve_options
@friendly_errors
def demo_cmd(data_dir: Path | None, dashboard: bool, host: str, port: int, **serving: Any) -> None:
    """Import the bundled sample athletes (sample_fit/), then open the dashboard on them.

    Without the dashboard, prints each athlete's summary as of the day after
    their last activity.

    \b
    Examples:
      trainlog demo
      trainlog demo --no-dashboard
    """
    from trainlog.analysis.stored import activity_table, analyse_imported
    from trainlog.ingest.demo import import_samples
    from trainlog.store import Store

    store = Store(data_dir or default_data_dir() / "demo")
    first = not store.athletes()
    click.echo(f"importing the sample athletes into {store.data_dir} (once; later runs are instant)..." if first
               else f"the sample athletes are in {store.data_dir}", err=True)
    for report in import_samples(store):  # a later run: only sample files it has not seen (none, unless upgraded)
        counts = report.counts()
        if first or counts[Outcome.IMPORTED] or counts[Outcome.FAILED]:
            click.echo(f"  {report.athlete}: " + ", ".join(f"{counts[o]} {o}" for o in OUTCOMES), err=True)
        analyse_imported(store, report)
    if dashboard:
        click.get_current_context().invoke(dashboard_cmd, data_dir=store.data_dir, host=host, port=port,
                                           **serving)
        return
    for athlete in store.athletes():
        last = activity_table(store, athlete)["start_local"].max()
        today = (last.date() + dt.timedelta(days=1)).isoformat() if last else None
        click.echo("")
        click.get_current_context().invoke(
            summary_cmd, athlete=athlete, data_dir=store.data_dir, as_json=False, weeks=4, today=today
        )


@click.command("sample-data")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("sample_fit"),
              show_default=True, help="Output folder.")
@click.option("--seed", type=int, default=None, help="Random seed [default: the one the committed files use].")
@click.option("--only", multiple=True, metavar="FILE", help="Write only this file (path as in index.csv); repeatable.")
def sample_data_cmd(out: Path, seed: int | None, only: tuple[str, ...]) -> None:
    """Regenerate the synthetic sample athletes (byte-identical for the same seed).

    Writes with Garmin's FIT SDK (garmin-fit-sdk, installed with trainlog).

    \b
    Example:
      trainlog sample-data --out sample_fit
    """
    from trainlog_dev.sampledata import main as generate_main  # dev-only: outside the installed library

    argv = ["--out", str(out)] + (["--seed", str(seed)] if seed is not None else [])
    if only:
        argv += ["--only", *only]
    sys.exit(generate_main(argv))
