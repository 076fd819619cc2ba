"""The ``trainlog`` command line: a thin click layer over the library.

One group, :func:`cli`; each module of this package holds one group of commands
(:mod:`~trainlog.cli.imports`, :mod:`~trainlog.cli.views`, :mod:`~trainlog.cli.athlete`,
:mod:`~trainlog.cli.activity`, :mod:`~trainlog.cli.plan`, :mod:`~trainlog.cli.dataset`, :mod:`~trainlog.cli.users`,
:mod:`~trainlog.cli.serve`, :mod:`~trainlog.cli.export`, :mod:`~trainlog.cli.watch`,
:mod:`~trainlog.cli.wellness`) and :mod:`~trainlog.cli.options`
the options they share; :mod:`~trainlog.cli.allocator` sets how the process gives memory back (:func:`main`).
:func:`main` is the console script (``trainlog``) and ``python -m trainlog``.

Fast start (issue 17): at module level the command modules import only click and light modules (words,
text, days, settings, :mod:`trainlog.store.location`, :mod:`trainlog.store.wellness_fields`); the store,
the analysis, the importer and the decoders (Polars, numpy, fitparse) are imported inside the command that
uses them, so ``trainlog --help``, ``--version`` and ``trainlog CMD --help`` load none of them
(tests/test_cli.py checks which modules a command loads).
"""

from __future__ import annotations

import gc
import importlib

import click

from trainlog import __version__

#: Each command's name and where it lives (``trainlog --help`` lists them sorted): a command's module is
#: imported when that command runs (or is listed by ``--help``), not every command's for each one.
COMMANDS = {
    "import": ("imports", "import_cmd"), "watch": ("watch", "watch_cmd"), "activities": ("views", "activities_cmd"),
    "summary": ("views", "summary_cmd"), "plan": ("plan", "plan_group"), "athlete": ("athlete", "athlete_group"),
    "activity": ("activity", "activity_group"), "audit": ("dataset", "audit_group"), "check": ("dataset", "check_cmd"),
    "repair": ("dataset", "repair_cmd"), "export": ("export", "export_cmd"), "users": ("users", "users_group"),
    "dashboard": ("serve", "dashboard_cmd"), "demo": ("serve", "demo_cmd"), "sample-data": ("serve", "sample_data_cmd"),
    "wellness": ("wellness", "wellness_group"), "batch": ("batch", "batch_group"), "roster": ("batch", "roster_cmd"),
}

__all__ = ["COMMANDS", "activity_group", "cli", "main"]


class _Commands(click.Group):
    """A group whose commands are imported on first use (click's documented lazy-loading pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, name = COMMANDS[cmd_name]
        return getattr(importlib.import_module(f"trainlog.cli.{module}"), name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="trainlog")
def cli() -> None:
    """trainlog: training load for mountain ultras, from your watch's FIT, GPX and TCX files.

    \b
    Start with:
      trainlog import ~/Downloads/garmin-export.zip --athlete mara
      trainlog activities --athlete mara
      trainlog summary --athlete mara
      trainlog export --athlete mara ~/mara-export
    """


def __getattr__(name: str) -> click.Command:
    """``from trainlog.cli import activity_group`` (and any command object by its name), loaded on use."""
    for module, attr in COMMANDS.values():
        if attr == name:
            return getattr(importlib.import_module(f"trainlog.cli.{module}"), attr)
    raise AttributeError(f"module 'trainlog.cli' has no attribute {name!r}")


def main() -> None:
    """The console script: ``trainlog ...`` (and ``python -m trainlog ...``).

    When the command is done (its files written and closed), every object is frozen out of the cycle collector
    (:func:`gc.freeze`): the interpreter's exit then skips collecting Polars', NumPy's and the command's objects,
    which took ~0.2 s of a daily ``trainlog import`` (1.3 s) and nothing more is written after it. (For the
    console script only: called from a running program, it would leave that program's objects frozen.)"""
    from trainlog.cli import allocator

    allocator.configure()  # before Polars loads: freed columns go back to the system, not held beside new ones
    try:
        cli(prog_name="trainlog")
    finally:
        gc.freeze()


if __name__ == "__main__":
    main()
