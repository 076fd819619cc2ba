"""``trainlog check``, ``trainlog repair`` and ``trainlog audit ascent``: the dataset verified, rebuilt and audited."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from trainlog.cli.options import athlete_option, data_dir_option, echo_rows, friendly_errors, json_option, require_data
from trainlog.text import printable


@click.group("audit")
def audit_group() -> None:
    """Put trainlog's figures beside what the devices themselves said."""


@audit_group.command("ascent")
@athlete_option
@data_dir_option
@json_option
@friendly_errors
def audit_ascent(athlete: str, data_dir: Path | None, as_json: bool) -> None:
    """For every run whose device stored a total ascent: that total, the one computed
    from the altitude track, the one used (and its source), the altitude samples
    dropped as spikes, and the flag of a suspect ascent (too_fast on foot, or
    device_disagrees). A flagged run is left out of the goal's figures until you
    confirm it (trainlog activity confirm ID).

    \b
    Examples:
      trainlog audit ascent -a mara
      trainlog audit ascent -a mara --json
    """
    from trainlog.analysis.audit import ascent_lines, ascent_of, ascent_rows
    from trainlog.store import Store

    store = Store(data_dir)
    require_data(store, athlete)
    rows = ascent_rows(ascent_of(store, athlete))
    empty = f"{athlete}: no run with a device total ascent in {printable(store.data_dir)}"
    echo_rows(rows, as_json, empty, lambda: ascent_lines(athlete, rows))


@click.command("check")
@athlete_option
@click.option("--all", "all_athletes", is_flag=True, help="Check every athlete in the data directory.")
@data_dir_option
@json_option
@friendly_errors
def check_cmd(athlete: str, all_athletes: bool, data_dir: Path | None, as_json: bool) -> None:
    """Verify datasets like git fsck: manifest, every part, consistency, caches, settings.

    Prints one line per problem and a final "ok" or "N problems" line; exits
    with status 1 on any problem. Reads only: never creates or changes a file.

    \b
    Examples:
      trainlog check -a mara
      trainlog check --all --json
    """
    from trainlog.store import Store

    store = Store(data_dir)
    found = store.check_all() if all_athletes else {athlete: store.check(athlete)}
    total = sum(len(p) for p in found.values())
    if as_json:
        click.echo(json.dumps({
            "data_dir": str(store.data_dir),
            "problems": total,
            "athletes": {
                name: {"ok": not problems, "problems": [{"path": str(p.path), "problem": p.message} for p in problems]}
                for name, problems in found.items()
            },
        }, indent=2))
    else:
        for name, problems in found.items():
            for p in problems:
                click.echo(printable(p.line()))
            count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}" if problems else "ok"
            click.echo(f"{printable(name)}: {count}")
        if not found:
            click.echo(f"no datasets in {printable(store.data_dir)}")
    sys.exit(1 if total else 0)


@click.command("repair")
@athlete_option
@data_dir_option
@click.option("--dry-run", is_flag=True, help="Say what would be kept and left out; change nothing.")
@friendly_errors
def repair_cmd(athlete: str, data_dir: Path | None, dry_run: bool) -> None:
    """Rebuild an athlete's dataset.json from the Parquet parts on disk.

    Parts are taken in generation order; a commit left incomplete by a crash,
    parts a compaction replaced and parts that do not read are left out and
    moved to repair-<time>/ in the athlete's folder, never deleted. The old
    manifest is kept as dataset.json.<time>.bak. Run trainlog check afterwards.

    \b
    Examples:
      trainlog repair -a mara --dry-run
      trainlog repair -a mara
    """
    from trainlog.store import Store

    store = Store(data_dir)
    report = store.repair(athlete, dry_run=dry_run)
    if not report.changed:
        click.echo(f"{athlete}: {len(report.kept)} parts, {report.activities} activities; dataset.json already lists "
                   "them: nothing to repair")
        return
    verb = "would keep" if dry_run else "kept"
    for name in report.kept:
        click.echo(f"{verb:<10} {printable(name)}")
    for name, why in report.left_out:
        click.echo(f"{'would leave out' if dry_run else 'left out':<10} {printable(name)}: {why}")
    if dry_run:
        click.echo(f"{athlete}: dry run: dataset.json would list {len(report.kept)} parts, {report.activities} "
                   f"activities (generation {report.generation}); nothing was changed")
        return
    if report.backup:
        click.echo(f"the replaced manifest is kept as {printable(report.backup)}")
    if report.moved_to:
        click.echo(f"parts left out were moved to {printable(report.moved_to)}")
    click.echo(f"{athlete}: rebuilt dataset.json: {len(report.kept)} parts, {report.activities} activities "
               f"(generation {report.generation})")
