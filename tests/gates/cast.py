"""The fixed cast of actors for the authorization gates.

Later features give them profiles and objects (learner A's requests, the
mentorship between A and their mentor, …) so that the same cast covers every
rule of DESIGN: a learner never sees another learner's data, another person's
object answers 404, staff see what staff may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from accounts.models import User
from accounts.services import api_token_create
from tests.factories import UserFactory, add_totp

ACTORS = ["anonymous", "learner_a", "learner_b", "mentor_of_a", "other_mentor", "staff"]


@dataclass
class Cast:
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    # Path parameters of the API (``{id}`` of an object), owned by learner A.
    path_params: dict[str, Any] = field(default_factory=dict)

    def headers(self, actor: str) -> dict[str, str]:
        if actor == "anonymous":
            return {}
        return {"Authorization": f"Bearer {self.tokens[actor]}"}


def make_cast() -> Cast:
    cast = Cast()
    for actor in ACTORS[1:]:
        user = UserFactory(
            email=f"{actor.replace('_', '.')}@example.org",
            full_name=actor.replace("_", " ").title(),
            is_staff=actor == "staff",
        )
        if actor == "staff":
            add_totp(user)
        cast.users[actor] = user
        cast.tokens[actor] = api_token_create(user=user, name="matrix")[1]
    return cast
