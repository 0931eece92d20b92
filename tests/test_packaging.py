"""The plugins as a host installs them: a wheel with everything the code reads, modules
that import without a cycle, and background jobs that never import the standalone app."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from course import jobs

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("course", "quizzes")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # Built from a copy: setuptools leaves build/ and *.egg-info beside the sources.
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheel")
    for name in ("pyproject.toml", "requirements.txt", "requirements-tools.txt"):
        shutil.copy(ROOT / name, source / name)
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["-w", str(out), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return next(out.glob("pfr_learn-*.whl"))


def test_wheel_carries_templates_static_migrations_and_word_lists(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in PACKAGES:
        source = {
            path.relative_to(ROOT).as_posix()
            for path in (ROOT / package).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        }
        missing = sorted(source - names)
        assert not missing, f"not in the wheel: {missing[:5]}"
    assert not any(name.startswith(("tests/", "bench/", "content/", "app.py")) for name in names)


def test_installed_plugins_import_from_another_folder(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target)]
        + [str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    code = (
        "import course, quizzes, course.jobs, quizzes.api\n"
        "from pathlib import Path\n"
        "print(Path(course.__file__).parent.parent)\n"
        "print((Path(quizzes.__file__).parent / 'templates/quizzes/review.html').is_file())"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    where, has_templates = done.stdout.split()
    assert Path(where) == target  # the installed copy, not this checkout
    assert has_templates == "True"


def _module_imports(path: Path, package_root: Path) -> tuple[str, set[str]]:
    """The module's name and the project modules it imports when it is first imported
    (module level only: imports inside functions run later and cannot form a cycle)."""
    relative = path.relative_to(package_root).with_suffix("")
    parts = list(relative.parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    name = ".".join(parts)
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = parts if is_package else parts[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return name, {m for m in found if m.split(".")[0] in PACKAGES}


def test_no_import_cycle_between_project_modules():
    graph: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                name, imports = _module_imports(path, ROOT)
                graph[name] = imports
    # A module naming its own parent package finds it already importing: no cycle.
    edges = {
        name: {m for m in targets if m in graph and m != name and m not in _parents(name)}
        for name, targets in graph.items()
    }
    cycle = _find_cycle(edges)
    assert cycle is None, " -> ".join(cycle)


def _parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts))]


def _find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        state[node] = 2
        path.pop()
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_a_worker_outside_flask_builds_the_app_the_host_names(monkeypatch):
    monkeypatch.setattr(jobs, "_worker_app", None)
    monkeypatch.delenv("COURSE_APP_FACTORY", raising=False)
    with pytest.raises(RuntimeError, match="COURSE_APP_FACTORY"):
        jobs.worker_app()
    monkeypatch.setenv("COURSE_APP_FACTORY", "tests.test_packaging:_tiny_host")
    assert jobs.worker_app().name == "tiny-host"


def _tiny_host():
    from flask import Flask

    return Flask("tiny-host")


def test_the_cycle_finder_finds_a_cycle():
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None
