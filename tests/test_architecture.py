"""The import contract of ARCHITECTURE.md, over the real import graph (function-level imports
included, ``if TYPE_CHECKING:`` blocks left out: they never run)."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "odr"
HEAVY = {"pandas", "numpy", "pyarrow", "matplotlib", "jinja2", "markupsafe", "weasyprint", "scipy", "sklearn",
         "typer", "rich", "filelock"}
IMPLIES = {"pandas": {"numpy", "pyarrow"}, "matplotlib": {"numpy"}, "scipy": {"numpy"}, "sklearn": {"numpy", "scipy"},
           "typer": {"rich"}, "weasyprint": {"markupsafe"}, "jinja2": {"markupsafe"}}


@cache
def layers() -> dict[str, int]:
    """ARCHITECTURE.md's rooms: '| 3 | `odr.sources`, `odr.metrics` | ...' rows, lowest first."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    out: dict[str, int] = {}
    for number, rooms in re.findall(r"^\| (\d+) \| ([^|]+) \|", text, re.M):
        for room in re.findall(r"`(odr[\w.]*)`", rooms):
            out[room] = int(number)
    assert out, "ARCHITECTURE.md has no table of layers"
    return out


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def layer_of(module: str) -> int:
    """A module's layer: its own row, else its package's (odr.fileio.text is in odr.fileio)."""
    name = module
    while name != "odr":  # the room `odr` is the package's own __init__, not all of it
        if name in layers():
            return layers()[name]
        name = name.rpartition(".")[0]
    if module == "odr":
        return layers()["odr"]
    raise AssertionError(f"{module} is in no layer of ARCHITECTURE.md: add it to the table")


def _type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imports(module: str, path: Path) -> list[tuple[str, bool, int]]:
    """(imported module, at function level, line) for each import that runs."""
    known = modules()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, bool, int]] = []

    def resolve(name: str) -> str:
        while name and name not in known and name.split(".")[0] not in HEAVY:
            name = name.rpartition(".")[0]
        return name

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if _type_checking(child):
                for other in child.orelse:
                    visit(other, in_function)
                continue
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.Import):
                found.extend((resolve(a.name), in_function, child.lineno) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - child.level + 1] + ([base] if base else []))
                for alias in child.names:
                    sub = resolve(f"{base}.{alias.name}")
                    found.append((sub if sub != resolve(base) and sub else resolve(base), in_function, child.lineno))
            visit(child, nested)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return [(name, fn, line) for name, fn, line in found if name and name != module]


def graph() -> dict[str, set[str]]:
    return {m: {n for n, _, _ in imports(m, p) if n.startswith("odr")} for m, p in modules().items()}


def test_every_module_has_a_room_and_every_room_exists():
    names = modules()
    for module in names:
        layer_of(module)
    for room in layers():
        assert room in names, f"ARCHITECTURE.md names {room}, which is no module"


def test_imports_point_down_or_sideways_never_up():
    wrong = []
    for module, path in modules().items():
        for name, _, line in imports(module, path):
            if name.startswith("odr") and layer_of(name) > layer_of(module):
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {name} "
                             f"(layer {layer_of(name)}) from layer {layer_of(module)}")
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle():
    edges = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def strong(v: str) -> None:  # Tarjan
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                cycles.append(sorted(part))

    for v in edges:
        if v not in index:
            strong(v)
    assert not cycles, f"import cycles: {cycles}"


@cache
def _heavy_at_import(module: str) -> frozenset[str]:
    """The heavy libraries importing `module` loads (its own top-level imports, transitively)."""
    known = modules()
    out: set[str] = set()
    for name, in_function, _ in imports(module, known[module]):
        if in_function:
            continue
        if name.split(".")[0] in HEAVY:
            out |= {name.split(".")[0], *IMPLIES.get(name.split(".")[0], ())}
        elif name in known:
            out |= _heavy_at_import(name)
    return frozenset(out)


def test_odr_modules_are_imported_at_the_top_unless_that_defers_a_heavy_library():
    """A function-level import of odr's own module is only there to load pandas, matplotlib,
    WeasyPrint... when a command needs them (so `odr --help` and the parsing threads start at
    once); everything else is imported at the top of the file."""
    wrong = []
    for module, path in modules().items():
        for name, in_function, line in imports(module, path):
            if in_function and name.startswith("odr") and not (_heavy_at_import(name) - _heavy_at_import(module)):
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {name} inside a function: move it to the top")
    assert not wrong, "\n".join(wrong)
