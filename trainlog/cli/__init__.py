"""The ``trainlog`` command line: a thin click layer over the library.

One group, :func:`cli`; each module of this package holds one group of commands
(:mod:`~trainlog.cli.imports`, :mod:`~trainlog.cli.views`, :mod:`~trainlog.cli.athlete`,
:mod:`~trainlog.cli.activity`, :mod:`~trainlog.cli.plan`, :mod:`~trainlog.cli.dataset`, :mod:`~trainlog.cli.users`,
:mod:`~trainlog.cli.serve`, :mod:`~trainlog.cli.export`, :mod:`~trainlog.cli.watch`,
:mod:`~trainlog.cli.wellness`) and :mod:`~trainlog.cli.options`
the options they share.
:func:`main` is the console script (``trainlog``) and ``python -m trainlog``.

Fast start (issue 17): at module level the command modules import only click and light modules (words,
text, days, settings, :mod:`trainlog.store.location`, :mod:`trainlog.store.wellness_fields`); the store,
the analysis, the importer and the decoders (Polars, numpy, fitparse) are imported inside the command that
uses them, so ``trainlog --help``, ``--version`` and ``trainlog CMD --help`` load none of them
(tests/test_cli.py checks which modules a command loads).
"""

from __future__ import annotations

import click

from trainlog import __version__
from trainlog.cli.activity import activity_group
from trainlog.cli.athlete import athlete_group
from trainlog.cli.dataset import audit_group, check_cmd, repair_cmd
from trainlog.cli.export import export_cmd
from trainlog.cli.imports import import_cmd
from trainlog.cli.plan import plan_group
from trainlog.cli.serve import dashboard_cmd, demo_cmd, sample_data_cmd
from trainlog.cli.users import users_group
from trainlog.cli.views import activities_cmd, summary_cmd
from trainlog.cli.watch import watch_cmd
from trainlog.cli.wellness import wellness_group

__all__ = ["activity_group", "cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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


for _command in (import_cmd, watch_cmd, activities_cmd, summary_cmd, plan_group, athlete_group, activity_group, audit_group,
                 check_cmd, repair_cmd, export_cmd, users_group, dashboard_cmd, demo_cmd, sample_data_cmd,
                 wellness_group):
    cli.add_command(_command)


def main() -> None:
    """The console script: ``trainlog ...`` (and ``python -m trainlog ...``)."""
    cli(prog_name="trainlog")


if __name__ == "__main__":
    main()
