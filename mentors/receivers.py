"""What mentors does when a lower app sends a hook (connected in ``apps.py``)."""

from __future__ import annotations

from accounts.models import User
from core.outbox import outbox_enqueue

from .data_version import bump_mentor_data_version
from .search import mentor_search_refresh


def on_user_changed(*, user: User, fields: frozenset[str]) -> None:
    """A person's name or active state changed (``accounts.user_changed``).

    Runs in the change's transaction. An account turned on or off shows or hides
    its profiles: the search lexicon counts their words or not (here, in the
    transaction), cached directory pages and the mentor matrix move on (the
    version). A new name is in the directory's search columns: refreshed by a
    task (outbox, one pending per person), which moves the version too.
    """
    if "is_active" in fields:
        mentor_search_refresh(user_ids=[user.pk])
        bump_mentor_data_version()
    if "full_name" in fields:
        outbox_enqueue(
            task="mentors.tasks.refresh_mentor_search_task",
            payload={"user_id": user.pk},
            dedupe_key=f"mentor-search:{user.pk}",
        )
