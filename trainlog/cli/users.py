"""``trainlog users add|list|remove``: the dashboard's logins."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from trainlog.cli.options import data_dir_option, friendly_errors
from trainlog.text import printable


@click.group("users")
def users_group() -> None:
    """Dashboard logins (needed to serve on any address but 127.0.0.1)."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["coach", "athlete"]), required=True,
              help="A coach sees every athlete; an athlete only their own.")
@click.option("--athlete", "athlete_name", default=None, help="For --role athlete: the athlete this user may see.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of prompting.")
@data_dir_option
@friendly_errors
def users_add(name: str, role: str, athlete_name: str | None, password_stdin: bool, data_dir: Path | None) -> None:
    """Add (or replace) a dashboard user; the password is stored hashed.

    \b
    Examples:
      trainlog users add coach1 --role coach
      trainlog users add mara --role athlete --athlete mara
    """
    from trainlog.store import Store
    from trainlog.store.users import add_user

    store = Store(data_dir)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    add_user(store.data_dir, name, password, role, athlete_name)
    click.echo(f"user {name} ({role}{' of ' + athlete_name if role == 'athlete' else ''}) saved in {store.data_dir}")


@users_group.command("list")
@data_dir_option
@friendly_errors
def users_list(data_dir: Path | None) -> None:
    """List the dashboard users and what they may see."""
    from trainlog.store import Store
    from trainlog.store.users import load_users

    data = Store(data_dir).data_dir
    users = load_users(data)
    if not users:
        click.echo(f"no users in {printable(data)}; add one with: trainlog users add NAME --role coach")
    for user in users.values():
        click.echo(f"{printable(user.name):<20} {printable(user.role):<8} {printable(user.athlete or 'all athletes')}")


@users_group.command("remove")
@click.argument("name")
@data_dir_option
@friendly_errors
def users_remove(name: str, data_dir: Path | None) -> None:
    """Remove a dashboard user."""
    from trainlog.store import Store
    from trainlog.store.users import remove_user

    remove_user(Store(data_dir).data_dir, name)
    click.echo(f"user {name} removed")
