"""What the load benchmark reads from a seeded bench database."""

from __future__ import annotations

from django.http import QueryDict

from accounts.models import User
from mentors.directory import DirectoryQuery
from mentors.forms import DirectoryForm
from mentors.models import LearnerProfile


def bench_learner() -> User:
    """A seeded learner who is not a mentor: the person browsing the directory."""
    profile = (
        LearnerProfile.objects.filter(
            user__is_active=True, user__is_staff=False, user__mentor_profile=None
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if profile is None:
        raise ValueError("No learner in this database: seed it first.")
    return profile.user


def directory_query(query_string: str) -> DirectoryQuery:
    """The query the directory view builds from these GET parameters."""
    form = DirectoryForm(QueryDict(query_string))
    if not form.is_valid():
        raise ValueError(f"Directory query refused: {form.errors.as_json()}")
    data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    return DirectoryQuery(**data)
