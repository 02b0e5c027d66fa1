"""The package layout is the architecture: imports go one way, top to bottom, and never in a
circle (issue 12). Parses every module's imports (function-level ones included)."""

from __future__ import annotations

import ast
from pathlib import Path

import respons

PACKAGE = Path(respons.__file__).parent
# Lowest first; a module may import its own layer and the layers before it.
LAYERS = ("errors", "data", "config", "engine", "analysis", "runs", "studies", "report", "web",
          "cli")
TOP = {"__init__", "__main__"}  # the public API and `python -m respons` sit above everything


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        out["respons." + ".".join(parts)] = path
    return out


def _imports(path: Path, name: str) -> set[str]:
    """Absolute names of the respons modules `path` imports (relative imports resolved)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("respons")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = name.split(".")[: len(name.split(".")) - node.level
                                       + (path.name == "__init__.py")]
                base = ".".join([*pkg, base] if base else pkg)
            if base.startswith("respons"):
                found.add(base)
                found |= {f"{base}.{a.name}" for a in node.names}
    return found


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[1] in TOP:
        return None
    return parts[1]


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    return {m: {i for i in _imports(p, m) if i in mods and i != m} for m, p in mods.items()}


def test_every_module_sits_in_a_layer():
    for module in _graph():
        layer = _layer(module)
        assert layer is None or layer in LAYERS, f"{module} is in no layer of {LAYERS}"


def test_imports_go_down_only():
    bad = []
    for module, deps in _graph().items():
        layer = _layer(module)
        if layer is None:
            continue
        for dep in deps:
            dl = _layer(dep)
            if dl is None or LAYERS.index(dl) > LAYERS.index(layer):
                bad.append(f"{module} ({layer}) imports {dep} ({dl or 'top'})")
    assert not bad, "upward imports:\n" + "\n".join(sorted(bad))


def test_no_import_circles():
    graph = _graph()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for d in sorted(graph[m]):
            # a package's __init__ importing its own modules is not a circle
            if d.startswith(m + "."):
                continue
            if state.get(d) == 1:
                raise AssertionError("import circle: " + " -> ".join(
                    stack[stack.index(d):] + [d]))
            if d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)


def test_the_checker_sees_a_violation(tmp_path):
    """The parser finds an upward import and a function-level one (the test can fail)."""
    src = tmp_path / "m.py"
    src.write_text("def f():\n    from respons.cli.main import main\n", encoding="utf-8")
    assert "respons.cli.main" in _imports(src, "respons.engine.m")
