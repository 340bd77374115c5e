"""The staff action log: what staff decided, recorded in the Django admin's
history of the object (``LogEntry``), for every app's decisions (profile
reviews, reports, later attendance disputes and attestations)."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models


def staff_action_log(
    *, staff: AbstractBaseUser, obj: models.Model, message: str
) -> Any:
    """Record a staff action on ``obj`` (shown in its admin history); in the
    transaction of the decision."""
    return LogEntry.objects.log_actions(
        user_id=staff.pk,
        queryset=[obj],
        action_flag=CHANGE,
        change_message=message,
        single_object=True,
    )
