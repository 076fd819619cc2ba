"""trainlog.cli.allocator: the command line's process gives freed memory back (jemalloc's options for Polars, glibc's
mmap threshold), set before Polars loads, a user's own setting kept."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from trainlog.cli import allocator

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _proc(code: str, **env: str) -> subprocess.CompletedProcess:
    """``python -c code`` without the allocator variables of this environment, plus ``env``."""
    environ = {k: v for k, v in os.environ.items() if k not in ("_RJEM_MALLOC_CONF", "MALLOC_MMAP_THRESHOLD_")}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**environ, **env}, capture_output=True,
                          text=True)


def _run(code: str, **env: str) -> str:
    out = _proc(code, **env)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


CONF_SEEN = ("from trainlog.cli import allocator; allocator.configure(); import os; "
             "print(os.environ.get('_RJEM_MALLOC_CONF'))")


def test_the_options_are_set_before_polars_loads():
    assert _run(CONF_SEEN) == allocator.jemalloc_options()


def test_a_users_own_options_are_kept():
    assert _run(CONF_SEEN, _RJEM_MALLOC_CONF="narenas:1") == "narenas:1"


def test_what_a_parent_processs_polars_wrote_is_not_a_users_choice():
    """A program that imported Polars (a benchmark, a notebook) passes Polars' own defaults on to the trainlog it
    starts: those are replaced; a user's options after them are kept."""
    ours = allocator.jemalloc_options()
    assert _run(CONF_SEEN, _RJEM_MALLOC_CONF=allocator.POLARS_DEFAULT) == ours
    inherited = "import polars, subprocess, sys; subprocess.run([sys.executable, '-c', " + repr(CONF_SEEN) + "])"
    assert _run(inherited) == ours
    assert _run(CONF_SEEN, _RJEM_MALLOC_CONF=allocator.POLARS_DEFAULT + ",narenas:1") == \
        allocator.POLARS_DEFAULT + ",narenas:1"


def test_nothing_is_set_once_polars_is_loaded():
    """jemalloc read its options when Polars loaded (Polars' own, which it puts in the variable): setting them
    afterwards would only mislead."""
    seen = _run("import polars; " + CONF_SEEN)
    assert "dirty_decay_ms" in seen and allocator.JEMALLOC_CONF not in seen


def test_polars_takes_the_options():
    """Polars' jemalloc reads the variable configure() sets: an option it does not know makes it say so on
    stderr (jemalloc's own check), one it knows does not."""
    code = "from trainlog.cli import allocator; allocator.configure(); import polars as pl; pl.Series([1, 2]).sum()"
    good, bad = _proc(code), _proc(code, _RJEM_MALLOC_CONF="no_such_option:1")
    assert good.returncode == 0 and "Invalid conf" not in good.stderr
    assert "Invalid conf pair: no_such_option:1" in bad.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt is Linux's")
def test_the_command_line_configures_its_process():
    """``trainlog`` (main) sets the options before any command imports Polars."""
    code = ("import sys; sys.argv = ['trainlog', '--version']\n"
            "from trainlog import cli\n"
            "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
            "import os; print(os.environ.get('_RJEM_MALLOC_CONF'))")
    assert _run(code).splitlines()[-1].endswith(allocator.JEMALLOC_CONF)
