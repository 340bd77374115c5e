from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mentors.levels import level_label

from .models import ATTESTABLE_MAX, ATTESTABLE_MIN, TaskObservation


def _level_choices() -> list[tuple[int, str]]:
    return [
        (level, level_label(level))
        for level in range(ATTESTABLE_MIN, ATTESTABLE_MAX + 1)
    ]


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


class RequestForm(ResubmitForm):
    """A learner's request (created and sent at once from the page): the
    answer's fields, with the level first."""

    field_order = ["level", "statement", "portfolio_url", "upload"]
    level = forms.TypedChoiceField(
        label=_("The level I ask for"), coerce=int, choices=_level_choices
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].widget.attrs["autocomplete"] = "off"
        self.fields["statement"].help_text = _(
            "A few sentences are enough: what you did, alone, recently."
        )
        self.fields["upload"].label = _("A file that shows my work (optional)")


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


class EndorseForm(forms.Form):
    """A mentor endorses a skill the session worked on (after the session)."""

    skill = forms.TypedChoiceField(label=_("The skill"), coerce=int)
    level = forms.TypedChoiceField(
        label=_("The level you saw"), coerce=int, choices=_level_choices
    )
    comment = forms.CharField(
        label=_("What you saw the person do"),
        help_text=_("A few words the team will read: what they did, alone."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    named = forms.BooleanField(
        label=_("I agree to be named on the attestation"),
        help_text=_("Anyone who checks the attestation will then see your name."),
        required=False,
    )

    def __init__(self, *args: Any, skills: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["skill"].choices = skills  # type: ignore[attr-defined]


class ObserveForm(forms.Form):
    """A mentor records a practical task the person did in the session."""

    task = forms.TypedChoiceField(
        label=_("The task"), coerce=int, widget=forms.RadioSelect
    )
    result = forms.ChoiceField(
        label=_("The result"),
        choices=TaskObservation.Result.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("What you saw the person do"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args: Any, tasks: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["task"].choices = tasks  # type: ignore[attr-defined]
