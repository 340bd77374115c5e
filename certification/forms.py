from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mentors.levels import level_label

from .models import ATTESTABLE_MAX, ATTESTABLE_MIN


def _level_choices() -> list[tuple[int, str]]:
    return [
        (level, level_label(level))
        for level in range(ATTESTABLE_MIN, ATTESTABLE_MAX + 1)
    ]


class RequestForm(forms.Form):
    """A learner's request (created and sent at once from the page)."""

    level = forms.TypedChoiceField(
        label=_("The level I ask for"), coerce=int, choices=_level_choices
    )
    statement = forms.CharField(
        label=_("In my own words: what I can do now"),
        help_text=_("A few sentences are enough: what you did, alone, recently."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )
    portfolio_url = forms.URLField(
        assume_scheme="https",
        label=_("A link to my work (optional)"),
        required=False,
        max_length=500,
    )
    upload = forms.FileField(
        label=_("A file that shows my work (optional)"),
        help_text=_("PDF, PNG or JPEG, 5 MB at most. Only the team can open it."),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].widget.attrs["autocomplete"] = "off"


class ResubmitForm(forms.Form):
    """The learner's answer when the team asked for more information."""

    statement = forms.CharField(
        label=_("In my own words: what I can do now"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )
    portfolio_url = forms.URLField(
        assume_scheme="https",
        label=_("A link to my work (optional)"),
        required=False,
        max_length=500,
    )
    upload = forms.FileField(
        label=_("A new file (optional)"),
        help_text=_("PDF, PNG or JPEG, 5 MB at most. Only the team can open it."),
        required=False,
    )


class DecisionForm(forms.Form):
    """The reviewer's decision in the admin."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("approve", _("Approve")),
            ("reject", _("Reject")),
            ("more_info", _("Ask for more information")),
        ],
        widget=forms.RadioSelect,
    )
    level = forms.TypedChoiceField(
        label=_("Level granted (if approved)"),
        coerce=int,
        choices=_level_choices,
        required=False,
        empty_value=None,
    )
    reason = forms.CharField(
        label=_("Reason (required to reject, to grant a lower level, and to ask)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
    )


class ReasonForm(forms.Form):
    """The question of a bulk "ask for more information"."""

    reason = forms.CharField(
        label=_("What the learners should add"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )
