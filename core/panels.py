"""Panels: a piece of a page that spans apps ("My space"), provided by the app
that owns what it shows and assembled by the project package, so no app
imports a higher one to show its part."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Section(IntEnum):
    """Where a panel goes on "My space", in this order."""

    LEARNER = 1
    MENTOR = 2


@dataclass(frozen=True)
class Panel:
    section: Section
    template: str  # rendered with ``panel`` = this object
    order: int  # smaller first within the section
    context: dict[str, Any] = field(default_factory=dict)
