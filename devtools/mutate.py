#!/usr/bin/env python
"""Mutation testing of trainlog's analysis modules (issue 11): do the tests pin every rule?

A small AST mutator (mutmut does not fit here: see devtools/README.md). For each
target module it makes every mutant from the operators below, writes it into a
temporary copy of the project, runs the tests that exercise the module (fastest
file first, ``pytest -x``: the first failure kills the mutant), and restores
the module. Prints killed / survived / timeout per module and every survivor
(file:line, original and mutated line), and writes the same as JSON and
Markdown to ``devtools/out/`` (git-ignored).

    .venv/bin/python devtools/mutate.py                    # every target, 2 jobs
    .venv/bin/python devtools/mutate.py --module fitness   # one module
    .venv/bin/python devtools/mutate.py --only fitness:86:58:cmp_Gt_GtE
    .venv/bin/python devtools/mutate.py --list --module goal

The project is never changed: each job gets its own copy (``git archive HEAD``,
or the working tree with ``--source worktree``) under a temporary directory.
Each mutant runs in a process forked from this one, which has imported the
third-party libraries (Polars, pytest, plotly, ...) but never run any Polars
code (a fork after Polars has started its thread pool can deadlock), so a
mutant costs its tests, not the interpreter's start-up.

Mutant IDs are ``module:line:column:operator`` (line and column 1-based, in
characters), stable while the module's text is: ``--only ID`` reruns one.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "devtools" / "out"  # mutate-report.md / .json; --out names another stem
README = ROOT / "devtools" / "README.md"

#: Target module -> the test files that exercise it (run fastest first; missing files are skipped).
#: ``tests/test_<module>.py`` is always tried first.
TARGETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "fitness": ("trainlog/analysis/fitness.py", ("tests/test_pipeline.py", "tests/test_daily.py")),
    "elevation": (
        "trainlog/analysis/elevation.py",
        ("tests/test_load.py", "tests/test_daily.py", "tests/test_goal.py", "tests/test_elevation_accuracy.py"),
    ),
    "load": ("trainlog/analysis/load.py", ("tests/test_daily.py", "tests/test_pipeline.py")),
    "goal": ("trainlog/analysis/goal.py", ("tests/test_pipeline.py",)),
    "plan": ("trainlog/analysis/plan.py", ()),
    "daily": ("trainlog/analysis/daily.py", ("tests/test_weekly.py", "tests/test_goal.py", "tests/test_pipeline.py")),
    "repair": ("trainlog/ingest/repair.py", ("tests/test_load.py", "tests/test_daily.py", "tests/test_importer.py")),
    "activity": (
        "trainlog/analysis/activity.py",
        ("tests/test_load.py", "tests/test_daily.py", "tests/test_weekly.py", "tests/test_goal.py",
         "tests/test_pipeline.py"),
    ),
}

#: Third-party modules imported once before forking (saves their import in every mutant).
PRELOAD = ("numpy", "polars", "polars.testing", "pandas", "pyarrow", "pytest", "hypothesis", "plotly.graph_objects",
           "plotly.express", "dash", "flask", "click", "fitparse", "rich", "platformdirs", "filelock", "orjson")

# ---------------------------------------------------------------- operators

BINOP_SWAPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.Pow: ast.Mult,
               ast.FloorDiv: ast.Div, ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd}
SYMBOL = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.FloorDiv: "//",
          ast.BitAnd: "&", ast.BitOr: "|", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
          ast.Eq: "==", ast.NotEq: "!=", ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in",
          ast.And: "and", ast.Or: "or"}
CMP_SWAPS = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
             ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}
#: Method (Polars expression / Series) and builtin swaps.
METHOD_SWAPS = {"min": "max", "max": "min", "arg_min": "arg_max", "arg_max": "arg_min", "sum": "mean",
                "mean": "sum", "median": "mean", "cum_max": "cum_min", "cum_min": "cum_max",
                "rolling_sum": "rolling_mean", "rolling_mean": "rolling_sum", "rolling_sum_by": "rolling_mean_by",
                "rolling_mean_by": "rolling_sum_by", "forward_fill": "backward_fill",
                "backward_fill": "forward_fill", "is_null": "is_not_null", "is_not_null": "is_null",
                "first": "last", "last": "first", "head": "tail", "tail": "head", "any": "all", "all": "any",
                "floor": "ceil", "ceil": "floor", "is_nan": "is_not_nan"}
BUILTIN_SWAPS = {"min": "max", "max": "min", "any": "all", "all": "any"}
#: Methods whose call is dropped (``x.abs()`` -> ``x``).
DROPPED_METHODS = {"abs"}
#: String keyword values that are switches, not names: keyword -> value -> replacement.
KEYWORD_STRINGS = {
    "closed": {"right": "left", "left": "right", "both": "none", "none": "both"},
    "how": {"left": "inner", "inner": "left", "anti": "semi", "semi": "anti", "full": "inner"},
    "strategy": {"forward": "backward", "backward": "forward"},
}
#: Calls whose arguments are messages, not rules (their subtrees are not mutated).
MESSAGE_CALLS = {"print", "warn", "debug", "info", "warning", "error", "exception", "critical", "log"}
#: Keywords that switch a call's return type (``named=True``, ``eager=True``): every flip crashes, none tests a rule.
TYPE_KEYWORDS = {"named", "eager"}
BOOLEAN_METHODS = {"is_null", "is_not_null", "is_nan", "is_not_nan", "is_in", "is_between", "any", "all"}


@dataclass(frozen=True)
class Mutant:
    module: str
    path: str  # relative to the project
    line: int  # 1-based
    col: int  # 1-based, characters
    op: str
    function: str  # enclosing function ("<module>" at top level)
    start: int  # byte offsets of the replaced text
    end: int
    replacement: str

    @property
    def id(self) -> str:
        return f"{self.module}:{self.line}:{self.col}:{self.op}"


class _Source:
    """A module's text with byte offsets (AST columns are UTF-8 byte offsets)."""

    def __init__(self, text: str):
        self.text = text
        self.data = text.encode()
        self.line_starts = [0]
        for line in self.data.splitlines(keepends=True):
            self.line_starts.append(self.line_starts[-1] + len(line))

    def offset(self, lineno: int, col: int) -> int:
        return self.line_starts[lineno - 1] + col

    def start(self, node: ast.AST) -> int:
        return self.offset(node.lineno, node.col_offset)

    def end(self, node: ast.AST) -> int:
        return self.offset(node.end_lineno, node.end_col_offset)

    def segment(self, a: int, b: int) -> str:
        return self.data[a:b].decode()

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column), both 1-based, the column in characters."""
        lo, hi = 0, len(self.line_starts) - 1
        while lo < hi - 1:
            mid = (lo + hi) // 2
            if self.line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid
        return lo + 1, len(self.data[self.line_starts[lo]:offset].decode()) + 1

    def line(self, lineno: int) -> str:
        return self.data[self.line_starts[lineno - 1]:self.line_starts[lineno]].decode().rstrip("\n")


def _strip_gap(gap: str) -> str:
    """The operator between two operands: the gap less whitespace, parentheses, line continuations, comments."""
    gap = re.sub(r"#[^\n]*", "", gap)
    return " ".join(re.sub(r"[()\\]", " ", gap).split())


def _is_docstring(node: ast.AST, parent: ast.AST | None) -> bool:
    return (
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        and isinstance(parent, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
    )


def _is_message_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    return name in MESSAGE_CALLS


def _returns_kind(fn: ast.AST) -> str | None:
    """"num", "bool", "expr" (a Polars Expr / Series) or None, from a function's return annotation."""
    ann = getattr(fn, "returns", None)
    if ann is None:
        return None
    text = ast.unparse(ann).strip("'\"")
    if text in ("float", "int"):
        return "num"
    if text == "bool":
        return "bool"
    if text in ("pl.Expr", "pl.Series", "polars.Expr", "polars.Series"):
        return "expr"
    return None


def _is_boolean(node: ast.AST) -> bool:
    if isinstance(node, (ast.Compare, ast.BoolOp)):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.Invert)):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.BitAnd, ast.BitOr)):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in BOOLEAN_METHODS:
            return True
        if node.func.attr == "fill_null" and node.args and isinstance(node.args[0], ast.Constant):
            return isinstance(node.args[0].value, bool)
    return False


def _has_string_literal(node: ast.AST) -> bool:
    """True when a ``pl.lit("...")`` is inside: a String-valued expression has no negation."""
    for sub in ast.walk(node):
        if (isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr == "lit"
                and sub.args and isinstance(sub.args[0], ast.Constant) and isinstance(sub.args[0].value, str)):
            return True
    return False


def _is_str(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


class _Collector:
    def __init__(self, module: str, path: str, text: str):
        self.module, self.path = module, path
        self.src = _Source(text)
        self.tree = ast.parse(text)
        self.mutants: list[Mutant] = []
        self.skipped: list[str] = []

    # -- helpers
    def add(self, a: int, b: int, replacement: str, op: str, function: str, at: int | None = None) -> None:
        line, col = self.src.position(a if at is None else at)
        self.mutants.append(Mutant(self.module, self.path, line, col, op, function, a, b, replacement))

    def operator_between(self, left: ast.AST, right: ast.AST, symbol: str) -> int | None:
        """Byte offset of ``symbol`` between two operands, or None (then the mutant is skipped)."""
        a, b = self.src.end(left), self.src.start(right)
        gap = self.src.segment(a, b)
        if _strip_gap(gap) != symbol:
            self.skipped.append(f"{self.path}:{left.end_lineno}: operator {symbol!r} not found in {gap!r}")
            return None
        words = symbol.split()
        match = re.search(r"\s+".join(re.escape(w) for w in words), re.sub(r"#[^\n]*", lambda m: " " * len(m.group()), gap))
        return a + len(gap[:match.start()].encode()) if match else None

    # -- walk
    def collect(self) -> list[Mutant]:
        self.visit(self.tree, None, "<module>", None)
        unique: dict[str, Mutant] = {}
        original = ast.dump(self.tree)
        for m in self.mutants:
            mutated = self.src.data[:m.start] + m.replacement.encode() + self.src.data[m.end:]
            try:
                tree = ast.parse(mutated)
            except SyntaxError as exc:
                self.skipped.append(f"{m.id}: mutant does not parse ({exc.msg})")
                continue
            if ast.dump(tree) == original:
                continue
            key, n = m.id, 2
            while key in unique:
                key, n = f"{m.id}#{n}", n + 1
            unique[key] = m if key == m.id else Mutant(**{**asdict(m), "op": f"{m.op}#{n - 1}"})
        return list(unique.values())

    def visit(self, node: ast.AST, parent: ast.AST | None, function: str, fn_node: ast.AST | None) -> None:
        if _is_docstring(node, parent) or isinstance(node, (ast.Raise, ast.Import, ast.ImportFrom)):
            return
        if _is_message_call(node):
            return
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function, fn_node = node.name, node
            for child in node.body:
                self.visit(child, node, function, fn_node)
            for default in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]:
                self.visit(default, node, function, fn_node)
            return  # decorators, annotations and the return annotation are not rules
        if isinstance(node, ast.ClassDef):
            for child in node.body:
                self.visit(child, node, function, fn_node)
            return
        if isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self.visit(node.value, node, function, fn_node)
            return
        if isinstance(node, ast.keyword) and node.arg in TYPE_KEYWORDS:
            return
        if isinstance(node, ast.Assert):
            self.visit(node.test, node, function, fn_node)
            return
        self.mutate(node, parent, function, fn_node)
        for child in ast.iter_child_nodes(node):
            self.visit(child, node, function, fn_node)

    def mutate(self, node: ast.AST, parent: ast.AST | None, function: str, fn_node: ast.AST | None) -> None:
        src = self.src
        if isinstance(node, ast.BinOp) and type(node.op) in BINOP_SWAPS:
            if _is_str(node.left) or _is_str(node.right):
                return
            symbol, new = SYMBOL[type(node.op)], SYMBOL[BINOP_SWAPS[type(node.op)]]
            at = self.operator_between(node.left, node.right, symbol)
            if at is not None:
                self.add(at, at + len(symbol), new, f"binop_{symbol}_{new}", function)
        elif isinstance(node, ast.AugAssign) and type(node.op) in BINOP_SWAPS:
            symbol, new = SYMBOL[type(node.op)], SYMBOL[BINOP_SWAPS[type(node.op)]]
            at = self.operator_between(node.target, node.value, symbol + "=")
            if at is not None:
                self.add(at, at + len(symbol) + 1, new + "=", f"augassign_{symbol}_{new}", function)
        elif isinstance(node, ast.Compare):
            left = node.left
            for op, right in zip(node.ops, node.comparators):
                symbol, new = SYMBOL[type(op)], SYMBOL[CMP_SWAPS[type(op)]]
                at = self.operator_between(left, right, symbol)
                if at is not None:
                    # the operator ends where its last word ends ("is not", "not in")
                    last = symbol.split()[-1]
                    stop = at + src.segment(at, src.start(right)).encode().index(last.encode()) + len(last)
                    self.add(at, stop, new, f"cmp_{type(op).__name__}_{CMP_SWAPS[type(op)].__name__}", function)
                left = right
        elif isinstance(node, ast.BoolOp):
            symbol = SYMBOL[type(node.op)]
            new = "or" if symbol == "and" else "and"
            for left, right in zip(node.values, node.values[1:]):
                at = self.operator_between(left, right, symbol)
                if at is not None:
                    self.add(at, at + len(symbol), new, f"boolop_{symbol}_{new}", function)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.Invert, ast.USub)):
            if isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
                return  # the constant's own mutants cover it
            name = {ast.Not: "not_del", ast.Invert: "invert_del", ast.USub: "usub_del"}[type(node.op)]
            operand = src.segment(src.start(node.operand), src.end(node.operand))
            self.add(src.start(node), src.end(node), f"({operand})", name, function)
        elif isinstance(node, ast.Constant):
            self.constant(node, parent, function)
        elif isinstance(node, ast.keyword) and node.arg is not None and isinstance(node.value, ast.Constant):
            value = node.value.value
            if node.arg == "ddof" and value == 1:
                self.add(src.start(node.value), src.end(node.value), "0", "kw_ddof_0", function)
            swaps = KEYWORD_STRINGS.get(node.arg, {})
            if isinstance(value, str) and value in swaps:
                self.add(src.start(node.value), src.end(node.value), repr(swaps[value]),
                         f"kw_{node.arg}_{swaps[value]}", function)
        elif isinstance(node, ast.Call):
            self.call(node, function)
        elif isinstance(node, ast.Return) and node.value is not None and fn_node is not None:
            self.return_value(node, function, fn_node)

    def constant(self, node: ast.Constant, parent: ast.AST | None, function: str) -> None:
        src, value = self.src, node.value
        a, b = src.start(node), src.end(node)
        if isinstance(value, bool):
            self.add(a, b, str(not value), f"bool_{value}_{not value}", function)
        elif isinstance(value, int):
            self.add(a, b, str(value + 1), "num_inc", function)
        elif isinstance(value, float):
            if value == 0.0:
                self.add(a, b, "1.0", "num_0_1", function)
            else:
                self.add(a, b, f"(-{src.segment(a, b)})", "num_neg", function)

    def call(self, node: ast.Call, function: str) -> None:
        src, func = self.src, node.func
        if isinstance(func, ast.Attribute):
            name_end = src.end(func)
            name_start = name_end - len(func.attr)
            if func.attr in METHOD_SWAPS:
                new = METHOD_SWAPS[func.attr]
                self.add(name_start, name_end, new, f"method_{func.attr}_{new}", function)
            if func.attr in DROPPED_METHODS and not node.args and not node.keywords:
                dot = src.data.rindex(b".", src.start(func), name_start)  # the value may end before a ")"
                self.add(dot, src.end(node), "", f"method_{func.attr}_del", function, at=name_start)
            if func.attr == "shift":
                arg = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "n"), None)
                if arg is not None:
                    text = src.segment(src.start(arg), src.end(arg))
                    self.add(src.start(arg), src.end(arg), f"-({text})", "shift_neg", function)
        elif isinstance(func, ast.Name) and func.id in BUILTIN_SWAPS:
            new = BUILTIN_SWAPS[func.id]
            self.add(src.start(func), src.end(func), new, f"call_{func.id}_{new}", function)

    def return_value(self, node: ast.Return, function: str, fn_node: ast.AST) -> None:
        kind = _returns_kind(fn_node)
        value = node.value
        doc = ast.get_docstring(fn_node) or ""
        if kind == "expr" and "String" in doc:
            return  # a String expression (the docstrings state dtypes) has no negation
        if kind is None or isinstance(value, ast.Tuple) or (isinstance(value, ast.Constant) and value.value is None):
            return
        if (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "lit"
                and value.args and isinstance(value.args[0], ast.Constant) and value.args[0].value is None):
            return  # -(null) is null
        src = self.src
        a, b = src.start(value), src.end(value)
        text = src.segment(a, b)
        if kind == "bool" or (kind == "num" and _is_boolean(value)):
            self.add(a, b, f"not ({text})", "return_not", function)
        elif kind == "num":
            self.add(a, b, f"-({text})", "return_neg", function)
        elif kind == "expr" and not _has_string_literal(value):
            if _is_boolean(value):
                self.add(a, b, f"~({text})", "return_invert", function)
            else:
                self.add(a, b, f"-({text})", "return_neg", function)


def mutants_of(module: str, path: str, text: str) -> tuple[list[Mutant], list[str]]:
    collector = _Collector(module, path, text)
    return collector.collect(), collector.skipped


def apply(text: str, mutant: Mutant) -> str:
    data = text.encode()
    return (data[:mutant.start] + mutant.replacement.encode() + data[mutant.end:]).decode()


# ---------------------------------------------------------------- running


@dataclass
class Result:
    id: str
    module: str
    path: str
    line: int
    col: int
    op: str
    function: str
    original: str
    mutated: str
    status: str  # killed, survived, timeout, error
    seconds: float
    killed_by: str = ""
    equivalent: str = ""  # the reason given in devtools/README.md, when listed there


def make_copy(base: Path, source: str, index: int) -> Path:
    """A copy of the project at ``base/job<index>/main`` (its tests find the corpus through TRAINLOG_CORPUS)."""
    dest = base / f"job{index}" / "main"
    dest.mkdir(parents=True)
    if source == "head":
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", "HEAD"], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    else:
        ignore = shutil.ignore_patterns(".git", ".venv", "__pycache__", ".pytest_cache", ".hypothesis", "artifacts",
                                        "out", "*.egg-info", "mutants")
        shutil.copytree(ROOT, dest, ignore=ignore, dirs_exist_ok=True)
    return dest


def _child(copy: Path, tests: list[str], log: Path, extra: list[str]) -> None:
    """In the forked process: run the tests of ``copy``; never returns."""
    code = 3
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.setpgid(0, 0)
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.chdir(copy)
        sys.dont_write_bytecode = True  # a mutant never leaves a .pyc behind for the next one
        sys.path[:0] = [str(copy), str(copy / "tests")]
        for name in [n for n in sys.modules if n.split(".")[0] in ("trainlog", "dashboards", "tests")]:
            del sys.modules[name]
        import pytest

        code = int(pytest.main([*tests, "-x", "-q", "-p", "no:cacheprovider", "--tb=line", "--rootdir", str(copy),
                                "--hypothesis-seed=0", *extra]))
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException as exc:  # noqa: BLE001 - anything here is reported through the exit code and the log
        print(f"mutate.py child: {exc!r}", file=sys.stderr, flush=True)
    finally:
        os._exit(code)


def _first_failure(log: Path) -> str:
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    for line in lines:
        if line.startswith(("FAILED ", "ERROR ")):
            return line[:300]
    for line in lines:
        if "Error" in line or "error" in line:
            return line.strip()[:300]
    return lines[-1][:300] if lines else ""


@dataclass
class _Job:
    slot: int
    pid: int
    started: float
    deadline: float
    mutant: Mutant | None
    tests: list[str]
    label: str


class Pool:
    """Runs test selections in forked children, one per copy of the project."""

    def __init__(self, copies: list[Path], logs: Path, pytest_args: list[str]):
        self.pytest_args = pytest_args
        self.copies = copies
        self.logs = logs
        self.free = list(range(len(copies)))
        self.running: dict[int, _Job] = {}

    def start(self, tests: list[str], timeout: float, mutant: Mutant | None, text: str | None, label: str) -> None:
        slot = self.free.pop(0)
        copy = self.copies[slot]
        if mutant is not None:
            (copy / mutant.path).write_text(apply(text, mutant))
        log = self.logs / f"job{slot}.log"
        pid = os.fork()
        if pid == 0:
            _child(copy, tests, log, self.pytest_args)
        try:
            os.setpgid(pid, pid)
        except OSError:
            pass
        now = time.monotonic()
        self.running[pid] = _Job(slot, pid, now, now + timeout, mutant, tests, label)

    def wait(self) -> tuple[_Job, str, float, str]:
        """Block until a job ends: (job, status, seconds, first failure). Restores the copy's module."""
        while True:
            pid, status = os.waitpid(-1, os.WNOHANG)
            now = time.monotonic()
            if pid in self.running:
                job = self.running.pop(pid)
                code = os.waitstatus_to_exitcode(status)
                verdict = "survived" if code == 0 else "killed" if code in (1, 2) else "error"
                return self._done(job, verdict, now)
            for job in list(self.running.values()):
                if now > job.deadline:
                    try:
                        os.killpg(job.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    os.waitpid(job.pid, 0)
                    del self.running[job.pid]
                    return self._done(job, "timeout", now)
            time.sleep(0.02)

    def _done(self, job: _Job, verdict: str, now: float) -> tuple[_Job, str, float, str]:
        log = self.logs / f"job{job.slot}.log"
        failure = _first_failure(log) if verdict != "survived" else ""
        if verdict == "error":
            shutil.copyfile(log, self.logs / f"error-{job.label.replace(':', '_').replace('/', '_')}.log")
        if job.mutant is not None:
            (self.copies[job.slot] / job.mutant.path).write_text(ORIGINALS[job.mutant.path])
        self.free.append(job.slot)
        self.free.sort()
        return job, verdict, now - job.started, failure

    def kill_all(self) -> None:
        for job in list(self.running.values()):
            try:
                os.killpg(job.pid, signal.SIGKILL)
                os.waitpid(job.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            if job.mutant is not None:
                (self.copies[job.slot] / job.mutant.path).write_text(ORIGINALS[job.mutant.path])
        self.running.clear()


ORIGINALS: dict[str, str] = {}


def equivalents(readme: Path = README) -> dict[str, str]:
    """Mutant ID -> reason, from the README's "Equivalent mutants" section (``- `ID` ...: reason``)."""
    if not readme.is_file():
        return {}
    text = readme.read_text()
    start = text.find("## Equivalent mutants")
    if start < 0:
        return {}
    section = text[start:].split("\n## ", 1)[0]
    found = {}
    for line in section.splitlines():
        if not re.match(r"\s*[-*]\s+`", line):
            continue
        ids = re.findall(r"`([a-z_]+:\d+:\d+:[^`\s]+)`", line)
        reason = line.rsplit("`: ", 1)[-1].strip() if "`: " in line else ""
        for mutant_id in ids:
            found[mutant_id] = reason or "listed in devtools/README.md"
    return found


def _fmt_seconds(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 120 else f"{seconds:.1f} s"


def run(args: argparse.Namespace) -> int:
    modules = args.module or list(TARGETS)
    unknown = [m for m in modules if m not in TARGETS]
    if unknown:
        print(f"unknown module(s) {', '.join(unknown)}; targets: {', '.join(TARGETS)}", file=sys.stderr)
        return 2
    notes: list[str] = []
    plan: dict[str, tuple[str, list[Mutant]]] = {}
    if args.source == "head":
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
    else:
        commit = "working tree"
    base = Path(tempfile.mkdtemp(prefix="trainlog-mutate-"))
    pool = None
    try:
        copies = [make_copy(base, args.source, i) for i in range(max(1, args.jobs))]
        for module in modules:
            path, _ = TARGETS[module]
            file = copies[0] / path
            if not file.is_file():
                notes.append(f"{module}: {path} does not exist in {commit}: skipped")
                continue
            text = file.read_text()
            ORIGINALS[path] = text
            mutants, skipped = mutants_of(module, path, text)
            notes.extend(skipped)
            if args.only:
                mutants = [m for m in mutants if m.id in args.only]
            if args.op:
                mutants = [m for m in mutants if any(m.op.startswith(p) for p in args.op)]
            plan[module] = (path, mutants)
        for note in notes:
            print(f"note: {note}")
        if args.list:
            for module, (path, mutants) in plan.items():
                src = _Source(ORIGINALS[path])
                for m in mutants:
                    print(f"{m.id:45} {src.line(m.line).strip()}")
                print(f"# {module}: {len(mutants)} mutants")
            return 0
        plan = {module: value for module, value in plan.items() if value[1]}
        if args.only:
            missing = set(args.only) - {m.id for _, ms in plan.values() for m in ms}
            if missing:
                print(f"no such mutant: {', '.join(sorted(missing))} (see --list)", file=sys.stderr)
                return 2
        selection = {}
        for module in plan:
            _, extra = TARGETS[module]
            files = [f"tests/test_{module}.py", *extra] if args.tests is None else args.tests
            files = list(dict.fromkeys(f for f in files if (copies[0] / f).is_file()))
            if not files:
                print(f"{module}: no test file found", file=sys.stderr)
                return 2
            selection[module] = files
        logs = base / "logs"
        logs.mkdir()
        for name in PRELOAD:  # import only: no Polars code runs in this process (fork safety)
            try:
                __import__(name)
            except Exception:  # noqa: BLE001 - a missing optional library is imported by the child if needed
                pass
        os.environ.setdefault("TRAINLOG_CORPUS", str(ROOT.parent / "shared" / "fit_corpus"))
        os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
        pytest_args = ([] if args.slow else ["-m", "not slow"]) + [f"--deselect={d}" for d in args.deselect or []]
        pool = Pool(copies, logs, pytest_args)

        # 1. the unmutated copy must pass; each file's time orders the selection and sets the timeouts
        started = time.monotonic()
        files = sorted({f for fs in selection.values() for f in fs})
        durations: dict[str, float] = {}
        failed = []
        queue = list(files)
        print(f"baseline: {len(files)} test files on the unmutated copy ({commit}), {len(copies)} jobs", flush=True)
        while queue or pool.running:
            while queue and pool.free:
                f = queue.pop(0)
                pool.start([f], args.baseline_timeout, None, None, f"baseline {f}")
            job, verdict, seconds, failure = pool.wait()
            durations[job.tests[0]] = seconds
            print(f"  {job.tests[0]:40} {verdict:8} {seconds:6.1f} s", flush=True)
            if verdict != "survived":
                failed.append((job.tests[0], verdict, failure, (logs / f"job{job.slot}.log").read_text()[-3000:]))
        if failed:
            for f, verdict, failure, tail in failed:
                print(f"\nthe unmutated copy fails: {f} ({verdict}): {failure}\n{tail}", file=sys.stderr)
            return 1
        baseline_s = time.monotonic() - started
        for module, fs in selection.items():  # the module's own test file first, then the fastest
            fs.sort(key=lambda f, own=f"tests/test_{module}.py": (f != own, durations[f]))

        # 2. the mutants
        listed = equivalents()
        todo = [(module, m) for module, (_, ms) in plan.items() for m in ms]
        timeouts = {module: args.timeout_factor * sum(durations[f] for f in fs) + args.timeout_add
                    for module, fs in selection.items()}
        print(f"\n{len(todo)} mutants in {', '.join(f'{k} ({len(v[1])})' for k, v in plan.items())}", flush=True)
        for module, fs in selection.items():
            print(f"  {module}: {' '.join(fs)} (timeout {timeouts[module]:.0f} s)")
        results: list[Result] = []
        by_id = {m.id: (module, m) for module, m in todo}
        mutants_started = time.monotonic()
        n = 0
        try:
            while todo or pool.running:
                while todo and pool.free:
                    module, m = todo.pop(0)
                    pool.start(selection[module], timeouts[module], m, ORIGINALS[m.path], m.id)
                job, verdict, seconds, failure = pool.wait()
                m = job.mutant
                module = by_id[m.id][0]
                src = _Source(ORIGINALS[m.path])
                mutated_text = apply(ORIGINALS[m.path], m)
                mutated_line = _Source(mutated_text).line(m.line)
                results.append(Result(m.id, module, m.path, m.line, m.col, m.op, m.function, src.line(m.line).strip(),
                                      mutated_line.strip(), verdict, round(seconds, 2), failure,
                                      listed.get(m.id, "") if verdict == "survived" else ""))
                n += 1
                flag = "" if verdict in ("killed",) else "  <--"
                print(f"[{n}/{len(by_id)}] {verdict:8} {seconds:5.1f} s  {m.id}{flag}", flush=True)
        except KeyboardInterrupt:
            pool.kill_all()
            print("interrupted: partial results", file=sys.stderr)
        wall = time.monotonic() - mutants_started
        report(results, plan, selection, timeouts, notes, listed, commit, args, baseline_s, wall)
        return 0
    finally:
        if pool is not None:
            pool.kill_all()
        if args.keep:
            print(f"copies kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


def summarise(results: list[Result], modules: list[str]) -> list[dict]:
    rows = []
    for module in [*modules, "all"]:
        rs = [r for r in results if module in ("all", r.module)]
        if not rs:
            continue
        count = {s: sum(r.status == s for r in rs) for s in ("killed", "survived", "timeout", "error")}
        equivalent = sum(r.status == "survived" and bool(r.equivalent) for r in rs)
        caught = count["killed"] + count["timeout"]
        scored = len(rs) - equivalent - count["error"]
        rows.append({
            "module": module, "total": len(rs), **count, "equivalent": equivalent,
            "killed_pct": round(100 * caught / (len(rs) - count["error"]), 1) if len(rs) > count["error"] else None,
            "killed_non_equivalent_pct": round(100 * caught / scored, 1) if scored else None,
            "seconds": round(sum(r.seconds for r in rs), 1),
        })
    return rows


def report(results, plan, selection, timeouts, notes, listed, commit, args, baseline_s, wall) -> None:
    modules = list(plan)
    rows = summarise(results, modules)
    survivors = [r for r in results if r.status in ("survived", "error")]
    ran = {r.id for r in results}
    # listed as equivalent but killed: the list is out of date
    stale = sorted((set(listed) & ran) - {r.id for r in results if r.status == "survived"})
    header = (f"{'module':10} {'total':>6} {'killed':>7} {'timeout':>8} {'survived':>9} {'equiv':>6} {'error':>6}"
              f" {'killed %':>9} {'non-equiv %':>12} {'cpu-time':>9}")
    lines = [header]
    for row in rows:
        pct = "-" if row["killed_pct"] is None else f"{row['killed_pct']:.1f}"
        pct_ne = "-" if row["killed_non_equivalent_pct"] is None else f"{row['killed_non_equivalent_pct']:.1f}"
        lines.append(f"{row['module']:10} {row['total']:6} {row['killed']:7} {row['timeout']:8} {row['survived']:9}"
                     f" {row['equivalent']:6} {row['error']:6} {pct:>9} {pct_ne:>12} {_fmt_seconds(row['seconds']):>9}")
    print("\n" + "\n".join(lines))
    print(f"\nbaseline {_fmt_seconds(baseline_s)}, mutants {_fmt_seconds(wall)} wall with {args.jobs} jobs ({commit})")
    if survivors:
        print("\nsurvivors:")
        for r in survivors:
            tag = f"  [equivalent: {r.equivalent}]" if r.equivalent else "" if r.status == "survived" else f"  [{r.status}]"
            print(f"  {r.path}:{r.line}  {r.id}  ({r.function}){tag}\n      - {r.original}\n      + {r.mutated}")
    if stale:
        print(f"\nlisted as equivalent in devtools/README.md but not surviving: {', '.join(stale)}")
    stem = Path(args.out) if args.out else OUT / "mutate-report"
    stem.parent.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    meta = {"date_utc": stamp, "commit": commit, "jobs": args.jobs, "baseline_s": round(baseline_s, 1),
            "mutants_wall_s": round(wall, 1), "selection": selection,
            "timeouts_s": {k: round(v, 1) for k, v in timeouts.items()}, "notes": notes}
    meta["pytest_args"] = ([] if args.slow else ["-m", "not slow"]) + [f"--deselect={d}" for d in args.deselect or []]
    stem.with_suffix(".json").write_text(json.dumps(
        {**meta, "summary": rows, "results": [asdict(r) for r in results]}, indent=1, ensure_ascii=False) + "\n")
    md = [f"# Mutation testing: {commit}, {stamp}", "",
          f"{args.jobs} jobs; baseline {_fmt_seconds(baseline_s)}, mutants {_fmt_seconds(wall)} wall; "
          f"pytest -x {' '.join(meta['pytest_args'])}", "",
          "| module | total | killed | timeout | survived | equivalent | error | killed % | non-equivalent killed % |",
          "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        md.append(f"| {row['module']} | {row['total']} | {row['killed']} | {row['timeout']} | {row['survived']} | "
                  f"{row['equivalent']} | {row['error']} | {row['killed_pct']} | {row['killed_non_equivalent_pct']} |")
    md += ["", "## Test selection", ""]
    md += [f"- {module}: {', '.join(fs)} (timeout {timeouts[module]:.0f} s)" for module, fs in selection.items()]
    md += ["", "## Survivors", ""]
    for module in modules:
        rs = [r for r in survivors if r.module == module]
        if rs:
            md.append(f"### {module}\n")
            for r in rs:
                tag = f" (equivalent: {r.equivalent})" if r.equivalent else "" if r.status == "survived" else f" ({r.status})"
                md += [f"- `{r.id}` {r.path}:{r.line}, in `{r.function}`{tag}", "  ```diff",
                       f"  - {r.original}", f"  + {r.mutated}", "  ```"]
            md.append("")
    if notes:
        md += ["## Notes", "", *[f"- {n}" for n in notes], ""]
    stem.with_suffix(".md").write_text("\n".join(md) + "\n")
    print(f"\nreport: {stem.with_suffix('.md')}, {stem.with_suffix('.json')}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--module", action="append", help=f"target module (repeatable): {', '.join(TARGETS)}")
    parser.add_argument("--jobs", type=int, default=2, help="parallel jobs, each in its own copy (default 2)")
    parser.add_argument("--only", action="append", help="run only this mutant ID (repeatable)")
    parser.add_argument("--op", action="append", help="run only operators starting with this (e.g. cmp_, num_)")
    parser.add_argument("--tests", nargs="+", help="test files to run instead of the module's selection")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--source", choices=("head", "worktree"), default="head",
                        help="copy the last commit (default) or the working tree")
    parser.add_argument("--timeout-factor", type=float, default=3.0,
                        help="a mutant times out after factor x the unmutated selection's time + --timeout-add")
    parser.add_argument("--timeout-add", type=float, default=15.0, help="seconds (default 15)")
    parser.add_argument("--baseline-timeout", type=float, default=600.0, help="seconds per file of the baseline")
    parser.add_argument("--slow", action="store_true",
                        help="also run the tests marked slow (the corpus import: ~1 min more per surviving mutant)")
    parser.add_argument("--deselect", action="append",
                        help="leave out this test (pytest node ID, repeatable): one that fails on the unmutated commit")
    parser.add_argument("--out", help="report path without suffix (default devtools/out/mutate-report)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copies")
    args = parser.parse_args(argv)
    if args.only:
        args.module = args.module or sorted({i.split(":")[0] for i in args.only})
    signal.signal(signal.SIGTERM, _interrupt)  # a kill of this process ends its test processes too
    return run(args)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
