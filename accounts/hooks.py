"""Hooks accounts sends; higher apps connect to them from ``AppConfig.ready()``."""

from __future__ import annotations

from collections.abc import Iterable

from core.hooks import Hook

from .models import User

# The fields other apps hold copies of or filter on: a mentor's name is in the
# directory's search columns, an inactive person's profiles are hidden.
WATCHED_FIELDS = frozenset({"full_name", "is_active"})

user_changed = Hook("accounts.user_changed", "user: User, fields: frozenset[str]")


def user_changed_send(*, user: User, fields: Iterable[str]) -> None:
    """Tell the connected apps which of ``WATCHED_FIELDS`` changed on ``user``
    (other names are ignored; nothing is sent when none is left).

    Call after the save, in the transaction of the change.
    """
    changed = WATCHED_FIELDS.intersection(fields)
    if changed:
        user_changed.send(user=user, fields=changed)
