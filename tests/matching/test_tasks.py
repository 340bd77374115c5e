"""The tasks that moved to matching answer to their old names: outbox rows
already waiting and the beat schedule name them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from compagnonnage.celery import app

OLD_NAMES = [
    "mentors.tasks.expire_and_remind_requests_task",
    "mentors.tasks.refresh_suggestions_for_learner_task",
    "mentors.tasks.refresh_all_suggestions_task",
]
# `outbox_enqueue(task="…")` and the constants some modules pass instead.
TASK_NAME = re.compile(r'(?:\btask\s*=\s*|^[A-Z_]*TASK\s*=\s*)"([\w.]+)"', re.M)


@pytest.fixture(scope="module")
def registered() -> dict[str, object]:
    app.loader.import_default_modules()  # what a worker does: autodiscovery
    return dict(app.tasks)


def _task_names_in_the_code() -> set[str]:
    base = Path(settings.BASE_DIR)
    names: set[str] = set()
    for config in apps.get_app_configs():
        folder = Path(config.path)
        if folder.is_relative_to(base) and ".venv" not in folder.parts:
            for path in folder.rglob("*.py"):
                names.update(TASK_NAME.findall(path.read_text()))
    return names


@pytest.mark.parametrize("name", OLD_NAMES)
def test_a_moved_task_keeps_its_old_name(registered, name):
    task = registered[name]

    assert task.run.__module__ == "matching.tasks"
    assert task.run.__name__ == name.rsplit(".", 1)[1]


def test_no_moved_task_is_registered_twice(registered):
    moved = {name.rsplit(".", 1)[1] for name in OLD_NAMES}
    twice = [
        name
        for name in registered
        if name.startswith("matching.") and name.rsplit(".", 1)[1] in moved
    ]
    assert twice == []


def test_every_scheduled_task_is_registered(registered):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert scheduled - set(registered) == set()


def test_every_task_named_in_the_code_is_registered(registered):
    named = _task_names_in_the_code()

    assert "mentors.tasks.refresh_suggestions_for_learner_task" in named
    assert "core.tasks.send_email_task" in named
    assert named - set(registered) == set()
