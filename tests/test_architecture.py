"""The house rules of docs/ARCHITECTURE.md, checked on the source tree.

The package tree is the stages: a module's layer is its subpackage, and imports
point only to the same or a lower layer, so no stage reaches forward and no two
modules import each other (directly or round a loop). Lazy imports inside
functions count too: a cycle hidden in a function is still a cycle for a reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Lower number, lower layer: a module may import its own layer or a lower one.
LAYERS = {
    "trainlog.words": 0, "trainlog.errors": 0, "trainlog.text": 0, "trainlog.days": 0, "trainlog.atomic": 0,
    "trainlog.units": 0,
    "trainlog.settings": 1,
    "trainlog.store": 2,
    "trainlog.ingest": 3,
    "trainlog.analysis": 4,
    "trainlog.export": 5,  # reads through the store and the analysis; the dashboard's downloads use it
    "trainlog.cluster": 5,  # many athletes on Dask: imports and analyses through the same library as one athlete
    "dashboards": 6,
    "trainlog.cli": 7, "trainlog.__main__": 7,  # the outermost shell: `trainlog dashboard` starts the app
    "trainlog": 8,  # the package's __init__: re-exports the public API from every layer
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def sources() -> dict[str, Path]:
    files = [*(ROOT / "trainlog").rglob("*.py"), *(ROOT / "dashboards").rglob("*.py")]
    return {module_name(p): p for p in files}


MODULES = sources()


def layer(name: str) -> int:
    best = max((k for k in LAYERS if name == k or name.startswith(k + ".")), key=len)
    return LAYERS[best]


def resolve(name: str) -> str | None:
    """The project module an imported name lives in (a submodule, or the package that defines it)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(name: str) -> set[str]:
    """Project modules ``name`` imports, at module level or inside functions."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # "from pkg import sub" imports the submodule; "from mod import name" imports mod
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        if isinstance(node, ast.ImportFrom) and node.module == "trainlog" and {a.name for a in node.names} == {"__version__"}:
            continue  # the version string, defined in the root package before anything is imported
        for target in targets:
            if target.split(".")[0] in ("trainlog", "dashboards") and (module := resolve(target)) and module != name:
                found.add(module)
    return found


GRAPH = {name: imports_of(name) for name in MODULES}


def test_trainlog_has_at_most_eight_top_level_modules():
    top = sorted(p.name for p in (ROOT / "trainlog").glob("*.py"))
    assert len(top) <= 8, top


@pytest.mark.parametrize("package", ["trainlog", "dashboards"])
def test_no_module_over_500_lines(package):
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / package).rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 500}
    assert long == {}


def test_imports_point_down_the_layers():
    upward = sorted(f"{a} -> {b}" for a, deps in GRAPH.items() for b in deps
                    if a != "trainlog" and layer(b) > layer(a))
    assert upward == []


def test_no_import_cycle():
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for dep in sorted(GRAPH.get(node, ())):
            if dep not in GRAPH or dep == "trainlog":
                continue  # the package root re-exports the public API; nothing inside imports it back (checked below)
            if state.get(dep) == 1:
                cycles.append(" -> ".join(stack[stack.index(dep):] + [dep]))
            elif dep not in state:
                visit(dep, [*stack, dep])
        state[node] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_only_the_version_is_imported_from_the_package_root():
    """Modules import from where a name lives, not from ``trainlog`` (which imports them all)."""
    offenders = []
    for name, path in MODULES.items():
        if name == "trainlog":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "trainlog" and not node.level:
                names = {a.name for a in node.names} - {"__version__"}
                offenders += [f"{name}: from trainlog import {n}" for n in sorted(names)]
    assert offenders == []


@pytest.mark.parametrize("package", ["trainlog_dev", "dashboards"])
def test_the_library_imports_the_dev_tools_and_the_app_only_in_the_commands_that_run_them(package):
    """trainlog_dev (sample generator, FIT writer, fuzzer) and the Dash app are loaded only by
    ``trainlog sample-data`` and ``trainlog dashboard``/``demo``, never when a library module is imported."""
    offenders = []
    for name, path in MODULES.items():
        if name.split(".")[0] != "trainlog":
            continue
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                offenders += [f"{name}: {m}" for m in mods if m.split(".")[0] == package]
    assert offenders == []
