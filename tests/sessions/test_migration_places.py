"""Rows written before places and workshop titles existed still migrate: in
person without a public place is no longer offered, a free slot left with no
way to meet goes (busy time with it), a workshop gets a title."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.matching.helpers import mentor

BEFORE = ("coaching_sessions", "0001_initial")
AFTER = ("coaching_sessions", "0002_venues_places_commitment")


def _migrate(target: tuple[str, str]):
    MigrationExecutor(connection).migrate([target])
    return MigrationExecutor(connection).loader.project_state([target]).apps


@pytest.fixture
def back_to_the_leaf() -> Iterator[None]:
    try:
        yield
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_old_rows_meet_the_new_rules(back_to_the_leaf):
    profile = mentor()
    apps = _migrate(BEFORE)
    Availability = apps.get_model("coaching_sessions", "Availability")
    Slot = apps.get_model("coaching_sessions", "Slot")
    BusyTime = apps.get_model("coaching_sessions", "BusyTime")
    Availability.objects.create(
        mentor_profile_id=profile.pk, modes=["video", "in_person"]
    )
    start = datetime(2030, 3, 5, 9, tzinfo=UTC)

    def slot(hours: int, modes: list[str], capacity: int = 1):
        made = Slot.objects.create(
            mentor_id=profile.user_id,
            start=start + timedelta(hours=hours),
            end=start + timedelta(hours=hours + 1),
            modes=modes,
            capacity=capacity,
            source="manual",
        )
        BusyTime.objects.create(
            person_id=profile.user_id,
            period=(made.start, made.end),
            slot_id=made.pk,
        )
        return made.pk

    both = slot(0, ["video", "in_person"])
    only_in_person = slot(2, ["in_person"])
    workshop = slot(4, ["video"], capacity=6)

    apps = _migrate(AFTER)

    Slot = apps.get_model("coaching_sessions", "Slot")
    assert Slot.objects.get(pk=both).modes == ["video"]
    assert not Slot.objects.filter(pk=only_in_person).exists()
    assert (
        not apps.get_model("coaching_sessions", "BusyTime")
        .objects.filter(slot_id=only_in_person)
        .exists()
    )
    assert Slot.objects.get(pk=workshop).title == "Atelier ouvert"
    assert apps.get_model("coaching_sessions", "Availability").objects.get().modes == [
        "video"
    ]
