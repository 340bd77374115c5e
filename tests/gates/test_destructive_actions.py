"""Destructive or rare actions never look like the main action: wherever a
template offers one, its button or link is a secondary or danger button.

The templates are read as text, so a new page offering one of these actions is
checked without a test of its own.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# The action's words as written in the templates (msgids), one per action.
ACTIONS = [
    '"Withdraw my request"',
    '"Pause: no new mentees for now"',
    '"Block this person"',
    "Block {{ name }}{% endblocktranslate %}",
    '"Unblock"',
    '"End the mentorship"',
    '"Decline"',
    "Revoke <span",
    '"Delete my account"',
    '"Delete my account for good"',
    '"Hide my profile from the directory"',
    '"Report this profile"',
    '"Mark all as read"',
    '"Yes, change my link"',
    '"Yes, delete my link"',
]
CONTROL = re.compile(r"<(button|a)\b([^>]*)>(.*?)</\1>", re.DOTALL)
QUIET = {"button-secondary", "button-danger"}


def _controls_offering(action: str) -> list[tuple[str, str]]:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for match in CONTROL.finditer(path.read_text(encoding="utf-8")):
            if action in match.group(3):
                found.append((str(path.relative_to(TEMPLATES)), match.group(2)))
    return found


@pytest.mark.parametrize("action", ACTIONS)
def test_destructive_actions_are_secondary_or_danger_buttons(action):
    controls = _controls_offering(action)

    assert controls, f"no template offers {action} any more: update ACTIONS"
    plain = [
        template
        for template, attributes in controls
        if not QUIET & set(re.findall(r"[\w-]+", _class(attributes)))
    ]
    assert plain == [], f"{action} looks like the main action in {plain}"


def _class(attributes: str) -> str:
    found = re.search(r'class="([^"]*)"', attributes)
    return found.group(1) if found else ""
