"""The mentor-data version: a sequence moved after commit, so writers on
different mentors never wait on each other and no cache reads a version before
the data it versions."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection, transaction

from mentors.data_version import mentor_data_version
from mentors.directory import directory_state
from mentors.models import MentorProfile
from mentors.services import (
    mentor_profile_set_activity_summary,
    mentor_profile_set_published,
    mentor_profile_set_slot_summary,
)
from tests.factories import UserFactory

WAIT = 10  # seconds: only reached when something is broken


def set_slots(profile: MentorProfile) -> None:
    mentor_profile_set_slot_summary(
        mentor_profile_id=profile.pk,
        next_free_slot_at=None,
        free_slots=(1, 2, 3),
        availability_bitmap=bytes(21),
    )


def set_activity(profile: MentorProfile) -> None:
    mentor_profile_set_activity_summary(
        mentor_profile_id=profile.pk, hours_mentored=Decimal("2.5"), people_helped=1
    )


def hide(profile: MentorProfile) -> None:
    mentor_profile_set_published(user=profile.user, published=False)


class Writer(threading.Thread):
    """Runs ``write`` in a transaction of its own connection and keeps that
    transaction open until ``release`` is set."""

    def __init__(self, write: Callable[[], None]) -> None:
        super().__init__(daemon=True)
        self.write = write
        self.written = threading.Event()
        self.release = threading.Event()
        self.version_inside: int | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with transaction.atomic():
                self.write()
                self.version_inside = mentor_data_version()
                self.written.set()
                self.release.wait(WAIT)
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            self.written.set()
            connection.close()

    def finish(self) -> None:
        self.release.set()
        self.join(WAIT)
        assert not self.is_alive()
        if self.error:
            raise self.error


def in_another_connection(read: Callable[[], int]) -> int:
    result: list[int] = []
    thread = threading.Thread(
        target=lambda: (result.append(read()), connection.close())
    )
    thread.start()
    thread.join(WAIT)
    return result[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", [set_slots, set_activity, hide])
def test_writers_on_different_mentors_never_wait_on_each_other(write):
    first, second = (MentorProfile.objects.create(user=UserFactory()) for _ in "ab")
    holder = Writer(lambda: write(first))
    holder.start()
    assert holder.written.wait(WAIT)
    try:
        started = time.monotonic()
        with transaction.atomic():
            with connection.cursor() as cursor:
                # A wait on a lock held by the open transaction fails fast.
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            write(second)
        took = time.monotonic() - started
    finally:
        holder.finish()

    assert took < 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", [set_activity, hide])
def test_the_version_moves_only_once_the_change_is_committed(write):
    profile = MentorProfile.objects.create(user=UserFactory())
    before = mentor_data_version()
    writer = Writer(lambda: write(profile))
    writer.start()
    assert writer.written.wait(WAIT)
    try:
        during = in_another_connection(mentor_data_version)
        during_directory = in_another_connection(
            lambda: directory_state(viewer_id=None).version
        )
    finally:
        writer.finish()

    assert writer.version_inside == before
    assert during == during_directory == before
    assert in_another_connection(mentor_data_version) > before


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_the_version():
    profile = MentorProfile.objects.create(user=UserFactory())
    before = mentor_data_version()

    def change_then_fail() -> None:
        with transaction.atomic():
            set_activity(profile)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        change_then_fail()

    assert mentor_data_version() == before


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_activity_moves_the_version_and_slots_never():
    profile = MentorProfile.objects.create(user=UserFactory())
    before = mentor_data_version()

    set_slots(profile)
    assert mentor_data_version() == before

    set_activity(profile)
    assert mentor_data_version() == before + 1


@pytest.mark.django_db
def test_the_directory_reads_the_same_version():
    """The directory's plain-SQL read against the function's."""
    assert directory_state(viewer_id=None).version == mentor_data_version() > 0
