"""The shape of the code: no import circles, and modules that fit on a screen."""

import ast
from pathlib import Path

from django.conf import settings

APP = Path(settings.BASE_DIR) / "registrations"
LONGEST_MODULE = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def app_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for path in APP.rglob("*.py")
        if "migrations" not in path.parts
    }


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """Return the app's modules that ``path`` imports, anywhere in its code.

    ``from package import name`` counts as importing ``package.name`` when
    that is a module, and ``package`` otherwise.
    """
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in modules else node.module)
    return found & modules


def circle_in(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one circle of imports in ``graph``, or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        if module in path:
            return path[path.index(module) :] + [module]
        if module in done:
            return None
        path.append(module)
        for imported in sorted(graph[module]):
            circle = visit(imported)
            if circle:
                return circle
        path.pop()
        done.add(module)
        return None

    for module in sorted(graph):
        circle = visit(module)
        if circle:
            return circle
    return None


def test_no_module_of_the_app_imports_itself_round_a_circle():
    modules = app_modules()
    graph = {name: imports_of(path, set(modules)) for name, path in modules.items()}
    assert circle_in(graph) is None
    # The graph is read for real: the services do import the selectors.
    assert "registrations.selectors" in graph["registrations.services.capacity"]


def test_the_circle_finder_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert circle_in(graph) == ["a", "b", "c", "a"]


def test_no_module_of_the_app_is_longer_than_a_screen_of_navigation():
    too_long = {
        name: length
        for name, path in app_modules().items()
        if (length := len(path.read_text().splitlines())) > LONGEST_MODULE
    }
    assert too_long == {}
