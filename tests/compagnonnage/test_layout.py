"""The apps depend one way:
certification → sessions → matching → mentors → accounts → core.

Through imports, through relations between models (a foreign key, a
many-to-many) and through migration dependencies. The project package
(``compagnonnage``) sits above them all and may use any of them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db.migrations.loader import MigrationLoader

ORDER = ["core", "accounts", "mentors", "matching", "sessions", "certification"]


def _imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        found.update(
            name.split(".")[0] for name in names if name.split(".")[0] in ORDER
        )
    return found


@pytest.mark.parametrize("app", ORDER)
def test_an_app_never_imports_a_higher_one(app):
    higher = set(ORDER[ORDER.index(app) + 1 :])
    offenders = []
    for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
        bad = _imported_apps(path) & higher
        if bad:
            offenders.append(
                f"{path.relative_to(settings.BASE_DIR)} imports {sorted(bad)}"
            )

    assert offenders == []


def test_the_import_checker_sees_a_forbidden_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from mentors.models import MentorProfile\nimport certification\n")

    assert _imported_apps(bad) == {"mentors", "certification"}


def test_every_test_folder_is_a_package():
    tests = Path(settings.BASE_DIR) / "tests"
    missing = [
        str(folder.relative_to(settings.BASE_DIR))
        for folder in [tests, *[p for p in tests.rglob("*") if p.is_dir()]]
        if folder.name != "__pycache__" and not (folder / "__init__.py").exists()
    ]

    assert missing == []


def _rank(app_label: str) -> int | None:
    """The place of an app of ours in ORDER (labels: sessions is
    coaching_sessions); None for Django's and the libraries' apps."""
    config = apps.get_app_config(app_label)
    top = config.name.split(".")[0]
    return ORDER.index(top) if top in ORDER else None


def test_every_app_of_ours_has_a_place_in_the_order():
    ours = {
        config.name.split(".")[0]
        for config in apps.get_app_configs()
        if Path(config.path).parent == Path(settings.BASE_DIR)
    }

    assert ours - {"compagnonnage"} == set(ORDER)


def _upward_relations() -> list[str]:
    offenders = []
    for model in apps.get_models(include_auto_created=True):
        low = _rank(model._meta.app_label)
        if low is None:
            continue
        for field in model._meta.get_fields(include_hidden=True):
            if not field.is_relation or (field.auto_created and not field.concrete):
                continue
            target = field.related_model
            if target is None or isinstance(target, str):
                continue
            if target._meta.label == settings.AUTH_USER_MODEL:
                continue  # the user model: swappable, every app may point at it
            high = _rank(target._meta.app_label)
            if high is not None and high > low:
                offenders.append(
                    f"{model._meta.label}.{field.name} → {target._meta.label}"
                )
    return offenders


def test_no_model_points_up_to_a_higher_app():
    assert _upward_relations() == []


USER_APP = settings.AUTH_USER_MODEL.split(".")[0]


def _upward_migration_dependencies() -> list[str]:
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    offenders = []
    for (label, name), node in graph.nodes.items():
        low = (
            _rank(label) if label in {c.label for c in apps.get_app_configs()} else None
        )
        if low is None:
            continue
        for dep_label, dep_name in node.dependencies:
            if dep_label == "__setting__" or dep_label not in {
                c.label for c in apps.get_app_configs()
            }:
                continue
            if (dep_label, dep_name) == (USER_APP, "__first__"):
                continue  # swappable_dependency(AUTH_USER_MODEL)
            high = _rank(dep_label)
            if high is not None and high > low:
                offenders.append(f"{label}.{name} needs {dep_label}.{dep_name}")
    return offenders


def test_no_migration_depends_on_a_higher_app():
    assert _upward_migration_dependencies() == []


def test_the_relation_and_migration_checks_see_an_upward_link(monkeypatch):
    # Read the order upside down: every link down becomes a link up, so a
    # checker that saw nothing would fail here.
    monkeypatch.setattr("tests.compagnonnage.test_layout.ORDER", list(reversed(ORDER)))

    assert any("matching.Mentorship" in o for o in _upward_relations())
    assert any(o.startswith("matching.0001") for o in _upward_migration_dependencies())
