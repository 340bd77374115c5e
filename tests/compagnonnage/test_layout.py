"""The apps depend one way: certification → sessions → mentors → accounts → core."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings

ORDER = ["core", "accounts", "mentors", "sessions", "certification"]


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
