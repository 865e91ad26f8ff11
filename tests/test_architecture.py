"""The shape of the code: apps depend on each other in one direction only.

``LAYERS`` lists the apps from the bottom up; a module of an app may import its own app and the
apps listed before it, never one listed after it, so there is no import cycle between apps.
``core`` is the leaf every app may use. Imports inside functions count too: they are edges as
real as any other, only later.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "annotator"
LAYERS = [
    "core",
    "schemas",
    "corpus",
    "annotations",
    "imports",
    "agreement",
    "recommenders",
    "exports",
    "web",
]


def apps() -> list[str]:
    return sorted(path.parent.name for path in PACKAGE.glob("*/apps.py"))


def imported_apps(path: Path, app: str):
    """(line, app) for every import in ``path`` of a module of another app of ours."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: inside this app unless it climbs out of it
                depth = len(path.relative_to(PACKAGE / app).parts)
                if node.level < depth:
                    continue
                names = [f"annotator.{node.module or ''}"] if node.level == depth else []
            else:
                names = [node.module or ""]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if len(parts) < 2 or parts[0] != "annotator" or parts[1] == app:
                continue
            if (PACKAGE / parts[1] / "apps.py").exists():
                yield node.lineno, parts[1]


def dependencies() -> dict[str, dict[str, list[str]]]:
    """{app: {imported app: [file:line, ...]}}"""
    found: dict[str, dict[str, list[str]]] = {app: {} for app in apps()}
    for app in found:
        for path in sorted((PACKAGE / app).rglob("*.py")):
            for line, other in imported_apps(path, app):
                where = f"{path.relative_to(PACKAGE.parent)}:{line}"
                found[app].setdefault(other, []).append(where)
    return found


def test_every_app_has_a_layer():
    assert sorted(LAYERS) == apps()


def test_apps_import_only_the_layers_below_them():
    upward = [
        f"{app} imports {other} ({', '.join(places)})"
        for app, imported in dependencies().items()
        for other, places in imported.items()
        if LAYERS.index(other) > LAYERS.index(app)
    ]
    assert upward == []


def test_core_is_a_leaf():
    assert dependencies()["core"] == {}


def test_there_is_no_import_cycle_between_apps():
    graph = {app: set(imported) for app, imported in dependencies().items()}
    cycles = []

    def visit(app: str, path: list[str]) -> None:
        for other in sorted(graph[app]):
            if other in path:
                cycles.append(" -> ".join([*path[path.index(other) :], other]))
            else:
                visit(other, [*path, other])

    for app in sorted(graph):
        visit(app, [app])
    assert cycles == []


def test_the_checker_sees_a_cycle(tmp_path, monkeypatch):
    """The checker itself: an upward import planted in a copy of two apps is reported."""
    for app in ("core", "corpus"):
        (tmp_path / app).mkdir()
        (tmp_path / app / "apps.py").write_text("")
    (tmp_path / "core" / "bad.py").write_text("def f():\n    from annotator.corpus import x\n")
    (tmp_path / "corpus" / "ok.py").write_text("from annotator.core import y\nfrom . import z\n")
    monkeypatch.setattr(f"{__name__}.PACKAGE", tmp_path)
    assert dependencies() == {
        "core": {"corpus": [f"{tmp_path.name}/core/bad.py:2"]},
        "corpus": {"core": [f"{tmp_path.name}/corpus/ok.py:1"]},
    }
