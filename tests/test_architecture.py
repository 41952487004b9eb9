"""The shape of the code: every module imports, no import circles, arrows between apps point one way."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("caller", "transcription", "audio", "audit", "sharing", "search", "notify", "api", "djtranscribe")
MAX_LINES = 400
ROOT_URLCONF = "djtranscribe.urls"
# Presentation code another app may not import (pages and admin are each app's own).
PRIVATE = ("views", "admin", "pages")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _app_modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


MODULES = _app_modules()


def _top_level_imports(name: str, path: Path) -> set[str]:
    """Modules of this project that `name` imports when it is imported (not inside functions)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(), filename=str(path))
    targets: set[str] = set()

    def visit(statements):
        for node in statements:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue  # only for type checkers: never runs
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                targets.add(base)
                targets.update(f"{base}.{alias.name}" for alias in node.names)
            elif isinstance(node, (ast.If, ast.Try, ast.With)):
                for field in ("body", "orelse", "finalbody", "handlers"):
                    for child in getattr(node, field, []):
                        visit(child.body if isinstance(child, ast.ExceptHandler) else [child])

    visit(tree.body)
    edges = set()
    for target in targets:
        # Importing a.b.c runs a and a.b first.
        parts = target.split(".")
        for i in range(1, len(parts) + 1):
            prefix = ".".join(parts[:i])
            if prefix in MODULES and prefix != name:
                edges.add(prefix)
    return edges


GRAPH = {name: _top_level_imports(name, path) for name, path in MODULES.items()}


def _app(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_app_module_imports(name):
    importlib.import_module(name)


def test_no_app_modules_import_each_other_in_a_circle():
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def walk(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(path[path.index(nxt) :] + [nxt]))
            elif nxt not in state:
                walk(nxt, path + [nxt])
        state[node] = 2

    for name in sorted(GRAPH):
        if name not in state:
            walk(name, [name])
    assert cycles == []


def test_the_import_graph_sees_a_known_import():
    # Guards the test above against a graph that silently found nothing.
    assert "transcription.queue" in GRAPH["transcription.pipeline.submit"]
    assert "transcription.tasks" in GRAPH["transcription.queue"]


def test_no_app_imports_another_apps_views_or_admin():
    crossing = {
        (name, target)
        for name, targets in GRAPH.items()
        for target in targets
        # The project's URLs route to every app's views.
        if _app(target) != _app(name) and target.split(".")[-1] in PRIVATE and name != ROOT_URLCONF
    }
    assert crossing == set()


def _imports_of(app: str, forbidden: set[str]) -> set[tuple[str, str]]:
    return {
        (name, target)
        for name, targets in GRAPH.items()
        if _app(name) == app
        for target in targets
        if _app(target) in forbidden
    }


def test_imports_run_caller_to_transcription_to_audio_never_back():
    assert _imports_of("transcription", {"caller"}) == set()
    assert _imports_of("audio", {"caller", "transcription"}) == set()
    # Search takes querysets and table names: it imports no app (transcription imports it).
    assert _imports_of("search", {"caller", "transcription", "audio", "audit", "sharing"}) == set()
    lib = {(name, target) for name, target in _imports_of("djtranscribe", set(APPS) - {"djtranscribe"})}
    assert {(name, target) for name, target in lib if name.startswith("djtranscribe.lib")} == set()


def test_the_audit_trail_sits_at_the_bottom_and_sharing_at_the_top():
    # audit names objects by plain strings, so every app can use it and it needs none of them.
    assert _imports_of("audit", {"caller", "transcription", "audio", "sharing"}) == set()
    for app in ("caller", "transcription", "audio", "audit"):
        assert _imports_of(app, {"sharing"}) == set(), f"{app} imports sharing"


def test_outbound_webhooks_sit_at_the_top_imported_by_no_app():
    # notify listens to the domain apps' signals; none of them may know it is there. Only the REST
    # API, above it, may use its services (to manage endpoints).
    for app in set(APPS) - {"notify", "api"}:
        importers = {(n, t) for n, t in _imports_of(app, {"notify"}) if n != ROOT_URLCONF}
        assert importers == set(), f"{app} imports notify"


def test_no_app_module_is_longer_than_the_limit():
    long = {
        name: n for name, path in MODULES.items() if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_rest_api_sits_at_the_top_imported_by_no_app():
    # api/ uses every app's selectors and services; none of them may depend on it (the project's
    # URLconf names it only as a string).
    for app in set(APPS) - {"api"}:
        assert _imports_of(app, {"api"}) == set(), f"{app} imports api"
