from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture
def in_english() -> Iterator[None]:
    """Service messages read in English, whatever an earlier test activated."""
    with translation.override("en"):
        yield
